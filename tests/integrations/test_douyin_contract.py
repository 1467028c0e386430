"""Every DouyinLaikeClient call against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PlatformError
from integrations.douyin_laike.spec import ErrorCode, TokenErrorCode
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import DeliveryStatus


def token_requests(control) -> int:
    return len(control.get("/requests", params={"path": "/oauth/client_token/"}).json())


async def test_token_is_fetched_once_and_reused(control, douyin_shop, douyin_for, new_order):
    order = new_order(douyin_shop)
    client = douyin_for(douyin_shop)
    before = token_requests(control)
    await client.get_order_raw(order["order_id"])
    await client.get_order_raw(order["order_id"])
    assert token_requests(control) - before == 1 and client.tokens.refresh_count == 1


async def test_merchant_confirm_order(control, douyin_shop, douyin_for, new_order, truth):
    order = new_order(douyin_shop)
    await douyin_for(douyin_shop).merchant_confirm_order(order["order_id"])
    assert truth("douyin_laike", order["order_id"])["stage"] == "accepted"
    assert control.get("/writebacks", params={"order_id": order["order_id"], "api": "confirm"}).json()


async def test_get_order_matches_the_sandbox_truth(douyin_shop, douyin_for, new_order):
    placed = new_order(douyin_shop)
    order = await douyin_for(douyin_shop).get_order(placed["order_id"])
    assert order.platform_order_id == placed["order_id"]
    assert order.status == OrderStatus.AWAITING_ACCEPT
    assert order.paid_fen == placed["paid_fen"] and order.goods_fen == placed["goods_fen"]
    assert order.packing_fen == placed["bag_fen"] + placed["box_fen"]
    assert order.platform_discount_fen + order.merchant_discount_fen == sum(line.discount_fen for line in order.lines)
    assert order.merchant_receivable_fen == placed["receivable_fen"]
    assert [line.outer_sku_code for line in order.lines] == [line["outer_code"] for line in placed["lines"]]
    assert order.receiver_phone.count("*") == 4


async def test_query_pages_by_update_time(douyin_for, make_shop, new_order):
    shop = make_shop("douyin_laike")
    start = datetime.now(UTC) - timedelta(seconds=5)
    placed = [new_order(shop) for _ in range(5)]
    client = douyin_for(shop)
    page = await client.query_orders(page_num=1, page_size=2, update_time_start=start)
    assert page.total == 5 and len(page.orders) == 2
    found = await client.orders_updated_between(start, datetime.now(UTC) + timedelta(seconds=5), page_size=2)
    assert sorted(o["order_id"] for o in found) == sorted(o["order_id"] for o in placed)
    future = datetime.now(UTC) + timedelta(hours=1)
    assert await client.orders_updated_between(future, future + timedelta(hours=1)) == []


async def test_sync_delivery_status(control, douyin_shop, douyin_for, new_order, truth):
    order = new_order(douyin_shop, delivery_type="merchant")
    client = douyin_for(douyin_shop)
    await client.merchant_confirm_order(order["order_id"])
    await client.sync_delivery_status(
        order["order_id"],
        DeliveryStatus.RIDER_ACCEPTED,
        rider_name="孙师傅",
        rider_phone="13700000000",
        three_source="dada",
        accept_time=datetime.now(UTC),
    )
    await client.sync_delivery_status(order["order_id"], DeliveryStatus.DELIVERED)
    after = truth("douyin_laike", order["order_id"])
    assert [s["step"] for s in after["logistics"]] == ["rider_accepted", "delivered"]
    assert after["stage"] == "completed"


@pytest.mark.parametrize("agree", [True, False])
async def test_after_sale_audit(control, douyin_shop, douyin_for, new_order, truth, agree):
    order = new_order(douyin_shop)
    client = douyin_for(douyin_shop)
    await client.merchant_confirm_order(order["order_id"])
    after_sale = control.post(f"/orders/douyin_laike/{order['order_id']}/refund", json={"reason": "商品破损"}).json()[
        "after_sales"
    ][-1]
    if agree:
        await client.refund_agree(after_sale["after_sale_id"])
    else:
        await client.refund_reject(after_sale["after_sale_id"], "已核实完好")
    after = truth("douyin_laike", order["order_id"])
    assert after["after_sales"][-1]["status"] == ("refunded" if agree else "rejected")
    assert (await client.get_order(order["order_id"])).status == (OrderStatus.CLOSED if agree else OrderStatus.TO_SHIP)


async def test_bad_secret_is_refused_by_the_token_endpoint(douyin_shop, douyin_for):
    with pytest.raises(PlatformError) as info:
        await douyin_for(douyin_shop, secret="wrong").query_orders()
    assert info.value.code == str(TokenErrorCode.BAD_SECRET) and not info.value.retryable


async def test_other_accounts_are_refused(make_shop, douyin_for):
    mine, theirs = make_shop("douyin_laike"), make_shop("douyin_laike")
    with pytest.raises(PlatformError) as info:
        await douyin_for(mine, account_id=theirs["shop_id"]).query_orders()
    assert info.value.code == str(ErrorCode.NO_PERMISSION)


async def test_unknown_order_and_state_conflict(douyin_shop, douyin_for, new_order, control):
    client = douyin_for(douyin_shop)
    with pytest.raises(PlatformError) as info:
        await client.merchant_confirm_order("404")
    assert info.value.code == str(ErrorCode.ORDER_NOT_FOUND)
    order = new_order(douyin_shop)
    control.post(f"/orders/douyin_laike/{order['order_id']}/cancel", json={})
    with pytest.raises(PlatformError) as info:
        await client.merchant_confirm_order(order["order_id"])
    assert info.value.code == str(ErrorCode.STATE_CONFLICT)


async def test_only_the_newest_two_tokens_stay_valid(douyin_shop, douyin_for):
    clients = [douyin_for(douyin_shop) for _ in range(3)]
    for client in clients:
        await client.query_orders()
    first = clients[0]
    started = time.monotonic()
    await first.query_orders()  # its token was revoked: it fetches a new one and succeeds
    assert first.tokens.refresh_count == 2 and time.monotonic() - started < 5
