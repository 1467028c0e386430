"""Write-backs seen in the twin: ship (whole and split per sub-order), refund agree / refuse,
return agree, memo flags, stock; the product pull; 菜鸟电子面单 issue (idempotent) and cancel."""

from __future__ import annotations

import pytest

from integrations.base import PlatformError
from integrations.contract import WriteRequest
from integrations.ecommerce_contract import Address, WaybillRequest
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.partners import WriteBack
from tests.integrations.taobao.conftest import ADAPTER, requests_for


def wb(action: WriteBack, order_id: str, **extra) -> WriteRequest:
    return WriteRequest(action=action, platform_order_id=order_id, idempotency_key=f"{action}:{order_id}", **extra)


def two_line_order(tb_shop, new_order, control) -> dict:
    catalog = control.get(f"/shops/taobao/{tb_shop['shop_id']}/catalog").json()
    return new_order(
        tb_shop,
        items=[{"sku_id": catalog[0]["sku_id"], "quantity": 1}, {"sku_id": catalog[1]["sku_id"], "quantity": 3}],
    )


async def test_ship_a_split_order_line_by_line(tb_shop, tb_client, new_order, control, truth, twin_view):
    placed = two_line_order(tb_shop, new_order, control)
    tid, client = placed["order_id"], tb_client(tb_shop)
    lines = ADAPTER.map_order(await ADAPTER.fetch_order(client, tid)).lines
    await ADAPTER.write_back(
        client, wb(WriteBack.SHIP, tid, carrier="SF", tracking_no="SF100", line_ids=(lines[0].platform_line_id,))
    )
    order = ADAPTER.map_order(await ADAPTER.fetch_order(client, tid))
    assert order.raw_status_code == "SELLER_CONSIGNED_PART" and order.status is OrderStatus.TO_SHIP
    await ADAPTER.write_back(
        client, wb(WriteBack.SHIP, tid, carrier="YD", tracking_no="YD200", line_ids=(lines[1].platform_line_id,))
    )
    order = ADAPTER.map_order(await ADAPTER.fetch_order(client, tid))
    assert order.raw_status_code == "WAIT_BUYER_CONFIRM_GOODS" and order.status is OrderStatus.SHIPPED
    view = await twin_view(tid=tid)
    assert {oid: p["company_code"] for oid, p in view["shipped"].items()} == {
        lines[0].platform_line_id: "SF",
        lines[1].platform_line_id: "YUNDA",  # our YD → TOP's company code
    }
    calls = control.get("/writebacks", params={"order_id": tid, "api": "taobao.logistics.offline.send"}).json()
    assert [c["params"]["sub_tid"] for c in calls] == [ln.platform_line_id for ln in lines]
    assert truth("taobao", tid)["stage"] == "delivering"


async def test_ship_whole_order_and_refusals(tb_shop, tb_client, new_order, control):
    tid, client = new_order(tb_shop)["order_id"], tb_client(tb_shop)
    before = len(requests_for(control, "taobao.logistics.offline.send"))
    with pytest.raises(PlatformError):  # our code has no TOP company: refused before any request
        await ADAPTER.write_back(client, wb(WriteBack.SHIP, tid, carrier="SELF", tracking_no="X1"))
    assert len(requests_for(control, "taobao.logistics.offline.send")) == before
    await ADAPTER.write_back(client, wb(WriteBack.SHIP, tid, carrier="ZTO", tracking_no="ZT1"))
    assert ADAPTER.map_order(await ADAPTER.fetch_order(client, tid)).status is OrderStatus.SHIPPED
    await ADAPTER.write_back(client, wb(WriteBack.SHIP, tid, carrier="ZTO", tracking_no="ZT1"))  # a retry: done
    assert len(control.get("/writebacks", params={"order_id": tid, "api": "taobao.logistics.offline.send"}).json()) == 1
    with pytest.raises(PlatformError) as info:  # shipped already, with another number
        await ADAPTER.write_back(client, wb(WriteBack.SHIP, tid, carrier="ZTO", tracking_no="ZT2"))
    assert info.value.code == "15" and not info.value.retryable and "logistics-repeat-send" in info.value.message


async def test_refund_agree_by_id_and_by_order(tb_shop, tb_client, new_order, control, truth):
    client = tb_client(tb_shop)
    first = new_order(tb_shop)["order_id"]
    refund_id = control.post(f"/orders/taobao/{first}/refund", json={"reason": "不想要了"}).json()["after_sales"][-1][
        "after_sale_id"
    ]
    await ADAPTER.write_back(client, wb(WriteBack.REFUND_AGREE, first, refund_id=refund_id))
    assert truth("taobao", first)["stage"] == "closed"
    await ADAPTER.write_back(client, wb(WriteBack.REFUND_AGREE, first, refund_id=refund_id))  # a retry: done
    (call,) = control.get("/writebacks", params={"order_id": first, "api": "taobao.rp.refunds.agree"}).json()
    assert call["params"]["refund_infos"].startswith(f"{refund_id}|")
    second = new_order(tb_shop)["order_id"]
    control.post(f"/orders/taobao/{second}/refund", json={"amount_fen": 50})
    await ADAPTER.write_back(client, wb(WriteBack.REFUND_AGREE, second))  # no id: the open request
    assert truth("taobao", second)["after_sales"][-1]["status"] == "refunded"
    (refund,) = await ADAPTER.fetch_refunds(client, second)
    assert refund.raw_status_code == "SUCCESS" and refund.amount_fen == 50 and refund.kind.value == "partial"


async def test_refund_refuse_with_a_reason_and_return_agree(tb_shop, tb_client, new_order, control, truth):
    client = tb_client(tb_shop)
    tid = new_order(tb_shop)["order_id"]
    control.post(f"/orders/taobao/{tid}/refund", json={})
    await ADAPTER.write_back(client, wb(WriteBack.REFUND_REJECT, tid, reason_code="4"))
    assert truth("taobao", tid)["after_sales"][-1]["status"] == "rejected"
    (call,) = control.get("/writebacks", params={"order_id": tid, "api": "taobao.rp.refund.refuse"}).json()
    assert call["params"]["refuse_reason_id"] == "4" and call["params"]["refuse_message"] == "与买家协商一致不退款"
    other = new_order(tb_shop)["order_id"]
    control.post(f"/orders/taobao/{other}/refund", json={"return_goods": True})
    await ADAPTER.write_back(client, wb(WriteBack.RETURN_AGREE, other))
    assert truth("taobao", other)["after_sales"][-1]["status"] == "return_agreed"
    (refund,) = await ADAPTER.fetch_refunds(client, other)
    assert refund.raw_status_code == "WAIT_BUYER_RETURN_GOODS" and refund.kind.value == "return_goods"
    await ADAPTER.write_back(client, wb(WriteBack.RETURN_AGREE, other))  # a retry finds it agreed: done
    assert len(control.get("/writebacks", params={"order_id": other, "api": "taobao.rp.returngoods.agree"}).json()) == 1
    with pytest.raises(PlatformError):  # the refusal came too late: the return is agreed
        await ADAPTER.write_back(client, wb(WriteBack.REFUND_REJECT, other, refund_id=refund.platform_refund_id))
    control.post(f"/orders/taobao/{other}/return_ship", json={"carrier": "中通快递", "waybill": "ZT99"})
    (refund,) = await ADAPTER.fetch_refunds(client, other)
    assert refund.raw_status_code == "WAIT_SELLER_CONFIRM_GOODS" and refund.return_waybill == "ZT99"
    await ADAPTER.write_back(client, wb(WriteBack.RECEIPT_CONFIRM, other))  # the goods are back: pay
    assert truth("taobao", other)["after_sales"][-1]["status"] == "refunded"
    assert truth("taobao", other)["stage"] == "closed"


async def test_memo_with_a_flag(tb_shop, tb_client, new_order, twin_view):
    tid, client = new_order(tb_shop)["order_id"], tb_client(tb_shop)
    await ADAPTER.write_back(client, wb(WriteBack.MEMO, tid, memo="加急，送赠品", flag="2"))
    assert (await twin_view(tid=tid))["memo"] == {"memo": "加急，送赠品", "flag": "2"}
    trade = await ADAPTER.fetch_order(client, tid)
    assert trade["seller_memo"] == "加急，送赠品" and trade["seller_flag"] == 2
    with pytest.raises(PlatformError):
        await ADAPTER.write_back(client, wb(WriteBack.MEMO, tid, memo="x", flag="9"))
    assert set(ADAPTER.profile.memo_flags) == {"0", "1", "2", "3", "4", "5"}


async def test_stock_update_and_product_pull(tb_shop, tb_client, tb_keys, control):
    client = tb_client(tb_shop)
    catalog = control.get(f"/shops/taobao/{tb_shop['shop_id']}/catalog").json()
    await ADAPTER.write_back(
        client,
        wb(
            WriteBack.STOCK_UPDATE,
            "",
            stock=((catalog[0]["item_id"], catalog[0]["sku_id"], 7), (catalog[1]["item_id"], catalog[1]["sku_id"], 0)),
        ),
    )
    skus = [s async for page in ADAPTER.pull_products(client, tb_keys(tb_shop)) for s in page.skus]
    assert len(skus) == len(catalog)
    by_sku = {s.platform_sku_id: s for s in skus}
    for product in catalog:
        sku = by_sku[product["sku_id"]]
        assert (sku.platform_item_id, sku.outer_sku_code, sku.barcode, sku.price_fen) == (
            product["item_id"], product["outer_code"], product["barcode"], product["price_fen"],
        )  # fmt: skip
    assert by_sku[catalog[0]["sku_id"]].stock == 7 and by_sku[catalog[1]["sku_id"]].stock == 0


SENDER = Address("启航仓", "02112345678", "上海", "上海市", "徐汇区", "漕溪北路 1 号")
RECEIVER = Address("林**", "*******1234", "浙江省", "杭州市", "西湖区", "文三路****")


async def test_waybill_issue_is_idempotent_and_cancel(tb_shop, tb_client, new_order, twin_view):
    tid, client = new_order(tb_shop)["order_id"], tb_client(tb_shop)
    request = WaybillRequest("ZTO", tid, f"obj-{tid}", SENDER, RECEIVER, (("矿泉水", 2),), 1200)
    first = await ADAPTER.waybills.issue(client, request)
    again = await ADAPTER.waybills.issue(client, request)
    assert first.tracking_no == again.tracking_no and first.carrier == "ZTO"
    assert (
        first.sort_code == "浙 571"
        and first.route_code == "杭州转运中心"
        and first.print_data["data"]["waybillCode"] == first.tracking_no
    )
    other = await ADAPTER.waybills.issue(client, WaybillRequest("ZTO", tid, f"obj2-{tid}", SENDER, RECEIVER))
    assert other.tracking_no != first.tracking_no
    await ADAPTER.waybills.cancel(client, "ZTO", first.tracking_no)
    assert first.tracking_no in (await twin_view(app_key=tb_shop["app_id"]))["cancelled_waybills"]
    with pytest.raises(PlatformError):
        await ADAPTER.waybills.cancel(client, "ZTO", first.tracking_no)
    with pytest.raises(PlatformError):  # 菜鸟 issues no number for the merchant's own riders
        await ADAPTER.waybills.issue(client, WaybillRequest("SELF", tid, "o3", SENDER, RECEIVER))
    assert set(ADAPTER.profile.waybill_carriers) >= {"ZTO", "YTO", "STO", "YD", "SF"}
