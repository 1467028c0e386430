"""Carrier calls (book, tip, cancel) that failed for a passing reason (timeout, 5xx, rate limit):
kept in `ride_retries` and tried again with a growing pause, a bounded number of times.

Each try is the same call: a booking keeps its ride ref (the carrier books once per ref), a tip or
cancel names the carrier's order id. Every failed try and the final give-up are on the order's
timeline; giving up puts the order in 异常 with the carrier's last answer, so the store acts.
The row is the durable part: a job lost with Redis is found again by the cron.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from qihang_app.domain import carriers
from qihang_app.domain.messages import encode
from qihang_app.models import Order, OrderEvent, RideRetry, utcnow

ACTIONS = ("book", "tip", "cancel")
MAX_TRIES = 5  # the first call and four more
LEASE = timedelta(minutes=2)  # a try that crashed mid-call is picked up again after this


def backoff(attempts: int) -> timedelta:
    """Pause before try attempts+1: 10 s, 20 s, 40 s, 80 s (capped at 5 minutes)."""
    return timedelta(seconds=min(300, 10 * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True, slots=True)
class Due:
    key: str
    action: str
    order_id: int
    args: dict
    attempts: int


def _row(session: Session, key: str) -> RideRetry | None:
    return session.exec(select(RideRetry).where(RideRetry.key == key)).first()


def _note(session: Session, order: Order, who: str, kind: str, text: str) -> None:
    session.add(
        OrderEvent(order_id=order.id, actor=who, kind=kind, from_status=None, to_status=order.status, note=text)
    )


def _action(action: str) -> str:
    return encode(f"delivery.retry.action.{action}")


def failed(
    session: Session,
    *,
    order_id: int,
    action: str,
    key: str,
    args: dict,
    carrier: str,
    error: str,
    who: str,
    now: datetime | None = None,
) -> bool:
    """A try failed for a passing reason: schedule the next one (True), or give up (False)."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}")
    now = now or utcnow()
    row = _row(session, key)
    if row is None:
        row = RideRetry(order_id=order_id, action=action, key=key, args=json.dumps(args, ensure_ascii=False))
    elif row.status != "pending":
        return False  # given up or dropped meanwhile: nothing more to try
    row.attempts += 1
    row.last_error = error
    row.updated_at = now
    order = session.get(Order, order_id)
    if row.attempts >= MAX_TRIES:
        session.add(row)
        _give_up(session, row, order, carrier=carrier, who=who)
        return False
    pause = backoff(row.attempts)
    row.next_attempt_at = now + pause
    session.add(row)
    params = dict(carrier=carriers.name(carrier), action=_action(action), reason=error,
                  seconds=int(pause.total_seconds()), attempt=row.attempts + 1)  # fmt: skip
    _note(session, order, who, "delivery_retry", encode("delivery.note.retrying", **params))
    session.flush()
    return True


def _give_up(session: Session, row: RideRetry, order: Order, *, carrier: str, who: str) -> None:
    row.status, row.next_attempt_at = "dead", None
    session.add(row)
    params = dict(carrier=carriers.name(carrier), action=_action(row.action), reason=row.last_error or "")
    _note(session, order, who, "delivery_retry",
          encode("delivery.note.retry_gave_up", attempts=row.attempts, **params))  # fmt: skip
    order.exception_reason = encode("attention.rider_call_failed", **params)  # the card moves to 异常
    session.add(order)
    session.flush()


def gave_up(session: Session, *, key: str, carrier: str, error: str, who: str) -> None:
    """A retry was refused for good (not a passing reason): stop and tell the store."""
    row = _row(session, key)
    if row is None or row.status != "pending":
        return
    row.attempts += 1
    row.last_error = error
    _give_up(session, row, session.get(Order, row.order_id), carrier=carrier, who=who)


def done(session: Session, *, key: str) -> None:
    row = _row(session, key)
    if row is not None and row.status == "pending":
        row.status, row.next_attempt_at, row.updated_at = "done", None, utcnow()
        session.add(row)
        session.flush()


def due(session: Session, *, now: datetime | None = None, limit: int = 20) -> list[Due]:
    """Tries whose time has come, leased so another worker (or tick) does not take them too."""
    now = now or utcnow()
    rows = session.exec(
        select(RideRetry)
        .where(RideRetry.status == "pending", RideRetry.next_attempt_at <= now)
        .order_by(RideRetry.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.next_attempt_at = now + LEASE
        session.add(row)
    session.flush()
    return [Due(r.key, r.action, r.order_id, json.loads(r.args or "{}"), r.attempts) for r in rows]


def booking_pending(session: Session, *, order_id: int) -> bool:
    """A booking of this order is waiting for its next try (calling another would book twice)."""
    return (
        session.exec(
            select(RideRetry.id).where(
                RideRetry.order_id == order_id, RideRetry.action == "book", RideRetry.status == "pending"
            )
        ).first()
        is not None
    )


def drop(session: Session, *, order_id: int, action: str = "book") -> int:
    """The store gave up on it itself (e.g. cancelled): stop retrying."""
    rows = session.exec(
        select(RideRetry).where(
            RideRetry.order_id == order_id, RideRetry.action == action, RideRetry.status == "pending"
        )
    ).all()
    for row in rows:
        row.status, row.next_attempt_at, row.updated_at = "dropped", None, utcnow()
        session.add(row)
    session.flush()
    return len(rows)
