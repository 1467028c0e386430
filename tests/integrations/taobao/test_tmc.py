"""TMC over the twin's long-lived connection: messages as they are published, confirm, redelivery
of what was not confirmed; parse_push into thin order events and refund events; the refund pull."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from integrations.contract import PullWindow
from integrations.taobao.tmc import TaobaoTmc, parse_push
from qihang_app.domain.platform_order import EventKind, RefundStatus
from tests.integrations.taobao.conftest import ADAPTER


async def collect(stream, client, keys, *, want: int, timeout: float = 5.0) -> list:
    got = []

    async def run():
        async for batch in stream.messages(client, keys):
            got.extend(batch)
            if len(got) >= want:
                return

    await asyncio.wait_for(run(), timeout)
    return got


async def test_messages_arrive_over_one_connection_and_confirm(tb_shop, tb_client, tb_keys, new_order, twin_view):
    keys, client = tb_keys(tb_shop), tb_client(tb_shop)
    stream = TaobaoTmc(max_seconds=4)
    placed = new_order(tb_shop)
    got = await collect(stream, client, keys, want=2)
    assert [m.kind for m in got] == ["taobao_trade_TradeCreate", "taobao_trade_TradeBuyerPay"]
    assert {m.shop_key for m in got} == {tb_shop["shop_id"]} and len({m.dedup_key for m in got}) == 2
    message = json.loads(got[0].body)
    assert set(message) >= {"id", "topic", "content", "pub_time", "user_nick"}
    assert json.loads(message["content"])["tid"] == placed["order_id"]
    await ADAPTER.stream.confirm(client, keys, [got[0].confirm_id])
    view = await twin_view(app_key=tb_shop["app_id"])
    assert view["tmc_confirmed"] == 1 and view["tmc_pending"] == 1
    again = await collect(stream, client, keys, want=1)  # a new connection: the unconfirmed one again
    assert [m.dedup_key for m in again] == [got[1].dedup_key]
    await ADAPTER.stream.confirm(client, keys, [m.confirm_id for m in again])
    assert (await twin_view(app_key=tb_shop["app_id"]))["tmc_pending"] == 0


async def test_a_message_published_while_connected_arrives(tb_shop, tb_client, tb_keys, new_order):
    keys, client = tb_keys(tb_shop), tb_client(tb_shop)
    task = asyncio.create_task(collect(TaobaoTmc(max_seconds=4), client, keys, want=2))
    await asyncio.sleep(0.3)  # connected and idle
    await asyncio.to_thread(new_order, tb_shop)
    got = await task
    assert [m.kind for m in got] == ["taobao_trade_TradeCreate", "taobao_trade_TradeBuyerPay"]


async def test_parse_push_trade_messages_are_thin(tb_shop, tb_client, tb_keys, new_order):
    keys, client = tb_keys(tb_shop), tb_client(tb_shop)
    placed = new_order(tb_shop)
    got = await collect(TaobaoTmc(max_seconds=4), client, keys, want=2)
    parsed = ADAPTER.parse_push(got[1].kind, got[1].body)
    (event,) = parsed.events
    assert event.kind is EventKind.ORDER_REF and event.needs_detail
    assert event.platform_order_id == placed["order_id"] and event.platform_shop_id == tb_shop["shop_id"]
    assert event.raw_type == "taobao_trade_TradeBuyerPay" and parsed.source == "tmc taobao_trade_TradeBuyerPay"
    assert event.occurred_at is not None and event.occurred_at.tzinfo is not None


async def test_parse_push_refund_messages(tb_shop, tb_client, tb_keys, new_order, control):
    keys, client = tb_keys(tb_shop), tb_client(tb_shop)
    placed = new_order(tb_shop)
    first = await collect(TaobaoTmc(max_seconds=4), client, keys, want=2)
    await ADAPTER.stream.confirm(client, keys, [m.confirm_id for m in first])
    control.post(f"/orders/taobao/{placed['order_id']}/refund", json={"reason": "少发"})
    (message,) = await collect(TaobaoTmc(max_seconds=4), client, keys, want=1)
    assert message.kind == "taobao_refund_RefundCreated"
    (event,) = parse_push(message.kind, message.body).events
    assert event.kind is EventKind.REFUND and event.refund.status is RefundStatus.APPLIED
    assert event.refund.platform_order_id == placed["order_id"] and event.refund.amount_fen is None


def test_parse_push_of_the_briefs_topic_spelling():
    body = json.dumps(
        {
            "id": "1",
            "topic": "taobao_refund_RefundCreate",
            "pub_time": "2026-11-27 12:00:00",
            "user_nick": "n",
            "content": json.dumps({"tid": 3000000000000000001, "refund_id": 7001, "seller_nick": "n"}),
        }
    )
    (event,) = parse_push("taobao_refund_RefundCreate", body).events
    assert event.refund.platform_refund_id == "7001" and event.platform_order_id == "3000000000000000001"
    assert event.occurred_at == datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


async def test_refund_pull_maps_refunds_in_the_window(tb_shop, tb_client, tb_keys, new_order, control):
    placed = new_order(tb_shop)
    made = control.post(f"/orders/taobao/{placed['order_id']}/refund", json={"return_goods": True}).json()
    after_sale = made["after_sales"][-1]
    end = datetime.fromtimestamp(after_sale["updated_at"], UTC)
    pages = [
        p
        async for p in ADAPTER.refund_pull.pull(
            tb_client(tb_shop), tb_keys(tb_shop), PullWindow(end - timedelta(days=2), end, sweep=True)
        )
    ]
    refunds = [r for p in pages for r in p.refunds]
    assert [r.platform_refund_id for r in refunds] == [after_sale["after_sale_id"]]
    (refund,) = refunds
    assert refund.status is RefundStatus.APPLIED and refund.kind.value == "return_goods"
    assert refund.amount_fen == placed["paid_fen"] and refund.deadline_at > refund.updated_at
    assert refund.lines and refund.lines[0].platform_item_id == placed["lines"][0]["item_id"]
