"""PDD write-backs and 电子面单 against the twin: what the adapter sends is what the twin records."""

from __future__ import annotations

import pytest

from integrations.base import PlatformError
from integrations.contract import Unsupported, WriteRequest
from integrations.ecommerce_contract import Address, WaybillRequest, capability
from qihang_app.domain.partners import WriteBack


def req(action: WriteBack, order_id: str, **extra) -> WriteRequest:
    return WriteRequest(action=action, platform_order_id=order_id, idempotency_key=f"{action}:{order_id}", **extra)


async def test_ship_maps_our_carrier_to_pdds_logistics_id(adapter, pdd_shop, client_for, new_order, truth, writes):
    order_id = new_order(pdd_shop)["order_id"]
    client = client_for(pdd_shop)
    await adapter.write_back(client, req(WriteBack.SHIP, order_id, carrier="ZTO", tracking_no="ZT7788990011"))
    (row,) = writes(pdd_shop, "pdd.logistics.online.send")
    assert row["params"]["logistics_id"] == "115" and row["params"]["tracking_number"] == "ZT7788990011"
    assert truth("pdd", order_id)["stage"] == "delivering"
    shipped = adapter.map_order(await adapter.fetch_order(client, order_id))
    assert shipped.status == "shipped" and shipped.raw_status_code == "2/1"
    with pytest.raises(PlatformError) as info:  # shipping twice: PDD says the order is not 待发货
        await adapter.write_back(client, req(WriteBack.SHIP, order_id, carrier="ZTO", tracking_no="ZT1"))
    assert info.value.code == "50001" and not info.value.retryable


async def test_split_and_unknown_carriers_are_refused(adapter, pdd_shop, client_for, new_order, writes):
    order_id = new_order(pdd_shop)["order_id"]
    client = client_for(pdd_shop)
    assert not adapter.profile.splits_shipments
    with pytest.raises(Unsupported):
        await adapter.write_back(
            client, req(WriteBack.SHIP, order_id, carrier="SF", tracking_no="SF1", line_ids=("1",))
        )
    with pytest.raises(PlatformError) as info:
        await adapter.write_back(client, req(WriteBack.SHIP, order_id, carrier="DNWL", tracking_no="DN1"))
    assert info.value.code == "unknown_carrier"
    assert writes(pdd_shop) == []


async def test_refund_agree_and_refuse(adapter, pdd_shop, client_for, new_order, control, truth, writes):
    client = client_for(pdd_shop)
    agreed, refused = new_order(pdd_shop)["order_id"], new_order(pdd_shop)["order_id"]
    first = control.post(f"/orders/pdd/{agreed}/refund", json={"reason": "少件"}).json()["after_sales"][-1]
    control.post(f"/orders/pdd/{refused}/refund", json={"reason": "不想要"})
    await adapter.write_back(client, req(WriteBack.REFUND_AGREE, agreed, refund_id=first["after_sale_id"]))
    assert truth("pdd", agreed)["stage"] == "closed"
    # no refund id on the request: the adapter finds the after-sale waiting for the merchant
    await adapter.write_back(client, req(WriteBack.REFUND_REJECT, refused, reason_code="2", reason="未退回"))
    assert truth("pdd", refused)["after_sales"][-1]["status"] == "rejected"
    (row,) = writes(pdd_shop, "pdd.refund.refuse")
    assert row["params"]["refuse_reason"] == "2" and row["params"]["operate_desc"] == "未退回"
    with pytest.raises(PlatformError):  # nothing open any more
        await adapter.write_back(client, req(WriteBack.REFUND_AGREE, refused))


async def test_return_agree(adapter, pdd_shop, client_for, new_order, control, truth, writes):
    order_id = new_order(pdd_shop)["order_id"]
    control.post(f"/orders/pdd/{order_id}/refund", json={"reason": "质量问题", "return_goods": True})
    await adapter.write_back(client_for(pdd_shop), req(WriteBack.RETURN_AGREE, order_id))
    assert truth("pdd", order_id)["after_sales"][-1]["status"] == "return_agreed"
    assert len(writes(pdd_shop, "pdd.refund.returngoods.agree")) == 1


async def test_memo_with_a_flag(adapter, pdd_shop, client_for, new_order, twin_state):
    order_id = new_order(pdd_shop)["order_id"]
    client = client_for(pdd_shop)
    assert adapter.profile.memo_flags["1"] == ("红色", "Red")
    await adapter.write_back(client, req(WriteBack.MEMO, order_id, memo="加急，送小样", flag="1"))
    assert twin_state(pdd_shop)["notes"][order_id] == {"note": "加急，送小样", "tag": 1, "tag_name": "红色"}
    raw = await adapter.fetch_order(client, order_id)
    assert (raw["remark"], raw["remark_tag"]) == ("加急，送小样", 1)


async def test_stock_update_sets_each_sku(adapter, pdd_shop, client_for, control, writes):
    catalog = control.get(f"/shops/pdd/{pdd_shop['shop_id']}/catalog").json()
    stock = ((catalog[0]["item_id"], catalog[0]["sku_id"], 7), (catalog[1]["item_id"], catalog[1]["sku_id"], 0))
    await adapter.write_back(client_for(pdd_shop), req(WriteBack.STOCK_UPDATE, "", stock=stock))
    after = {p["sku_id"]: p["stock"] for p in control.get(f"/shops/pdd/{pdd_shop['shop_id']}/catalog").json()}
    assert (after[catalog[0]["sku_id"]], after[catalog[1]["sku_id"]]) == (7, 0)
    assert len(writes(pdd_shop, "pdd.goods.quantity.update")) == 2


async def test_undeclared_write_backs_are_refused_before_any_request(adapter, pdd_shop, client_for):
    for action in (WriteBack.ACCEPT, WriteBack.REJECT, WriteBack.PARTIAL_REFUND, WriteBack.RECEIPT_CONFIRM):
        with pytest.raises(Unsupported):
            await adapter.write_back(client_for(pdd_shop), req(action, "1"))


SENDER = Address("启航仓", "13800000000", "上海市", "上海市", "徐汇区", "漕溪北路 1 号")
RECEIVER = Address("林*", "138****0000", "浙江省", "杭州市", "西湖区", "文三路 **")


async def test_waybill_issue_is_idempotent_and_cancel_returns_it(adapter, pdd_shop, client_for, new_order, twin_state):
    waybills = capability(adapter, "waybills")
    assert "ZTO" in adapter.profile.waybill_carriers
    order_id = new_order(pdd_shop)["order_id"]
    client = client_for(pdd_shop)
    ask = WaybillRequest("ZTO", order_id, f"pkg-{order_id}", SENDER, RECEIVER, (("纸巾", 2),), 800)
    first = await waybills.issue(client, ask)
    again = await waybills.issue(client, ask)
    assert first.tracking_no == again.tracking_no and first.tracking_no.startswith("ZT")
    assert first.sort_code == "杭州西湖区" and first.route_code == "浙江省转运中心"
    assert first.print_data["templateUrl"].endswith("ZTO.xml")
    other = await waybills.issue(client, WaybillRequest("ZTO", order_id, "pkg-2", SENDER, RECEIVER))
    assert other.tracking_no != first.tracking_no
    await waybills.cancel(client, "ZTO", first.tracking_no)
    bills = {b["waybill_code"]: b for b in twin_state(pdd_shop)["waybills"]}
    assert bills[first.tracking_no]["cancelled"] and not bills[other.tracking_no]["cancelled"]
    with pytest.raises(PlatformError):
        await waybills.cancel(client, "ZTO", first.tracking_no)
    with pytest.raises(Unsupported):
        await waybills.issue(client, WaybillRequest("DNWL", order_id, "pkg-3", SENDER, RECEIVER))
