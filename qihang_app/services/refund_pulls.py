"""Refund pulls of platforms with `refunds_pullable`: the platform's incremental refund list read
on a cursor of its own (`Shop.last_refund_cursor_at`), one `refunds` PullLog row per run (shown in
the shop's pull log list). The cursor moves only when a run succeeds (pulls.finish_pull); each
refund goes through the same ingest as a push into the after-sale intake (idempotent by the
platform refund id, an older report never replacing a newer one).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain import partners
from qihang_app.models import Order, PullLog, Shop, utcnow

from .errors import NotFoundError
from .pulls import PullJob

KIND = "refunds"
OVERLAP = timedelta(minutes=10)  # re-read before the cursor: platforms index refunds late
FIRST_LOOKBACK = timedelta(days=1)  # a shop never pulled starts here
MAX_WINDOW = timedelta(days=1)  # a long-idle shop catches up a day per run
# A refund of an order the OMS has not seen yet holds the cursor back (the order sweep or the
# stream brings the order, the next run reads the refund again) — for at most this long.
HOLD_FOR_ORDER = timedelta(hours=2)


def refund_platforms() -> list[str]:
    return [p.code for p in partners.profiles() if p.refunds_pullable]


def due_refund_pulls(session: Session, *, now: datetime | None = None) -> list[tuple[int, int]]:
    """(shop_id, interval seconds) of enabled shops of such platforms, not waiting for 授权, whose
    last refund pull started at least one sweep interval ago (or never ran)."""
    now = now or utcnow()
    platforms = refund_platforms()
    if not platforms:
        return []
    last = (
        sa.select(PullLog.shop_id, sa.func.max(PullLog.created_at).label("last"))
        .where(PullLog.kind == KIND)
        .group_by(PullLog.shop_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Shop.id, Shop.sweep_interval_seconds, last.c.last)
        .outerjoin(last, last.c.shop_id == Shop.id)
        .where(
            Shop.enabled,
            Shop.platform.in_(platforms),
            Shop.credentials_encrypted != "",
            Shop.reauth_reason.is_(None),  # a refused token waits for 授权, not for another failure
        )
        .order_by(Shop.id)
    ).all()
    due = []
    for shop_id, interval, last_at in rows:
        interval = max(1, int(interval or 60))
        if last_at is None or (now - last_at).total_seconds() >= interval:
            due.append((shop_id, interval))
    return due


def start_refund_pull(session: Session, *, shop_id: int, now: datetime | None = None) -> PullJob:
    """A running `refunds` log: window [cursor - overlap, now] (at most MAX_WINDOW long)."""
    now = now or utcnow()
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFoundError(key="shops.err.not_found", shop_id=shop_id)
    cursor = shop.last_refund_cursor_at
    start = (cursor - OVERLAP) if cursor is not None else now - FIRST_LOOKBACK
    end = min(now, start + MAX_WINDOW)
    log = PullLog(
        shop_id=shop_id, kind=KIND, status="running", window_start=start, window_end=end, created_at=now, started_at=now
    )
    session.add(log)
    session.flush()
    return PullJob(log.id, shop_id, KIND, start, end)


def cursor_after(
    session: Session,
    *,
    shop_id: int,
    window_end: datetime,
    refunds: list[tuple[str, datetime | None]],
    now: datetime | None = None,
) -> datetime:
    """Where a successful run may move the cursor: its window's end, unless a refund (order id,
    update time) came for an order not in the OMS yet (then just before it, within the hold)."""
    now = now or utcnow()
    ids = sorted({order_id for order_id, _ in refunds})
    if not ids:
        return window_end
    known = set(
        session.execute(
            sa.select(Order.platform_order_id).where(Order.shop_id == shop_id, Order.platform_order_id.in_(ids))
        ).scalars()
    )
    waiting = [at for order_id, at in refunds if order_id not in known and at is not None and now - at < HOLD_FOR_ORDER]
    return min([window_end, *(at - timedelta(seconds=1) for at in waiting)])
