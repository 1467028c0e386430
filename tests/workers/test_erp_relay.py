"""ERP pushes through the outbox relay to the sandbox's QiHang ERP twin over loopback HTTP: the twin
is down, slow and flaky for a while, and afterwards every push was delivered exactly once per
idempotency key, none lost, with the backoff visible on the rows; a push that runs out of attempts
is dead, visible and re-pushable; the twin ships and the order and the platform hear of it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.messages import decode
from qihang_app.models import ErpOrderState, Order, OutboxMessage, utcnow
from qihang_app.services import dispatch, erp_manual, outbox
from tests.erp_support import connect_twin, linked_order, new_keys, twin, twin_reset, twin_truth
from tests.ingest_support import drain_all, wait_until
from workers.tasks.outbox import relay_outbox

pytestmark = pytest.mark.timeout(120)
ORDERS = 12


def _erp_rows(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(
            session.exec(select(OutboxMessage).where(OutboxMessage.kind.like("erp_%")).order_by(OutboxMessage.id))
        )


def _time_passes(engine) -> None:
    """What the backoff waits for, without waiting: every pending ERP row is due now."""
    with Session(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.kind.like("erp_%"), OutboxMessage.status == "pending")
            .values(next_attempt_at=utcnow())
        )
        session.commit()


@pytest.fixture
def erp(oms):
    twin_reset(oms)
    key, secret = new_keys()
    pair = oms.add_shop("meituan")
    return oms, pair, connect_twin(oms, key=key, secret=secret)


async def test_an_erp_down_slow_and_flaky_gets_every_push_exactly_once(erp, ctx):
    oms, pair, _ = erp
    orders = [linked_order(oms, pair, no=f"R-{i}") for i in range(ORDERS)]
    twin(oms, seed=3, flaky_ratio=0.5, delay_ms=200)
    waits: list[tuple[int, float]] = []  # (attempts so far, seconds until the next one)
    for mode in ("down", "flaky", "flaky", "slow", "ok"):
        twin(oms, mode=mode)
        failed_at = utcnow()
        await relay_outbox(ctx)
        for row in _erp_rows(oms.engine):
            if row.status == "pending":  # failed this round: waiting for its backoff
                waits.append((row.attempts, (row.next_attempt_at - failed_at).total_seconds()))
                assert decode(row.last_error)[0] == "erp_err.unavailable" and "503" in row.last_error
        _time_passes(oms.engine)
    rows = _erp_rows(oms.engine)
    assert len(rows) == ORDERS and all(r.status == "done" for r in rows), [(r.status, r.attempts) for r in rows]
    truth = twin_truth(oms)
    keys = {r.idempotency_key for r in rows}
    assert set(truth["received"]) == keys  # none lost, none extra
    assert all(truth["deliveries"][k] == 1 for k in keys)  # accepted exactly once each
    assert sum(truth["attempts"][k] for k in keys) > ORDERS  # it really was down
    assert max(r.attempts for r in rows) >= 3
    # Backoff: exponential with jitter, 2^(n-1) s × [0.5, 1] after the n-th failure (plus the round's time).
    assert {n for n, _ in waits} >= {1, 2, 3}
    assert all(0.5 * 2 ** (n - 1) <= wait <= 2 ** (n - 1) + 5 for n, wait in waits), waits
    with Session(oms.engine) as session:
        states = [session.get(ErpOrderState, o.id) for o in orders]
        assert {s.state for s in states} == {"pushed"} and all(s.erp_ref.startswith("ERP") for s in states)


async def test_a_push_out_of_attempts_is_dead_visible_and_repushable(erp, ctx):
    oms, pair, _ = erp
    order = linked_order(oms, pair, no="DEAD-1")
    twin(oms, mode="down")
    for _ in range(outbox.MAX_ATTEMPTS):
        await relay_outbox(ctx)
        _time_passes(oms.engine)
    (row,) = _erp_rows(oms.engine)
    assert row.status == "dead" and row.attempts == outbox.MAX_ATTEMPTS
    with Session(oms.engine) as session:
        state = session.get(ErpOrderState, order.id)
        assert state.state == "failed" and "503" in state.answer
        twin(oms, mode="ok")
        assert erp_manual.repush(session, actor=oms.admin, outbox_id=row.id)
        session.commit()
    await relay_outbox(ctx)
    (row,) = _erp_rows(oms.engine)
    assert row.status == "done"
    assert twin_truth(oms)["deliveries"] == {row.idempotency_key: 1}
    with Session(oms.engine) as session:
        assert session.get(ErpOrderState, order.id).state == "pushed"


async def test_the_twin_ships_and_the_platform_is_told(erp, ctx):
    oms, pair, _ = erp
    placed = oms.new_order(pair, delivery_type="merchant")
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    with Session(oms.engine) as session:
        dispatch.accept(session, actor=oms.admin, order_id=order.id)
        session.execute(
            sa.text("update order_lines set erp_sku_id = :s where order_id = :o"), {"s": _sku(session), "o": order.id}
        )
        session.commit()
    twin(oms, ship_after_s=0.1, callback_base=oms.api_url)
    await relay_outbox(ctx)  # accept to Meituan, the order to the ERP
    assert await wait_until(lambda: _status(oms, order.id) == "shipped", 10)
    assert await wait_until(lambda: twin_truth(oms)["ship_answers"] == [200], 5)
    await relay_outbox(ctx)  # the shipment to Meituan
    written = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    sync = [w for w in written if w["api"] == "logistics_sync"]
    assert sync and sync[-1]["params"]["third_carrier_order_id"].startswith("SF")
    assert sync[-1]["params"]["logistics_provider_code"] == "10001"
    truth = oms.sandbox.control.get(f"/orders/meituan/{placed['order_id']}").json()
    assert truth["stage"] == "delivering"


async def test_a_platform_refusing_the_shipment_says_why_on_the_order(erp, ctx):
    oms, pair, _ = erp
    oms.new_order(pair, delivery_type="platform")  # Meituan's riders deliver: it has no tracking to take
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    with Session(oms.engine) as session:
        dispatch.accept(session, actor=oms.admin, order_id=order.id)
        erp_manual.enter_shipment(session, actor=oms.admin, order_id=order.id, carrier_code="SF", tracking_no="SF42")
        session.commit()
    await relay_outbox(ctx)
    with Session(oms.engine) as session:
        (ship,) = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "platform_ship")).all()
        assert ship.status == "dead" and "808" in ship.last_error
        shown = session.get(Order, order.id)
        assert shown.status == "shipped" and "808" in shown.action_error and shown.pending_action is None


async def test_a_typed_shipment_reaches_douyin_laike_as_delivering(erp, ctx):
    oms = erp[0]
    pair = oms.add_shop("douyin_laike")
    placed = oms.new_order(pair, delivery_type="merchant")
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    with Session(oms.engine) as session:
        dispatch.accept(session, actor=oms.admin, order_id=order.id)
        erp_manual.enter_shipment(session, actor=oms.admin, order_id=order.id, carrier_code="ZTO", tracking_no="ZT9")
        session.commit()
    await relay_outbox(ctx)
    written = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    (sync,) = [w for w in written if w["api"] == "sync_status"]
    assert sync["params"]["behavior"] == 3 and sync["params"]["rider_name"] == "ZTO ZT9"
    assert oms.sandbox.control.get(f"/orders/douyin_laike/{placed['order_id']}").json()["stage"] == "delivering"


def _sku(session) -> int:
    from qihang_app.models import ErpSku

    sku = ErpSku(code="SKU-SHIP", name="发货商品")
    session.add(sku)
    session.flush()
    return sku.id


def _status(oms, order_id: int) -> str:
    with Session(oms.engine) as session:
        return session.get(Order, order_id).status
