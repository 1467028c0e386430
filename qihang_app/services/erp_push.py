"""Orders, cancels and after-sales to the merchant's ERP, through the outbox.

An order goes once it is due by its connection's rule (after 接单 or after payment) and every line
is linked to an ERP SKU; until then it is `blocked` with the reason shown. `queue_due` (run by the
outbox relay each second) finds what is due, so no code path that moves an order has to remember
the ERP; `release_blocked` is the immediate call for code that links SKUs. One idempotency key per
(order, event, version); the relay records the outcome through `push_done` / `push_failed`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.erp_link import ENDED, ErpEvent, ErpState, due_statuses, idempotency_key, unlinked_lines
from qihang_app.domain.messages import encode
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import ErpConnection, ErpOrderState, ErpSku, Order, OrderEvent, OrderLine, OutboxMessage, utcnow

from . import erp_payload
from .erp_connections import connection_for_store

KINDS = {"erp_order": ErpEvent.ORDER, "erp_cancel": ErpEvent.CANCEL, "erp_aftersale": ErpEvent.AFTER_SALE}
KIND_OF = {event: kind for kind, event in KINDS.items()}
SWEEP_LIMIT = 200
BLOCKED_RECHECK = timedelta(seconds=60)  # the sweep looks at a blocked order again at most this often
ENDED_NOTHING = "ended"  # evaluate's answer for an order that ended before it could go


def is_erp(kind: str) -> bool:
    return kind in KINDS


def _state(session: Session, order_id: int) -> ErpOrderState | None:
    return session.get(ErpOrderState, order_id)


def _lines(session: Session, order_id: int) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)))


def _queue(session: Session, order: Order, conn: ErpConnection, event: ErpEvent, version: int, data: dict) -> None:
    key = idempotency_key(conn.id, order.id, event, version)
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first() is not None:
        return  # already queued with this key (a second sweep, a double click)
    payload = {"connection_id": conn.id, "event": event.value, "data": data}
    session.add(
        OutboxMessage(
            kind=KIND_OF[event],
            target="erp",  # every ERP push (the connection is in the payload); alerts count them by it
            shop_id=order.shop_id,
            order_id=order.id,
            payload=json.dumps(payload, ensure_ascii=False),
            idempotency_key=key,
            next_attempt_at=utcnow(),
        )
    )


def evaluate(session: Session, *, order: Order, conn: ErpConnection) -> str:
    """Queue the order's push, or record why it is blocked. Returns the resulting state."""
    state = _state(session, order.id)
    if state is not None and state.state not in (ErpState.BLOCKED, None):
        return state.state
    if OrderStatus(order.status) in ENDED:  # cancelled while it waited for a link: nothing to send
        if state is not None:
            session.delete(state)
        return ENDED_NOTHING
    lines = _lines(session, order.id)
    missing = unlinked_lines((ln.line_no, ln.name, ln.erp_sku_id) for ln in lines)
    if state is None:
        state = ErpOrderState(order_id=order.id, connection_id=conn.id, state=ErpState.BLOCKED.value)
    state.connection_id = conn.id
    if missing or not lines:
        state.state = ErpState.BLOCKED.value
        state.blocked_reason = (
            encode("erp.blocked.unlinked", lines=missing) if lines else encode("erp.blocked.no_lines")
        )
        session.add(state)
        return state.state
    codes = dict(
        session.execute(sa.select(ErpSku.id, ErpSku.code).where(ErpSku.id.in_([ln.erp_sku_id for ln in lines]))).all()
    )
    state.customer_code = erp_payload.customer_for(session, conn, order)
    data = erp_payload.order_data(order, lines, codes, state.customer_code)
    state.state, state.blocked_reason = ErpState.QUEUED.value, ""
    session.add(state)
    _queue(session, order, conn, ErpEvent.ORDER, state.version, data)
    return state.state


def _queue_cancel(session: Session, order: Order, conn: ErpConnection, state: ErpOrderState) -> None:
    state.state = ErpState.CANCEL_QUEUED.value
    session.add(state)
    pushed = session.exec(
        select(OutboxMessage.payload).where(
            OutboxMessage.idempotency_key == idempotency_key(conn.id, order.id, ErpEvent.ORDER, state.version)
        )
    ).first()
    data = {
        "order_no": erp_payload.order_no(order),
        "reason": order.cancel_reason or "",
        "order": json.loads(pushed)["data"] if pushed else None,  # the order as pushed (旺店通 re-sends it closed)
    }
    _queue(session, order, conn, ErpEvent.CANCEL, state.version, data)


def queue_due(session: Session, *, limit: int = SWEEP_LIMIT) -> int:
    """Queue every order now due for its ERP, retry blocked ones, and send cancels after a push."""
    touched = 0
    conns = session.exec(select(ErpConnection).where(ErpConnection.enabled).order_by(ErpConnection.id)).all()
    own_stores = [c.store_id for c in conns if c.store_id is not None]
    for conn in conns:
        scope = Order.store_id == conn.store_id if conn.store_id is not None else Order.store_id.not_in(own_stores)
        new = session.exec(
            select(Order)
            .outerjoin(ErpOrderState, ErpOrderState.order_id == Order.id)
            .where(
                scope,
                ErpOrderState.order_id.is_(None),
                Order.status.in_([s.value for s in due_statuses(conn.push_on)]),
                Order.created_at >= conn.created_at,
            )
            .order_by(Order.id)
            .limit(limit)
        ).all()
        for order in new:
            evaluate(session, order=order, conn=conn)
            touched += 1
        if conn.push_cancels:
            ended = session.exec(
                select(Order, ErpOrderState)
                .join(ErpOrderState, ErpOrderState.order_id == Order.id)
                .where(
                    ErpOrderState.connection_id == conn.id,
                    ErpOrderState.state == ErpState.PUSHED.value,
                    Order.status.in_([s.value for s in ENDED]),
                )
                .limit(limit)
            ).all()
            for order, state in ended:
                _queue_cancel(session, order, conn, state)
                touched += 1
    touched += _retry_blocked(session, None, limit)
    session.flush()
    return touched


def _retry_blocked(session: Session, order_ids: Iterable[int] | None, limit: int) -> int:
    """Blocked orders whose lines may be linked by now: the given ones, or (the sweep) those not
    looked at for BLOCKED_RECHECK, oldest look first."""
    now = utcnow()
    query = select(Order, ErpOrderState).join(ErpOrderState, ErpOrderState.order_id == Order.id)
    query = query.where(ErpOrderState.state == ErpState.BLOCKED.value)
    if order_ids is not None:
        query = query.where(Order.id.in_(list(order_ids)))
    else:
        query = query.where(ErpOrderState.updated_at < now - BLOCKED_RECHECK)
    moved = 0
    for order, state in session.exec(query.order_by(ErpOrderState.updated_at).limit(limit)).all():
        conn = session.get(ErpConnection, state.connection_id)
        outcome = evaluate(session, order=order, conn=conn) if conn is not None and conn.enabled else ErpState.BLOCKED
        if outcome not in (ErpState.BLOCKED, ENDED_NOTHING):
            moved += 1
        elif outcome == ErpState.BLOCKED:
            state.updated_at = now  # looked at: the next sweep takes others first
            session.add(state)
    return moved


def release_blocked(session: Session, order_ids: Iterable[int]) -> int:
    """Push at once the given orders that waited for an SKU link (the linking code calls this
    after it links lines). Returns how many left `blocked`."""
    ids = sorted({int(i) for i in order_ids})
    moved = _retry_blocked(session, ids, len(ids) or 1) if ids else 0
    session.flush()
    return moved


# ---- outcome (called by the outbox) --------------------------------------------------------------


def push_done(
    session: Session, *, order_id: int | None, kind: str, erp_ref: str = "", now: datetime | None = None
) -> None:
    state = _state(session, order_id) if order_id else None
    if state is None:
        return
    event = KINDS[kind]
    if event is ErpEvent.ORDER and state.state in (ErpState.QUEUED, ErpState.FAILED):
        state.state, state.pushed_at = ErpState.PUSHED.value, now or utcnow()
        state.erp_ref = erp_ref or state.erp_ref
        _note(session, order_id, "erp_pushed", state.erp_ref)
    elif event is ErpEvent.CANCEL and state.state in (ErpState.CANCEL_QUEUED, ErpState.CANCEL_FAILED):
        state.state = ErpState.CANCEL_PUSHED.value
        _note(session, order_id, "erp_cancel_pushed", "")
    state.answer = ""
    session.add(state)


def push_failed(session: Session, *, order_id: int | None, kind: str, error: str, dead: bool) -> None:
    state = _state(session, order_id) if order_id else None
    if state is None:
        return
    state.answer = error[:1000]
    if dead:
        event = KINDS[kind]
        if event is ErpEvent.ORDER and state.state == ErpState.QUEUED:
            state.state = ErpState.FAILED.value
        elif event is ErpEvent.CANCEL and state.state == ErpState.CANCEL_QUEUED:
            state.state = ErpState.CANCEL_FAILED.value
        _note(session, order_id, "erp_push_dead", error[:500])
    session.add(state)


def _note(session: Session, order_id: int, kind: str, note: str) -> None:
    order = session.get(Order, order_id)
    if order is not None:
        session.add(
            OrderEvent(
                order_id=order_id,
                actor="worker",
                kind=kind,
                from_status=order.status,
                to_status=order.status,
                note=note,
            )
        )


def connection_for(session: Session, order: Order) -> ErpConnection | None:
    return connection_for_store(session, store_id=order.store_id)
