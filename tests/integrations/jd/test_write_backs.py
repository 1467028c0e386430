"""JD write-backs through the adapter against the twin: what the twin records and the order shows."""

from __future__ import annotations

import pytest

from integrations.base import PlatformError
from integrations.contract import Unsupported, WriteRequest
from integrations.jd.spec import CARRIER_IDS
from qihang_app.domain.partners import WriteBack
from tests.integrations.jd.conftest import collect


def _request(action: WriteBack, order_id: str, **extra) -> WriteRequest:
    return WriteRequest(action=action, platform_order_id=order_id, idempotency_key=f"{action}:{order_id}", **extra)


def _rows(control, order_id: str, api: str) -> list[dict]:
    return control.get("/writebacks", params={"platform": "jd", "order_id": order_id, "api": api}).json()


async def test_ship_maps_our_carrier_to_jd_ids_and_sends_every_parcel(
    jd, jd_shop, jd_client, new_order, truth, control
):
    order_id = new_order(jd_shop)["order_id"]
    client = jd_client(jd_shop, decrypt=False)
    await jd.write_back(
        client, _request(WriteBack.SHIP, order_id, carrier="ZTO", tracking_no="731234567890，731234567891")
    )
    (row,) = _rows(control, order_id, "shipment")
    assert row["params"]["logiCoprId"] == CARRIER_IDS["ZTO"] and row["params"]["logiNo"] == "731234567890,731234567891"
    assert truth("jd", order_id)["stage"] == "delivering"
    mapped = jd.map_order(await jd.fetch_order(client, order_id))
    assert mapped.status.value == "shipped" and mapped.raw_status_code == "WAIT_GOODS_RECEIVE_CONFIRM"
    with pytest.raises(PlatformError) as again:  # shipped already: JD refuses a second shipment
        await jd.write_back(client, _request(WriteBack.SHIP, order_id, carrier="ZTO", tracking_no="1"))
    assert again.value.code == "63"


async def test_split_parcels_by_line_are_refused_before_any_request(jd, jd_shop, jd_client, new_order, control):
    order_id = new_order(jd_shop)["order_id"]
    before = len(control.get("/requests", params={"platform": "jd"}).json())
    with pytest.raises(Unsupported):
        await jd.write_back(
            jd_client(jd_shop), _request(WriteBack.SHIP, order_id, carrier="SF", tracking_no="SF1", line_ids=("1",))
        )
    assert len(control.get("/requests", params={"platform": "jd"}).json()) == before
    assert jd.profile.splits_shipments is False


async def test_a_locked_order_cannot_ship(jd, jd_shop, jd_client, new_order, control):
    order_id = new_order(jd_shop)["order_id"]
    control.post(f"/orders/jd/{order_id}/refund", json={"reason": "不想要了"})
    client = jd_client(jd_shop, decrypt=False)
    assert (await jd.fetch_order(client, order_id))["orderState"] == "LOCKED"
    with pytest.raises(PlatformError) as info:
        await jd.write_back(client, _request(WriteBack.SHIP, order_id, carrier="SF", tracking_no="SF100"))
    assert info.value.code == "63" and not info.value.retryable


@pytest.mark.parametrize("agree", [True, False])
async def test_refund_agree_and_refuse(jd, jd_shop, jd_client, new_order, control, truth, agree):
    order_id = new_order(jd_shop)["order_id"]
    made = control.post(f"/orders/jd/{order_id}/refund", json={"reason": "拍错了"}).json()
    refund_id = made["after_sales"][-1]["after_sale_id"]
    action = WriteBack.REFUND_AGREE if agree else WriteBack.REFUND_REJECT
    extra = {} if agree else {"reason_code": "4", "reason": "已电话沟通"}
    await jd.write_back(jd_client(jd_shop), _request(action, order_id, refund_id=refund_id, **extra))
    (row,) = _rows(control, order_id, "refund_agree" if agree else "refund_reject")
    assert row["params"]["status"] == (1 if agree else 2)
    state = truth("jd", order_id)
    if agree:
        assert state["stage"] == "closed" and state["after_sales"][-1]["status"] == "refunded"
    else:
        assert row["params"]["rejectType"] == 4 and state["after_sales"][-1]["status"] == "rejected"


async def test_refund_reply_finds_the_open_application_without_an_id(jd, jd_shop, jd_client, new_order, control):
    order_id = new_order(jd_shop)["order_id"]
    control.post(f"/orders/jd/{order_id}/refund", json={"reason": "拍错了"})
    await jd.write_back(jd_client(jd_shop), _request(WriteBack.REFUND_REJECT, order_id, reason_code="99"))
    (row,) = _rows(control, order_id, "refund_reject")
    assert row["params"]["rejectType"] == 5  # not JD's code: 其他


async def test_return_agree(jd, jd_shop, jd_client, new_order, control, truth):
    order_id = new_order(jd_shop)["order_id"]
    client = jd_client(jd_shop)
    await jd.write_back(client, _request(WriteBack.SHIP, order_id, carrier="JD", tracking_no="JDVA0001"))
    control.post(f"/orders/jd/{order_id}/refund", json={"reason": "质量问题", "return_goods": True})
    await jd.write_back(client, _request(WriteBack.RETURN_AGREE, order_id))
    assert _rows(control, order_id, "return_agree")
    assert truth("jd", order_id)["after_sales"][-1]["status"] == "return_agreed"


async def test_memo_with_flag_shows_on_the_order(jd, jd_shop, jd_client, new_order, jd_inspect):
    order_id = new_order(jd_shop)["order_id"]
    client = jd_client(jd_shop, decrypt=False)
    await jd.write_back(client, _request(WriteBack.MEMO, order_id, memo="顺丰发货", flag="1"))
    assert jd_inspect()["memos"][order_id] == {"remark": "顺丰发货", "flag": "1"}
    raw = await jd.fetch_order(client, order_id)
    assert raw["venderRemark"] == "顺丰发货" and raw["flag"] == "1"
    assert jd.profile.memo_flags["1"] == ("红色", "Red")
    with pytest.raises(PlatformError):
        await jd.write_back(client, _request(WriteBack.MEMO, order_id, memo="x", flag="purple"))


async def test_stock_update_per_sku(jd, jd_shop, jd_client, control):
    catalog = control.get(f"/shops/jd/{jd_shop['shop_id']}/catalog").json()
    stock = ((catalog[0]["item_id"], catalog[0]["sku_id"], 7), (catalog[1]["item_id"], catalog[1]["sku_id"], 0))
    await jd.write_back(jd_client(jd_shop), _request(WriteBack.STOCK_UPDATE, "", stock=stock))
    after = {p["sku_id"]: p["stock"] for p in control.get(f"/shops/jd/{jd_shop['shop_id']}/catalog").json()}
    assert after[catalog[0]["sku_id"]] == 7 and after[catalog[1]["sku_id"]] == 0


async def test_undeclared_actions_are_unsupported(jd, jd_shop, jd_client):
    for action in (WriteBack.ACCEPT, WriteBack.REJECT, WriteBack.READY, WriteBack.PARTIAL_REFUND):
        with pytest.raises(Unsupported):
            await jd.write_back(jd_client(jd_shop), _request(action, "1"))


async def test_products_pull_reads_every_page(jd, make_shop, jd_keys, jd_client, control):
    shop = make_shop("jd", catalog=30)
    control.post(f"/shops/jd/{shop['shop_id']}/catalog", json={"count": 30})  # 60 SKUs: two pages of 50
    pages = await collect(jd.pull_products(jd_client(shop), jd_keys(shop)))
    skus = [s for p in pages for s in p.skus]
    catalog = control.get(f"/shops/jd/{shop['shop_id']}/catalog").json()
    assert len(pages) == 2 and pages[0].total == len(catalog) == len(skus)
    first = next(s for s in skus if s.platform_sku_id == catalog[0]["sku_id"])
    assert first.price_fen == catalog[0]["price_fen"] and first.outer_sku_code == catalog[0]["outer_code"]
    assert first.barcode == catalog[0]["barcode"] and first.stock == catalog[0]["stock"]
    assert first.platform_item_id == catalog[0]["item_id"]


async def test_check_connection(jd, jd_shop, jd_keys, jd_client, new_order):
    new_order(jd_shop)
    key, params = await jd.check_connection(jd_client(jd_shop), jd_keys(jd_shop))
    assert key == "shops.test.ok_orders" and params["n"] >= 1
