"""A carrier callback for a ride we have not recorded yet: kept, and applied when the booking is.

A fast carrier can call back before the worker that booked the ride has written it (the create
call returns, then the row is written). The callback is verified and kept raw in the inbox like
any other, with what it said, marked as waiting; `record_booking` applies the waiting callbacks
of its ride through the same path as a live callback (repeats change nothing). Waiting is bounded:
a callback older than KEEP, or beyond MAX_PER_RIDE, stays as an unmatched callback, and the
status poll still finds the ride's state. Carriers re-send only refused callbacks, and a refusal
would cost their retry budget and alarm their side, so we ack and keep instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.platform_order import DeliveryStatus
from qihang_app.models import InboxMessage, utcnow

from .inbox import RawMessage, store_raw

KIND = "carrier_callback"
WAITING = "waiting for its booking"
KEEP = timedelta(minutes=10)
MAX_PER_RIDE = 50


@dataclass(frozen=True, slots=True)
class Waiting:
    """A callback's rider update as kept (the shape deliveries.apply_update reads)."""

    order_ref: str
    carrier_order_id: str
    status: DeliveryStatus
    rider_name: str = ""
    rider_phone: str = ""
    lat: float | None = None
    lng: float | None = None
    reason: str = ""
    at: datetime | None = None
    carrier_status: str = ""
    reassigned: bool = False


def _key(carrier: str, order_ref: str) -> str:
    return f"carrier_wait:{carrier}:{order_ref}"


def _saved(update) -> dict:
    fields = {name: getattr(update, name, None) for name in Waiting.__slots__}
    fields["status"] = DeliveryStatus(update.status).value
    fields["at"] = update.at.isoformat() if update.at else None
    return fields


def _loaded(saved: dict) -> Waiting:
    fields = {k: v for k, v in saved.items() if k in Waiting.__slots__}
    fields["status"] = DeliveryStatus(fields["status"])
    fields["at"] = datetime.fromisoformat(fields["at"]) if fields.get("at") else None
    return Waiting(**fields)


def _lock(session: Session, carrier: str, order_ref: str) -> None:
    """Keeping a callback and recording its booking take turns per ride (PostgreSQL), so one of
    them always sees the other: the booking sees the kept callback, or the callback the booking.
    SQLite has one writer at a time, which does the same."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _key(carrier, order_ref)})


def keep(session: Session, *, carrier: str, update, account_id: int, body: str, headers: dict):
    """A verified callback whose ride was not found: applied if its booking was recorded
    meanwhile (the delivery row), else kept (raw, and what it said) for record_booking (None)."""
    from . import deliveries

    _lock(session, carrier, update.order_ref)
    row = deliveries.apply_update(session, carrier=carrier, update=update, account_id=account_id)
    if row is not None:
        store_raw(session, [RawMessage(carrier, KIND, body, headers=headers, status="processed")])
        return row
    kept = {**headers, "account_id": account_id, "update": _saved(update)}
    message = RawMessage(carrier, KIND, body, headers=kept, status="failed", error=WAITING,
                         dedup_key=_key(carrier, update.order_ref))  # fmt: skip
    store_raw(session, [message])
    return None


def apply_waiting(session: Session, *, carrier: str, order_ref: str, now: datetime | None = None) -> int:
    """Apply the callbacks kept for this ride, oldest first; how many found their ride."""
    from . import deliveries  # deliveries calls this from record_booking

    now = now or utcnow()
    _lock(session, carrier, order_ref)
    rows = session.exec(
        select(InboxMessage)
        .where(
            InboxMessage.dedup_key == _key(carrier, order_ref),
            InboxMessage.status == "failed",
            InboxMessage.error == WAITING,
            InboxMessage.received_at >= now - KEEP,
        )
        .order_by(InboxMessage.id)
        .limit(MAX_PER_RIDE)
    ).all()
    applied = 0
    for row in rows:
        headers = json.loads(row.headers or "{}")
        update = _loaded(headers["update"])
        found = deliveries.apply_update(session, carrier=carrier, update=update, account_id=headers.get("account_id"))
        if found is None:
            continue
        row.status, row.error, row.processed_at = "processed", None, now
        session.add(row)
        applied += 1
    session.flush()
    return applied


def waiting_count(session: Session, *, carrier: str, order_ref: str) -> int:
    rows = session.exec(
        select(InboxMessage.id).where(InboxMessage.dedup_key == _key(carrier, order_ref), InboxMessage.error == WAITING)
    ).all()
    return len(rows)
