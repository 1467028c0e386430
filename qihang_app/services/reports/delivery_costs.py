"""Delivery cost and tips: the `report_deliveries` rollup kept equal to the deliveries, and the
report's queries.

A bucket is (store, Shanghai day the ride was booked). Every ORM write of a Delivery marks its
bucket (the session listeners below; deliveries are only written through the ORM) and before the
transaction commits each marked bucket is recomputed from its rides (domain/delivery_cost.py) and
its rows replaced: idempotent, exact under fee corrections, added tips and cancels. On PostgreSQL
a bucket is recomputed under a transaction-level advisory lock (like services/reports/rollups.py).
The report reads only the rollup, so a year of rides is a few thousand rows per store.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.domain.delivery_cost import Ride, per_order, sum_rides
from qihang_app.domain.report_rollup import local_day
from qihang_app.models import Delivery, ReportDelivery

from .query import ReportQuery, check, store_names, where
from .rollups import day_start

Bucket = tuple[int, date]
SUMS = ("rides", "orders", "cancelled", "fee_fen", "tip_fen")
_PENDING = "delivery_report_buckets"
_LOCK_SPACE = 0x5152 << 48  # advisory lock keys of delivery buckets (rollups use 0x5150)
_rides = Delivery.__table__
_report = ReportDelivery.__table__


def _lock(session: Session, bucket: Bucket) -> None:
    if session.get_bind().dialect.name == "postgresql":
        key = _LOCK_SPACE | (bucket[0] << 20) | (bucket[1].toordinal() & 0xFFFFF)
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def recompute(session: Session, buckets: set[Bucket]) -> None:
    """Replace the rows of each bucket with the sums of its rides."""
    for store_id, day in sorted(buckets):
        _lock(session, (store_id, day))
        start, end = day_start(day), day_start(day + timedelta(days=1))
        rows = session.execute(
            sa.select(_rides.c.carrier, _rides.c.order_id, _rides.c.status, _rides.c.fee_fen, _rides.c.tip_fen).where(
                _rides.c.store_id == store_id, _rides.c.created_at >= start, _rides.c.created_at < end
            )
        ).all()
        sums = sum_rides(Ride(*row) for row in rows)
        session.execute(_report.delete().where(_report.c.store_id == store_id, _report.c.day == day))
        if sums:
            session.execute(
                _report.insert(),
                [
                    {"day": day, "store_id": store_id, "carrier": c.carrier, "rides": c.rides, "orders": c.orders,
                     "cancelled": c.cancelled, "fee_fen": c.fee_fen, "tip_fen": c.tip_fen}
                    for c in sums.values()
                ],
            )  # fmt: skip


def rebuild(session: Session, *, store_id: int | None = None) -> int:
    """Recompute every bucket that has rides (after a restore or the upgrade that added the
    table). Returns the buckets written."""
    query = sa.select(_rides.c.store_id, _rides.c.created_at)
    if store_id is not None:
        query = query.where(_rides.c.store_id == store_id)
        session.execute(_report.delete().where(_report.c.store_id == store_id))
    else:
        session.execute(_report.delete())
    buckets = {(sid, local_day(at)) for sid, at in session.execute(query) if at is not None}
    recompute(session, buckets)
    return len(buckets)


# -- the report's queries -------------------------------------------------------------------


def _with_costs(row: dict) -> dict:
    row["total_fen"] = row["fee_fen"] + row["tip_fen"]
    row["per_order_fen"] = per_order(row["total_fen"], row["orders"])
    return row


def rows(session: Session, q: ReportQuery, group: tuple[str, ...]) -> list[dict]:
    """Sums of the rollup per `group` (of "day", "store_id", "carrier"), with total and cost per
    order; ordered by the group. Every row's figures add up to the whole period's."""
    check(q)
    cols = [_report.c[g] for g in group]
    query = (
        sa.select(*cols, *(sa.func.coalesce(sa.func.sum(_report.c[k]), 0).label(k) for k in SUMS))
        .where(*where(q, _report))
        .group_by(*cols)
        .order_by(*cols)
    )
    names = store_names(session) if "store_id" in group else {}
    out = []
    for row in session.execute(query).mappings():
        item = dict(row) | {k: int(row[k]) for k in SUMS}
        if "store_id" in group:
            item["store"] = names.get(item["store_id"], str(item["store_id"]))
        if isinstance(item.get("day"), date):
            item["day"] = item["day"].isoformat()
        out.append(_with_costs(item))
    return out


def totals(session: Session, q: ReportQuery) -> dict:
    found = rows(session, q, ())
    return found[0] if found else _with_costs(dict.fromkeys(SUMS, 0))


# -- the ORM listeners ------------------------------------------------------------------------


@sa.event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Delivery) and obj.store_id is not None and obj.created_at is not None:
            session.info.setdefault(_PENDING, set()).add((obj.store_id, local_day(obj.created_at)))


@sa.event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    buckets = session.info.pop(_PENDING, None)
    if buckets:
        session.flush()
        buckets |= session.info.pop(_PENDING, set())
        recompute(session, buckets)


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)


__all__ = ["SUMS", "rebuild", "recompute", "rows", "totals"]
