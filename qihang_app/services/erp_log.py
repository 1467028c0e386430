"""推送记录: every ERP push (queued, retrying, done, dead) and every order waiting for an SKU link,
with the ERP's answer, filtered by state, store and order number; and an order's ERP state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.erp_link import ErpState, legacy_code
from qihang_app.models import ErpOrderState, ErpShipment, Order, OutboxMessage

from .erp_push import KINDS
from .scope import Actor, store_filter

PAGE = 50
FILTERS = ("all", "waiting", "retrying", "done", "dead", "blocked")


@dataclass(frozen=True)
class PushRow:
    id: int  # outbox id; 0 for a blocked order (nothing queued yet)
    order_id: int
    display_no: str
    platform: str
    store_id: int
    event: str
    status: str  # pending / in_flight / done / dead, or "blocked"
    attempts: int
    next_attempt_at: datetime | None
    answer: str  # encoded message or the ERP's words
    idempotency_key: str
    created_at: datetime | None
    done_at: datetime | None


def _order_filter(query, actor: Actor, store_id: int | None, search: str):
    query = query.where(store_filter(actor, Order.store_id))
    if store_id:
        query = query.where(Order.store_id == store_id)
    if search:
        query = query.where(sa.or_(Order.display_no == search, Order.platform_order_id == search))
    return query


def list_pushes(
    session: Session, *, actor: Actor, state: str = "all", store_id: int | None = None, search: str = "", page: int = 1
) -> tuple[list[PushRow], int]:
    """One page of pushes (newest first) and the total for the filter."""
    search = (search or "").strip()[:40]
    offset = max(0, page - 1) * PAGE
    if state == "blocked":
        query = select(ErpOrderState, Order).join(Order, Order.id == ErpOrderState.order_id)
        query = _order_filter(query.where(ErpOrderState.state == ErpState.BLOCKED.value), actor, store_id, search)
        total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(ErpOrderState.updated_at.desc()).offset(offset).limit(PAGE)).all()
        return [_blocked(s, o) for s, o in rows], total
    query = select(OutboxMessage, Order).join(Order, Order.id == OutboxMessage.order_id)
    query = _order_filter(query.where(OutboxMessage.kind.in_(list(KINDS))), actor, store_id, search)
    if state == "waiting":
        query = query.where(OutboxMessage.status.in_(["pending", "in_flight"]), OutboxMessage.attempts == 0)
    elif state == "retrying":
        query = query.where(OutboxMessage.status.in_(["pending", "in_flight"]), OutboxMessage.attempts > 0)
    elif state in ("done", "dead"):
        query = query.where(OutboxMessage.status == state)
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(OutboxMessage.id.desc()).offset(offset).limit(PAGE)).all()
    return [_pushed(m, o) for m, o in rows], total


def _blocked(state: ErpOrderState, order: Order) -> PushRow:
    return PushRow(
        0, order.id, order.display_no, order.platform, order.store_id, "order.created", "blocked", 0, None,
        state.blocked_reason, "", state.created_at, None,
    )  # fmt: skip


def _pushed(row: OutboxMessage, order: Order) -> PushRow:
    event = json.loads(row.payload or "{}").get("event", KINDS[row.kind].value)
    return PushRow(
        row.id, order.id, order.display_no, order.platform, order.store_id, event, row.status, row.attempts,
        row.next_attempt_at if row.status == "pending" else None, row.last_error or "", row.idempotency_key,
        row.created_at, row.done_at,
    )  # fmt: skip


@dataclass(frozen=True)
class OrderErp:
    state: str | None
    code: int  # 0 / 200 / 100 / 201
    reason: str  # why blocked, or the ERP's last answer
    erp_ref: str
    shipments: list[tuple[str, str, str]]  # (carrier, tracking no, source)


def erp_states(session: Session, *, order_ids: list[int]) -> dict[int, tuple[str, int]]:
    """order id → (state, 0/200/100/201) for a page of the order list (orders not due: absent)."""
    if not order_ids:
        return {}
    rows = session.exec(
        select(ErpOrderState.order_id, ErpOrderState.state).where(ErpOrderState.order_id.in_(order_ids))
    )
    return {order_id: (state, legacy_code(state)) for order_id, state in rows}


def order_erp(session: Session, *, order_id: int) -> OrderErp:
    """The drawer's ERP part (the caller has checked the order's scope)."""
    state = session.get(ErpOrderState, order_id)
    ships = session.exec(select(ErpShipment).where(ErpShipment.order_id == order_id).order_by(ErpShipment.id)).all()
    reason = ""
    if state is not None:
        reason = state.blocked_reason if state.state == ErpState.BLOCKED else state.answer
    return OrderErp(
        state.state if state else None,
        legacy_code(state.state if state else None),
        reason,
        state.erp_ref if state else "",
        [(s.carrier_code, s.tracking_no, s.source) for s in ships],
    )
