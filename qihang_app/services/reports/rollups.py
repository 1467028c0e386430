"""Keep the report rollups (models/reports.py) equal to the orders, incrementally.

Design: a bucket is (store, Shanghai day of placed_at). Whatever changes an order marks its
bucket(s) — before and after, so an order whose day or store moved leaves the old bucket too —
and just before the transaction commits every marked bucket is recomputed from the orders in it
(domain/report_rollup.py) and its rows replaced. Recomputing instead of adding deltas makes the
step idempotent (a job run twice writes the same rows) and exact under updates and cancels.

Concurrent workers: on PostgreSQL each bucket is recomputed under a transaction-level advisory
lock taken in sorted order; under READ COMMITTED the recompute's statements start after the lock
is held, so they see every transaction that recomputed the bucket before. On SQLite writers are
serialised by BEGIN IMMEDIATE. Either way the last commit recomputes with all earlier ones seen.

Who marks:
* every ORM write of an Order, OrderLine or OrderEvent (board actions, dispatch, manual orders):
  the session listeners at the bottom, nothing to call;
* ingest's bulk (Core) writes: `remember_before` when it loads orders and `apply_rows` after it
  writes them (services/ingest_rows.py);
* anything else may call `apply(session, order_before, order_after)` (objects or mappings).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.report_rollup import (
    BINS,
    DAILY_SUMS,
    ENDED,
    METRICS,
    NOT_COUNTED,
    OrderFacts,
    local_day,
    rollup,
)
from qihang_app.models import (
    Order,
    OrderEvent,
    OrderLine,
    ReportCancel,
    ReportDaily,
    ReportDuration,
    ReportHourly,
    ReportSku,
    ReportSkuMonth,
)

from .sku_months import Deltas, month_end, rewrite_month

__all__ = [
    "apply",
    "apply_rows",
    "mark",
    "month_end",
    "recompute",
    "remember_before",
    "rewrite",
    "rewrite_month",
    "settle",
]

Bucket = tuple[int, date]  # (store id, Shanghai day)
_PENDING = "report_buckets"
_PENDING_ORDERS = "report_order_ids"
_BEFORE = "report_before"
_LOCK_SPACE = 0x5150 << 48  # advisory lock keys of report buckets
DAY_TABLES = (ReportDaily, ReportHourly, ReportDuration, ReportCancel, ReportSku)
TABLES = (*DAY_TABLES, ReportSkuMonth)

_orders = Order.__table__
_lines = OrderLine.__table__
_events = OrderEvent.__table__
_ORDER_COLUMNS = [
    _orders.c[name]
    for name in (
        "id", "store_id", "shop_id", "platform", "status", "placed_at", "accept_deadline_at",
        "cancelled_by", "cancel_reason", *DAILY_SUMS, *METRICS.values(),
    )
]  # fmt: skip


def day_start(day: date) -> datetime:
    """Shanghai midnight of a day, as aware UTC."""
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC)


def bucket_of(order: object) -> Bucket | None:
    get = order.get if isinstance(order, Mapping) else lambda k: getattr(order, k, None)
    store_id, placed_at = get("store_id"), get("placed_at")
    if store_id is None or placed_at is None:
        return None
    return (int(store_id), local_day(placed_at))


# -- marking ---------------------------------------------------------------------------------


def mark(session: OrmSession, buckets: Iterable[Bucket | None]) -> None:
    pending = session.info.setdefault(_PENDING, set())
    pending.update(b for b in buckets if b is not None)


def apply(session: OrmSession, order_before: object | None, order_after: object | None) -> None:
    """An order changed from `order_before` to `order_after` (either may be None): its buckets
    are recomputed before this transaction commits. Calling it again changes nothing."""
    mark(session, (bucket_of(o) for o in (order_before, order_after) if o is not None))


def remember_before(session: OrmSession, rows: Iterable[Mapping]) -> None:
    """Buckets of orders as loaded, before a bulk write changes them (see apply_rows)."""
    before = session.info.setdefault(_BEFORE, {})
    for row in rows:
        before.setdefault(row["id"], bucket_of(row))


def apply_rows(session: OrmSession, rows: Iterable[tuple[int | None, Mapping]]) -> None:
    """(order id, values after) of bulk-written orders: their old and new buckets are marked."""
    before = session.info.get(_BEFORE, {})
    for order_id, values in rows:
        mark(session, (before.get(order_id), bucket_of(values)))


def settle(session: OrmSession) -> int:
    """Recompute every bucket marked in this transaction (called before commit). Returns how
    many buckets were recomputed."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # unflushed ORM changes mark their buckets as they are flushed
    if not (session.info.get(_PENDING) or session.info.get(_PENDING_ORDERS)):
        return 0
    order_ids = session.info.pop(_PENDING_ORDERS, set())
    if order_ids:
        mark(session, _buckets_of_ids(session, order_ids))
    buckets = session.info.pop(_PENDING, set())
    session.info.pop(_BEFORE, None)
    recompute(session, buckets)
    return len(buckets)


def _buckets_of_ids(session: OrmSession, order_ids: set[int]) -> set[Bucket]:
    found: set[Bucket] = set()
    ids = sorted(order_ids)
    for start in range(0, len(ids), 500):
        query = sa.select(_orders.c.store_id, _orders.c.placed_at).where(_orders.c.id.in_(ids[start : start + 500]))
        found.update(b for b in (bucket_of(r) for r in session.execute(query).mappings()) if b)
    return found


# -- recomputing -----------------------------------------------------------------------------


def recompute(session: OrmSession, buckets: Iterable[Bucket]) -> None:
    """Replace the rollup rows of these buckets (and their months) with sums over their orders."""
    by_store: dict[int, set[date]] = defaultdict(set)
    for store_id, day in buckets:
        by_store[store_id].add(day)
    deltas = Deltas()
    for store_id in sorted(by_store):
        for day in sorted(by_store[store_id]):
            lock_days(session, store_id, day, day)
            rewrite(session, store_id, day, day, deltas=deltas)
    # months after days, each in sorted order: concurrent writers never wait on each other in a circle
    for store_id, month in deltas.months():
        lock(session, "month", store_id, month)
        deltas.apply(session, store_id, month)


def lock_days(session: OrmSession, store_id: int, first: date, last: date) -> None:
    """Hold the buckets until commit (PostgreSQL; SQLite writers are serialised anyway)."""
    day = first
    while day <= last:
        lock(session, "day", store_id, day)
        day += timedelta(days=1)


def lock(session: OrmSession, kind: str, store_id: int, day: date) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = _LOCK_SPACE | (int(kind == "month") << 47) | (store_id << 20) | (day.toordinal() & 0xFFFFF)
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def rewrite(session: OrmSession, store_id: int, first: date, last: date, *, deltas: Deltas | None = None) -> int:
    """Rows of one store for the days first..last, from its orders. Returns the orders read.
    With `deltas`, the change of the days' SKU rows is collected for their months."""
    start, end = day_start(first), day_start(last + timedelta(days=1))
    facts = load_facts(session, store_id, start, end)
    rows = rollup(facts)
    if deltas is not None:
        deltas.remove_days(session, store_id, first, last)
        deltas.add_rows(rows.skus)
    for table in DAY_TABLES:
        t = table.__table__
        session.execute(t.delete().where(t.c.store_id == store_id, t.c.day >= first, t.c.day <= last))
    _insert(
        session,
        ReportDaily,
        [dict(zip(("day", "store_id", "shop_id", "platform"), k)) | v for k, v in rows.daily.items()],
    )
    _insert(
        session,
        ReportHourly,
        [
            {"day": d, "store_id": s, "orders": v["orders"], "paid_fen": v["paid_fen"]}
            | {f"h{h}": v["hours"].get(h, 0) for h in range(24)}
            for (d, s), v in rows.hourly.items()
        ],
    )
    _insert(
        session,
        ReportDuration,
        [
            {"day": d, "store_id": s, "metric": m, "count": sum(bins.values())}
            | {f"b{i}": bins.get(i, 0) for i in range(BINS)}
            for (d, s, m), bins in rows.durations.items()
        ],
    )
    _insert(
        session,
        ReportCancel,
        [dict(zip(("day", "store_id", "cancelled_by", "reason"), k), count=v) for k, v in rows.cancels.items()],
    )
    _insert(session, ReportSku, [dict(zip(("day", "store_id", "sku_key"), k)) | v for k, v in rows.skus.items()])
    return len(facts)


def _insert(session: OrmSession, table: type, rows: list[dict]) -> None:
    if rows:
        session.execute(table.__table__.insert(), rows)


def load_facts(session: OrmSession, store_id: int, start: datetime, end: datetime) -> list[OrderFacts]:
    """The orders of a store placed in [start, end), with their lines and refund marks."""
    where = (_orders.c.store_id == store_id, _orders.c.placed_at >= start, _orders.c.placed_at < end)
    rows = session.execute(sa.select(*_ORDER_COLUMNS).where(*where)).mappings().all()
    if not rows:
        return []
    valid = ~_orders.c.status.in_(sorted(NOT_COUNTED | ENDED))
    lines: dict[int, list[dict]] = defaultdict(list)
    line_query = (
        sa.select(
            _lines.c.order_id,
            _lines.c.erp_sku_id,
            _lines.c.platform_sku_id,
            _lines.c.outer_sku_code,
            _lines.c.name,
            _lines.c.quantity,
            _lines.c.paid_fen,
        )  # fmt: skip
        .join(_orders, _orders.c.id == _lines.c.order_id)
        .where(*where, valid)
    )
    for line in session.execute(line_query).mappings():
        lines[line["order_id"]].append(dict(line))
    refund_query = (
        sa.select(_events.c.order_id)
        .distinct()
        .join(_orders, _orders.c.id == _events.c.order_id)
        .where(*where, _events.c.kind == "refund")
    )
    refunded = set(session.execute(refund_query).scalars())
    return [OrderFacts.from_row(r, lines=lines.get(r["id"]), refunded=r["id"] in refunded) for r in rows]


# -- the ORM listeners ------------------------------------------------------------------------


@sa.event.listens_for(OrmSession, "after_flush")
def _collect(session: OrmSession, _context) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Order):
            mark(session, [bucket_of(obj), _old_bucket(obj)])
        elif isinstance(obj, OrderLine | OrderEvent) and obj.order_id is not None:
            session.info.setdefault(_PENDING_ORDERS, set()).add(obj.order_id)


def _old_bucket(order: Order) -> Bucket | None:
    state = sa.inspect(order)
    old = {}
    for name in ("store_id", "placed_at"):
        history = state.attrs[name].history
        old[name] = history.deleted[0] if history.deleted else getattr(order, name)
    return bucket_of(old)


@sa.event.listens_for(OrmSession, "before_commit")
def _before_commit(session: OrmSession) -> None:
    settle(session)


@sa.event.listens_for(OrmSession, "after_soft_rollback")
def _forget(session: OrmSession, _previous) -> None:
    # a rolled-back change changed nothing: its marks must not outlive it
    for key in (_PENDING, _PENDING_ORDERS, _BEFORE):
        session.info.pop(key, None)
