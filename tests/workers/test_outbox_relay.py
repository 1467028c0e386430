"""The outbox relay performs board actions on each platform's sandbox twin through its adapter:
own-rider delivery reaches 抖音来客 in its own codes, and what a platform has no call for is
never queued (so it can neither fail nor pretend)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from qihang_app.models import Order, OutboxMessage
from qihang_app.services import dispatch
from tests.ingest_support import drain_all, wait_until
from workers.tasks.outbox import relay_outbox

pytestmark = pytest.mark.timeout(60)


def _own_delivery_flow(oms, pair) -> Order:
    placed = oms.new_order(pair, delivery_type="merchant")
    oms.sandbox.wait_pushes()
    return placed


@pytest.mark.parametrize("platform", ["meituan", "douyin_laike"])
async def test_own_rider_flow_is_written_back_in_the_platforms_codes(oms, ctx, platform):
    pair = oms.add_shop(platform)
    placed = _own_delivery_flow(oms, pair)
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    with Session(oms.engine) as session:
        for step in (dispatch.accept, dispatch.mark_ready, dispatch.dispatch_self, dispatch.mark_delivered):
            step(session, actor=oms.admin, order_id=order.id)
            session.commit()
            await relay_outbox(ctx)
    rows = _outbox(oms, order.id)
    assert rows and all(r.status == "done" for r in rows), [(r.kind, r.last_error) for r in rows]
    truth = oms.sandbox.control.get(f"/orders/{platform}/{placed['order_id']}").json()
    assert truth["stage"] == "completed"
    written = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    if platform == "douyin_laike":
        # 抖音来客 takes behavior 1–5 (3 delivering, 4 delivered), not Meituan's 20 / 40.
        assert [w["params"]["behavior"] for w in written if w["api"] == "sync_status"] == [3, 4]
        # It has no "packed" call: nothing was queued for it.
        assert not [r for r in rows if '"ready"' in r.payload]
    else:
        assert [int(w["params"]["logistics_status"]) for w in written if w["api"] == "logistics_sync"] == [20, 40]
        assert [w["api"] for w in written][:2] == ["confirm", "prepared"]
    assert all(r.idempotency_key for r in rows)


async def test_a_platform_without_a_reject_call_refuses_reject(oms, ctx):
    pair = oms.add_shop("douyin_laike")
    oms.new_order(pair)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    with Session(oms.engine) as session:
        with pytest.raises(dispatch.ValidationError, match="no reject call"):
            dispatch.reject(session, actor=oms.admin, order_id=order.id, reason_code="1001")
    assert _outbox(oms, order.id) == []


async def test_an_unreachable_write_back_ends_dead_with_the_platforms_words(oms, ctx):
    pair = oms.add_shop("meituan")
    placed = oms.new_order(pair)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    oms.sandbox.control.post(f"/orders/meituan/{placed['order_id']}/cancel", json={"by": "user"})
    with Session(oms.engine) as session:
        dispatch.accept(session, actor=oms.admin, order_id=order.id)
        session.commit()
    await relay_outbox(ctx)
    assert await wait_until(lambda: _outbox(oms, order.id)[0].status == "dead", 5)
    with Session(oms.engine) as session:
        again = session.get(Order, order.id)
        assert again.action_error and again.status == "awaiting_accept"


def _outbox(oms, order_id: int) -> list[OutboxMessage]:
    with Session(oms.engine) as session:
        return list(
            session.exec(
                select(OutboxMessage).where(OutboxMessage.order_id == order_id).order_by(OutboxMessage.id)
            ).all()
        )
