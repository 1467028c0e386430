"""Every MeituanClient call against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from integrations.base import PlatformError
from integrations.meituan.spec import ErrorCode, Path
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import DeliveryStatus


def writebacks(control, order_id: str, api: str) -> list[dict]:
    return control.get("/writebacks", params={"order_id": order_id, "api": api}).json()


async def test_confirm_order(control, meituan_shop, meituan_for, new_order, truth):
    order = new_order(meituan_shop)
    await meituan_for(meituan_shop).confirm_order(order["order_id"])
    assert truth("meituan", order["order_id"])["stage"] == "accepted"
    assert writebacks(control, order["order_id"], "confirm")


async def test_get_order_matches_the_sandbox_truth(meituan_shop, meituan_for, new_order):
    placed = new_order(meituan_shop)
    client = meituan_for(meituan_shop)
    raw = await client.get_order_detail(placed["order_id"])
    assert str(raw["order_id"]) == placed["order_id"] and raw["status"] == 2
    order = await client.get_order(placed["order_id"])
    assert order.platform_order_id == placed["order_id"]
    assert order.status == OrderStatus.AWAITING_ACCEPT
    assert order.paid_fen == placed["paid_fen"]
    assert order.goods_fen == placed["goods_fen"]
    assert order.freight_fen == placed["freight_fen"]
    assert order.packing_fen == placed["bag_fen"] + placed["box_fen"]
    assert order.platform_discount_fen == placed["platform_discount_fen"]
    assert order.merchant_discount_fen == placed["merchant_discount_fen"]
    assert order.merchant_receivable_fen == placed["receivable_fen"]
    assert (
        sum(line.discount_fen for line in order.lines)
        == placed["platform_discount_fen"] + placed["merchant_discount_fen"]
    )
    assert [line.platform_sku_id for line in order.lines] == [line["sku_id"] for line in placed["lines"]]
    assert order.day_seq == placed["day_seq"] and order.receiver_name == placed["receiver_name"]


async def test_cancel_order(control, meituan_shop, meituan_for, new_order, truth):
    order = new_order(meituan_shop)
    await meituan_for(meituan_shop).cancel_order(order["order_id"], 2007, "商品已售完")
    after = truth("meituan", order["order_id"])
    assert after["stage"] == "cancelled" and after["cancel"]["reason"] == "商品已售完"
    assert writebacks(control, order["order_id"], "cancel")[0]["params"]["reason_code"] == "2007"


async def test_preparation_meal_complete(meituan_shop, meituan_for, new_order, truth):
    order = new_order(meituan_shop)
    client = meituan_for(meituan_shop)
    await client.confirm_order(order["order_id"])
    await client.preparation_meal_complete(order["order_id"])
    assert truth("meituan", order["order_id"])["prepared_at"]


async def test_logistics_sync_for_self_delivery(control, meituan_shop, meituan_for, new_order, truth):
    order = new_order(meituan_shop, delivery_type="merchant")
    client = meituan_for(meituan_shop)
    await client.confirm_order(order["order_id"])
    await client.logistics_sync(
        order["order_id"],
        DeliveryStatus.DELIVERING,
        courier_name="赵师傅",
        courier_phone="13900000000",
        logistics_provider_code="10002",
        latitude=31.2,
        longitude=121.4,
    )
    await client.logistics_sync(order["order_id"], 40)
    after = truth("meituan", order["order_id"])
    assert [step["code"] for step in after["logistics"]] == [20, 40]
    assert after["stage"] == "completed"
    sent = writebacks(control, order["order_id"], "logistics_sync")[0]["params"]
    assert sent["courier_name"] == "赵师傅" and sent["logistics_provider_code"] == "10002"


async def test_retail_list_and_all_skus(meituan_for, make_shop):
    shop = make_shop("meituan", catalog=7)
    client = meituan_for(shop)
    page = await client.retail_list(shop["shop_id"], offset=0, limit=5)
    assert len(page) == 5 and {"app_food_code", "name", "skus"} <= page[0].keys()
    skus = await client.list_skus(shop["shop_id"], page_size=3)
    assert len(skus) == 7 and all(s.price_fen > 0 and s.barcode.startswith("69") for s in skus)


async def test_sku_stock(control, meituan_shop, meituan_for):
    client = meituan_for(meituan_shop)
    sku = (await client.list_skus(meituan_shop["shop_id"]))[0]
    await client.sku_stock(
        meituan_shop["shop_id"],
        [{"app_food_code": sku.platform_item_id, "skus": [{"sku_id": sku.platform_sku_id, "stock": "7"}]}],
    )
    catalog = control.get(f"/shops/meituan/{meituan_shop['shop_id']}/catalog").json()
    assert next(p["stock"] for p in catalog if p["sku_id"] == sku.platform_sku_id) == 7
    with pytest.raises(PlatformError) as info:  # unknown SKU: nothing applied, 808
        await client.sku_stock(
            meituan_shop["shop_id"], [{"app_food_code": "NOPE", "skus": [{"sku_id": "NOPE", "stock": "1"}]}]
        )
    assert info.value.code == str(ErrorCode.STATE_CONFLICT)


@pytest.mark.parametrize("agree", [True, False])
async def test_refund_agree_and_reject(control, meituan_shop, meituan_for, new_order, truth, agree):
    order = new_order(meituan_shop)
    client = meituan_for(meituan_shop)
    await client.confirm_order(order["order_id"])
    control.post(f"/orders/meituan/{order['order_id']}/refund", json={"reason": "少送商品"})
    if agree:
        await client.refund_agree(order["order_id"], "同意退款")
    else:
        await client.refund_reject(order["order_id"], "商品已送达且完好")
    after = truth("meituan", order["order_id"])
    assert after["after_sales"][-1]["status"] == ("refunded" if agree else "rejected")
    assert after["stage"] == ("closed" if agree else "accepted")
    with pytest.raises(PlatformError) as info:  # no open request any more
        await client.refund_agree(order["order_id"], "again")
    assert info.value.code == str(ErrorCode.STATE_CONFLICT)


async def test_recovery_sweep_by_day_seq(meituan_for, make_shop, new_order):
    shop = make_shop("meituan")
    orders = [new_order(shop, push=False) for _ in range(3)]
    client = meituan_for(shop)
    latest = await client.get_order_day_seq(shop["shop_id"])
    assert latest == 3
    today = int(datetime.now(SHANGHAI).strftime("%Y%m%d"))
    found = [await client.get_order_id_by_day_seq(shop["shop_id"], today, seq) for seq in range(1, latest + 1)]
    assert found == [o["order_id"] for o in orders]


async def test_unknown_order_is_806(meituan_shop, meituan_for):
    with pytest.raises(PlatformError) as info:
        await meituan_for(meituan_shop).confirm_order("1")
    assert info.value.code == "806" and not info.value.retryable


async def test_state_conflict_is_808(meituan_shop, meituan_for, new_order):
    order = new_order(meituan_shop)
    client = meituan_for(meituan_shop)
    await client.cancel_order(order["order_id"], 1, "缺货")
    with pytest.raises(PlatformError) as info:
        await client.confirm_order(order["order_id"])
    assert info.value.code == "808" and "cancelled" in info.value.message


async def test_bad_sig_is_703(meituan_shop, meituan_for, new_order):
    order = new_order(meituan_shop)
    with pytest.raises(PlatformError) as info:
        await meituan_for(meituan_shop, secret="wrong").confirm_order(order["order_id"])
    assert info.value.code == "703"


async def test_unknown_app_id_is_702(meituan_shop, meituan_for):
    with pytest.raises(PlatformError) as info:
        await meituan_for(meituan_shop, app_id="999999").confirm_order("1")
    assert info.value.code == "702"


async def test_missing_param_is_701(meituan_shop, meituan_for):
    with pytest.raises(PlatformError) as info:
        await meituan_for(meituan_shop).call(Path.CANCEL, {"order_id": "1"})
    assert info.value.code == "701"


async def test_other_apps_orders_are_invisible(make_shop, meituan_for, new_order):
    mine, theirs = make_shop("meituan"), make_shop("meituan")
    order = new_order(theirs)
    with pytest.raises(PlatformError) as info:
        await meituan_for(mine).get_order_detail(order["order_id"])
    assert info.value.code == "806"


async def test_call_log_has_no_secrets(caplog, meituan_shop, meituan_for, new_order):
    order = new_order(meituan_shop)
    with caplog.at_level(logging.INFO, logger="integrations.calls"):
        await meituan_for(meituan_shop).confirm_order(order["order_id"])
        with pytest.raises(PlatformError):
            await meituan_for(meituan_shop, secret="wrong-secret").confirm_order("1")
    lines = [r.getMessage() for r in caplog.records if r.name == "integrations.calls"]
    assert any(
        "method=order/confirm" in line
        and "result=ok" in line
        and "latency_ms=" in line
        and f"shop={meituan_shop['shop_id']}" in line
        for line in lines
    )
    assert any("result=703" in line for line in lines)
    text = "\n".join(lines)
    assert meituan_shop["secret"] not in text and "wrong-secret" not in text and "sig=" not in text
