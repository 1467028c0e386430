"""Intake against the twin over loopback: the increment pull's window and paging rules, the trade
mapping (yuan → fen, statuses, sub-orders), masked receivers and OAID decrypt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PlatformError
from integrations.contract import PullWindow
from integrations.taobao import pulls
from integrations.taobao.spec import Method
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.partners import WriteBack
from qihang_app.domain.platform_order import DeliveryType
from tests.integrations.taobao.conftest import ADAPTER, requests_for


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


async def pull_all(client, keys, start, end) -> tuple[list[dict], int]:
    trades, requests = [], 0
    async for page in ADAPTER.pull(client, keys, PullWindow(start, end, sweep=True), None):
        trades.extend(page.orders)
        requests += page.requests
    return trades, requests


def test_windows_longer_than_a_day_are_cut():
    start = datetime.now(UTC) - timedelta(days=10)
    cut = pulls.slices(start, start + timedelta(days=2, hours=12))
    assert len(cut) == 3 and cut[0][0] == start and cut[-1][1] == start + timedelta(days=2, hours=12)
    assert all(b - a <= timedelta(days=1) for a, b in cut)
    assert all(cut[i][1] == cut[i + 1][0] for i in range(len(cut) - 1))  # contiguous, boundary in both
    assert pulls.slices(start, start) == [(start, start)]
    old = pulls.slices(datetime.now(UTC) - timedelta(days=120), datetime.now(UTC) - timedelta(days=88))
    assert len(old) == 2 and old[0][0] > datetime.now(UTC) - timedelta(days=90)  # TOP keeps 3 months


async def test_a_three_day_pull_makes_one_query_per_day(tb_shop, tb_client, tb_keys, new_order, control):
    placed = new_order(tb_shop)
    client = tb_client(tb_shop)
    before = len(requests_for(control, Method.TRADES_INCREMENT))
    end = at(placed["updated_at"] + 1)
    trades, _ = await pull_all(client, tb_keys(tb_shop), end - timedelta(days=3), end)
    assert [t["tid"] for t in trades] == [placed["order_id"]]
    assert len(requests_for(control, Method.TRADES_INCREMENT)) - before == 3


async def test_the_twin_refuses_more_than_a_day(tb_shop, tb_client):
    client = tb_client(tb_shop)
    end = datetime.now(UTC)
    ok = await client.call(Method.TRADES_INCREMENT, {"start_modified": end - timedelta(days=1), "end_modified": end})
    assert ok["total_results"] == 0 and ok["trades"] == {"trade": []}
    with pytest.raises(PlatformError) as info:
        await client.call(
            Method.TRADES_INCREMENT, {"start_modified": end - timedelta(days=1, seconds=1), "end_modified": end}
        )
    assert info.value.code == "15" and "isv.invalid-parameter" in info.value.message


async def test_the_boundary_second_is_in_both_windows(tb_shop, tb_client, tb_keys, new_order):
    placed = new_order(tb_shop)
    edge = at(placed["updated_at"])
    client, keys = tb_client(tb_shop), tb_keys(tb_shop)
    before, _ = await pull_all(client, keys, edge - timedelta(minutes=5), edge)
    after, _ = await pull_all(client, keys, edge, edge + timedelta(minutes=5))
    assert [t["tid"] for t in before] == [t["tid"] for t in after] == [placed["order_id"]]


async def test_an_empty_window_is_one_empty_page(tb_shop, tb_client, tb_keys):
    start = datetime.now(UTC) - timedelta(hours=3)
    pages = [
        p
        async for p in ADAPTER.pull(
            tb_client(tb_shop), tb_keys(tb_shop), PullWindow(start, start + timedelta(hours=1), True), None
        )
    ]
    assert len(pages) == 1 and pages[0].orders == []


async def test_paging_from_the_end_loses_no_row_that_moves(tb_shop, tb_client, tb_keys, new_order, monkeypatch):
    """A trade changed mid-pull leaves the window; reading the last page first means the rows that
    shift up land on pages still to be read (TOP's own advice for this API)."""
    monkeypatch.setattr(pulls, "PAGE_SIZE", 2)
    placed = [new_order(tb_shop) for _ in range(5)]
    end = at(max(o["updated_at"] for o in placed))
    client, keys = tb_client(tb_shop, decrypt=False), tb_keys(tb_shop)
    real_call, pages_seen, moved = client.call, [], []

    async def call(method, params=None, **kw):
        data = await real_call(method, params, **kw)
        if method == Method.TRADES_INCREMENT:
            pages_seen.append(params["page_no"])
            if len(pages_seen) == 1:
                moved.append(data["trades"]["trade"][0]["tid"])  # the newest row on page 1
            if len(pages_seen) == 2:  # after the last page: the newest trade changes (a memo)
                await ADAPTER.write_back(client, _memo(moved[0]))
        return data

    client.call = call
    trades, requests = await pull_all(client, keys, end - timedelta(minutes=5), end)
    assert pages_seen == [1, 3, 2, 1]
    expected = {o["order_id"] for o in placed} - set(moved)
    assert expected <= {t["tid"] for t in trades}
    assert requests == 4


def _memo(tid: str):
    from integrations.contract import WriteRequest

    return WriteRequest(action=WriteBack.MEMO, platform_order_id=tid, idempotency_key="m", memo="改地址", flag="1")


async def test_map_order_money_status_and_sub_orders(tb_shop, tb_client, new_order, control):
    catalog = control.get(f"/shops/taobao/{tb_shop['shop_id']}/catalog").json()
    items = [{"sku_id": catalog[0]["sku_id"], "quantity": 2}, {"sku_id": catalog[1]["sku_id"], "quantity": 1}]
    placed = new_order(tb_shop, items=items)
    client = tb_client(tb_shop)
    order = ADAPTER.map_order(await ADAPTER.fetch_order(client, placed["order_id"]))
    assert order.platform_order_id == placed["order_id"] and order.platform_shop_id == tb_shop["shop_id"]
    assert order.status is OrderStatus.TO_SHIP and order.raw_status_code == "WAIT_SELLER_SEND_GOODS"
    assert order.delivery_type is DeliveryType.EXPRESS and order.ship_deadline_at > order.placed_at
    assert order.goods_fen == placed["goods_fen"] and order.freight_fen == placed["freight_fen"]
    assert order.paid_fen == placed["paid_fen"]
    assert order.merchant_discount_fen == placed["merchant_discount_fen"]
    assert order.platform_discount_fen == placed["platform_discount_fen"]
    assert [(ln.platform_sku_id, ln.quantity) for ln in order.lines] == [(i["sku_id"], i["quantity"]) for i in items]
    assert [ln.unit_price_fen for ln in order.lines] == [ln["unit_price_fen"] for ln in placed["lines"]]
    assert sum(ln.paid_fen for ln in order.lines) == placed["goods_fen"] - sum(
        ln["discount_fen"] for ln in placed["lines"]
    )
    assert len({ln.platform_line_id for ln in order.lines}) == 2 and all(ln.refund_status == "" for ln in order.lines)
    control.post(f"/orders/taobao/{placed['order_id']}/refund", json={"amount_fen": 100})
    order = ADAPTER.map_order(await ADAPTER.fetch_order(client, placed["order_id"]))
    assert [ln.refund_status for ln in order.lines] == ["WAIT_SELLER_AGREE", ""]  # partial: the first line


async def test_statuses_follow_the_trade(tb_shop, tb_client, new_order, control):
    client = tb_client(tb_shop)
    placed = new_order(tb_shop)
    control.post(f"/orders/taobao/{placed['order_id']}/cancel", json={})
    order = ADAPTER.map_order(await ADAPTER.fetch_order(client, placed["order_id"]))
    assert order.status is OrderStatus.CLOSED and order.raw_status_code == "TRADE_CLOSED"


async def test_receivers_are_decrypted_only_with_the_permission(tb_shop, tb_client, new_order, control):
    placed = new_order(tb_shop)
    before = len(requests_for(control, Method.OAID_DECRYPT))
    masked = ADAPTER.map_order(await ADAPTER.fetch_order(tb_client(tb_shop, decrypt=False), placed["order_id"]))
    assert masked.receiver_phone == "*******" + placed["receiver_phone"][-4:]
    assert masked.receiver_name.endswith("**") and placed["address"] not in masked.receiver_address
    assert len(requests_for(control, Method.OAID_DECRYPT)) == before  # no decrypt call without the permission
    real = ADAPTER.map_order(await ADAPTER.fetch_order(tb_client(tb_shop, decrypt=True), placed["order_id"]))
    assert real.receiver_phone == placed["receiver_phone"] and real.receiver_name == placed["receiver_name"]
    assert placed["address"] in real.receiver_address
    assert len(requests_for(control, Method.OAID_DECRYPT)) == before + 1


async def test_a_pull_decrypts_a_page_in_one_call(tb_shop, tb_client, tb_keys, new_order, control):
    placed = [new_order(tb_shop) for _ in range(3)]
    before = len(requests_for(control, Method.OAID_DECRYPT))
    end = at(max(o["updated_at"] for o in placed))
    trades, requests = await pull_all(tb_client(tb_shop), tb_keys(tb_shop), end - timedelta(minutes=5), end)
    assert {t["receiver_mobile"] for t in trades} == {o["receiver_phone"] for o in placed}
    assert len(requests_for(control, Method.OAID_DECRYPT)) == before + 1 and requests == 2


def test_the_receiver_address_names_each_part_once():
    from integrations.taobao.mapping import _address

    assert _address(["上海", "上海市", "", "上海市虹口区南京西路477号"]) == "上海市虹口区南京西路477号"
    assert _address(["上海", "上海市", "虹口区", "南京西路8号"]) == "上海市虹口区南京西路8号"
    assert _address(["浙江省", "杭州市", "西湖区", "文三路90号"]) == "浙江省杭州市西湖区文三路90号"
