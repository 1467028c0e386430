"""Outbox: claim due effects with a lease, then record done / retry with backoff / dead.

Rows are written by the use case that caused them (same transaction). A relay claims a batch
(status in_flight, next_attempt_at = lease expiry), calls the platform outside any transaction,
then records the outcome. A relay that dies mid-call leaves its rows to be claimed again after
the lease; the platform call carries the row's idempotency key, so a retry is safe.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.models import Order, OutboxMessage, utcnow

from . import aftersale_erp, dispatch, erp_push

MAX_ATTEMPTS = 6
LEASE = timedelta(seconds=60)
BACKOFF_CAP_S = 300


@dataclass(frozen=True)
class Effect:
    id: int
    kind: str
    target: str
    shop_id: int | None
    order_id: int | None
    store_id: int | None
    payload: dict
    idempotency_key: str
    attempts: int


def claim_due(session: Session, *, limit: int = 20, now: datetime | None = None) -> list[Effect]:
    now = now or utcnow()
    due = sa.or_(
        sa.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == "in_flight", OutboxMessage.next_attempt_at <= now),  # lease expired
    )
    query = select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # several relays never claim the same row
    rows = session.exec(query).all()
    effects = []
    for row in rows:
        row.status = "in_flight"
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        session.add(row)
        store_id = session.get(Order, row.order_id).store_id if row.order_id else None
        effects.append(
            Effect(
                row.id,
                row.kind,
                row.target,
                row.shop_id,
                row.order_id,
                store_id,
                json.loads(row.payload or "{}"),
                row.idempotency_key,
                row.attempts,
            )
        )
    session.flush()
    return effects


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter: 1, 2, 4 … s capped at BACKOFF_CAP_S."""
    return timedelta(seconds=random.uniform(0.5, 1.0) * min(BACKOFF_CAP_S, 2 ** max(0, attempts - 1)))


def mark_done(session: Session, *, effect: Effect, now: datetime | None = None, answer: str = "") -> None:
    """`answer`: what the partner returned that the order keeps (an ERP's document number)."""
    row = session.get(OutboxMessage, effect.id)
    row.status, row.done_at, row.last_error = "done", now or utcnow(), None
    session.add(row)
    if erp_push.is_erp(effect.kind) and effect.payload.get("after_sale_id"):
        aftersale_erp.push_done(session, after_sale_id=int(effect.payload["after_sale_id"]), erp_ref=answer)
    elif erp_push.is_erp(effect.kind):
        erp_push.push_done(session, order_id=effect.order_id, kind=effect.kind, erp_ref=answer, now=now)
    elif effect.payload.get("after_sale_id"):  # the after-sale shows the answer, not the card
        _after_sale_answer(session, effect, ok=True)
    elif effect.order_id:
        dispatch.platform_call_succeeded(session, order_id=effect.order_id, action=effect.payload.get("action", ""))


def mark_failed(session: Session, *, effect: Effect, error: str, retryable: bool, now: datetime | None = None) -> bool:
    """Retry later, or give up (dead) when not retryable or out of attempts. Returns True if dead."""
    now = now or utcnow()
    row = session.get(OutboxMessage, effect.id)
    row.last_error = error[:1000]
    dead = not retryable or row.attempts >= MAX_ATTEMPTS
    if erp_push.is_erp(effect.kind) and effect.payload.get("after_sale_id"):
        after_sale_id = int(effect.payload["after_sale_id"])
        aftersale_erp.push_failed(session, after_sale_id=after_sale_id, error=row.last_error, dead=dead)
    elif erp_push.is_erp(effect.kind):
        erp_push.push_failed(session, order_id=effect.order_id, kind=effect.kind, error=row.last_error, dead=dead)
    if dead:
        row.status = "dead"
        if erp_push.is_erp(effect.kind):
            pass  # the ERP push records its own outcome above
        elif effect.payload.get("after_sale_id"):
            _after_sale_answer(session, effect, ok=False, message=error)
        elif effect.order_id:
            dispatch.platform_call_failed(
                session, order_id=effect.order_id, action=effect.payload.get("action", ""), message=error
            )
    else:
        row.status = "pending"
        row.next_attempt_at = now + backoff(row.attempts)
    session.add(row)
    return dead


def _after_sale_answer(session: Session, effect: Effect, *, ok: bool, message: str = "") -> None:
    from .aftersale_actions import write_back_answered

    write_back_answered(
        session,
        after_sale_id=int(effect.payload["after_sale_id"]),
        action=effect.payload.get("action", ""),
        ok=ok,
        message=message,
    )


def counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    return dict(rows)
