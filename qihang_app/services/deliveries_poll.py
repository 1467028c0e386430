"""Rides whose callbacks went missing: which to ask the carrier about, and the answer applied.

Carriers call back at-least-once, but a callback can still be lost (our app down, their retries
exhausted). A cron asks the carrier's status query for every ride that has not changed for a while
and is not final, and for every ride on its way (配送中) each minute so the drawer's map shows where
the rider is. The answer goes through the same path as a callback (`deliveries.apply_update`): a
repeat changes nothing and an older status never moves a ride back. A newer position of the same
stage only moves the rider's dot.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from qihang_app.domain import carriers
from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.models import Delivery, utcnow

from . import deliveries

STALE_AFTER = timedelta(minutes=3)  # no change for this long while not final: ask the carrier
GIVE_UP_AFTER = timedelta(days=1)  # a ride older than this is left to the store
BATCH = 50  # rides asked per tick (the oldest first)
NOT_FINAL = (S.AWAITING_RIDER, S.RIDER_ACCEPTED, S.AT_STORE, S.DELIVERING, S.EXCEPTION)


@dataclass(frozen=True, slots=True)
class PollItem:
    delivery_id: int
    account_id: int
    carrier: str
    carrier_order_id: str


def rides_to_poll(
    session: Session, *, now: datetime | None = None, stale_after: timedelta = STALE_AFTER, limit: int = BATCH
) -> list[PollItem]:
    now = now or utcnow()
    rows = session.exec(
        select(Delivery)
        .where(
            Delivery.account_id.is_not(None),
            Delivery.carrier_order_id != "",
            Delivery.carrier.not_in((carriers.OWN, "platform")),
            Delivery.status.in_([s.value for s in NOT_FINAL]),
            Delivery.created_at >= now - GIVE_UP_AFTER,
            or_(Delivery.updated_at <= now - stale_after, Delivery.status == S.DELIVERING.value),
        )
        .order_by(Delivery.updated_at)
        .limit(limit)
    ).all()
    return [PollItem(r.id, r.account_id, r.carrier, r.carrier_order_id) for r in rows]


def apply_polled(session: Session, *, item: PollItem, update) -> tuple[Delivery | None, bool]:
    """The carrier's answer about one ride: (the row, whether anything the board shows changed)."""
    row = session.get(Delivery, item.delivery_id)
    if row is None:
        return None, False
    before = (row.status, row.rider_name, row.rider_phone, row.lat, row.lng)
    # Pin the answer to the ride we asked about (a query answers for exactly that ride).
    fix = _pinned(update, row)
    if fix.at is None:
        fix = _with(fix, at=utcnow())
    applied = deliveries.apply_update(
        session, carrier=item.carrier, update=fix, account_id=item.account_id, who=f"carrier:{item.carrier}"
    )
    if applied is None:
        return None, False
    moved = fix.lat is not None and fix.lng is not None and (applied.lat, applied.lng) != (fix.lat, fix.lng)
    if moved and applied.status == fix.status.value:
        applied.lat, applied.lng = fix.lat, fix.lng  # the rider moved: a position is never "older"
        session.add(applied)
        session.flush()
    after = (applied.status, applied.rider_name, applied.rider_phone, applied.lat, applied.lng)
    return applied, after != before


def _pinned(update, row: Delivery):
    return _with(update, order_ref=row.order_ref, carrier_order_id=row.carrier_order_id)


def _with(update, **changes):
    return dataclasses.replace(update, **changes)
