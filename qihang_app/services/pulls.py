"""Order pulls from the platforms: the cron sweep that backs up at-least-once pushes, and manual
pulls of a chosen time range. Each pull is one `PullLog` row (window, pages, orders, duration,
result, error); the shop's `last_sweep_cursor_at` moves only after a successful sweep.

Workers call the functions without an actor; the UI calls `request_pull`, `recent_pulls` and
`get_pull` with one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import partners
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import Order, PullLog, Shop, utcnow

from . import audit
from .errors import NotFoundError, ValidationError
from .scope import Actor, ScopeError, require_permission, require_store, store_filter


def pullable_platforms() -> list[str]:
    """Platforms whose adapter declares an order pull (domain.partners profiles)."""
    return [p.code for p in partners.profiles() if p.pullable]


def _logged_platforms() -> list[str]:
    """Platforms whose shops have pull logs: order pulls, or refund pulls (services.refund_pulls)."""
    return [p.code for p in partners.profiles() if p.pullable or p.refunds_pullable]


def pullable(platform: str) -> bool:
    found = partners.profile(platform)
    return bool(found and found.pullable)


OVERLAP = timedelta(minutes=5)  # each sweep re-reads this much before its cursor
FIRST_SWEEP_LOOKBACK = timedelta(hours=2)  # a shop never swept starts here
MAX_MANUAL_RANGE = timedelta(days=7)
STALE_RUNNING = timedelta(minutes=15)  # a `running` pull older than this was interrupted
KEEP_LOGS = timedelta(days=7)
INTERRUPTED = "pulls.err.interrupted"  # a catalog key: the page shows it in the reader's language
OPEN_STATUSES = (OrderStatus.AWAITING_ACCEPT.value, OrderStatus.TO_SHIP.value, OrderStatus.SHIPPED.value)


@dataclass(frozen=True)
class PullView:
    """A pull log row for the UI."""

    id: int
    shop_id: int
    kind: str
    status: str
    window_start: datetime | None
    window_end: datetime | None
    pages: int
    orders: int
    changed: int
    duration_ms: int | None
    error: str
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, log: PullLog) -> PullView:
        return cls(
            id=log.id,
            shop_id=log.shop_id,
            kind=log.kind,
            status=log.status,
            window_start=log.window_start,
            window_end=log.window_end,
            pages=log.pages,
            orders=log.orders,
            changed=log.changed,
            duration_ms=log.duration_ms,
            error=log.error or "",
            created_at=log.created_at,
            finished_at=log.finished_at,
        )


@dataclass(frozen=True)
class PullJob:
    """What a worker needs to run one pull."""

    pull_id: int
    shop_id: int
    kind: str
    window_start: datetime
    window_end: datetime


# -- for workers ------------------------------------------------------------------------------


def due_sweeps(session: Session, *, now: datetime | None = None) -> list[tuple[int, int]]:
    """(shop_id, interval seconds) of enabled, pullable shops whose last sweep started at least
    one interval ago (or never ran)."""
    now = now or utcnow()
    last = (
        sa.select(PullLog.shop_id, sa.func.max(PullLog.created_at).label("last"))
        .where(PullLog.kind == "sweep")
        .group_by(PullLog.shop_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Shop.id, Shop.sweep_interval_seconds, last.c.last)
        .outerjoin(last, last.c.shop_id == Shop.id)
        .where(Shop.enabled, Shop.platform.in_(pullable_platforms()), Shop.credentials_encrypted != "")
        .order_by(Shop.id)
    ).all()
    due = []
    for shop_id, interval, last_at in rows:
        interval = max(1, int(interval or 60))
        if last_at is None or (now - last_at).total_seconds() >= interval:
            due.append((shop_id, interval))
    return due


def queued_pulls(session: Session, *, limit: int = 50) -> list[int]:
    return list(
        session.execute(
            sa.select(PullLog.id).where(PullLog.status == "queued").order_by(PullLog.id).limit(limit)
        ).scalars()
    )


def start_sweep(session: Session, *, shop_id: int, now: datetime | None = None) -> PullJob:
    """A running sweep log for the shop: window [cursor - overlap, now]."""
    now = now or utcnow()
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFoundError(key="shops.err.not_found", shop_id=shop_id)
    cursor = shop.last_sweep_cursor_at
    start = (cursor - OVERLAP) if cursor is not None else now - FIRST_SWEEP_LOOKBACK
    log = PullLog(
        shop_id=shop_id,
        kind="sweep",
        status="running",
        window_start=start,
        window_end=now,
        created_at=now,
        started_at=now,
    )
    session.add(log)
    session.flush()
    return PullJob(log.id, shop_id, "sweep", start, now)


def claim_pull(session: Session, *, pull_id: int, now: datetime | None = None) -> PullJob | None:
    """Move a queued manual pull to running; None when another worker took it (or it is gone)."""
    now = now or utcnow()
    claimed = session.execute(
        sa.update(PullLog)
        .where(PullLog.id == pull_id, PullLog.status == "queued")
        .values(status="running", started_at=now)
    ).rowcount
    if not claimed:
        return None
    log = session.get(PullLog, pull_id)
    session.refresh(log)
    return PullJob(log.id, log.shop_id, log.kind, log.window_start, log.window_end)


def record_progress(session: Session, *, pull_id: int, pages: int, orders: int, changed: int) -> None:
    session.execute(sa.update(PullLog).where(PullLog.id == pull_id).values(pages=pages, orders=orders, changed=changed))


def finish_pull(
    session: Session,
    *,
    pull_id: int,
    ok: bool,
    error: str | None = None,
    pages: int | None = None,
    orders: int | None = None,
    changed: int | None = None,
    cursor: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Close a pull log; a successful sweep also moves the shop's cursor of its kind (never backwards)."""
    now = now or utcnow()
    log = session.get(PullLog, pull_id)
    if log is None:
        return
    log.status = "ok" if ok else "failed"
    log.error = None if ok else (error or "failed")[:2000]
    log.finished_at = now
    started = log.started_at or log.created_at
    log.duration_ms = max(0, int((now - started).total_seconds() * 1000))
    for name, value in (("pages", pages), ("orders", orders), ("changed", changed)):
        if value is not None:
            setattr(log, name, value)
    session.add(log)
    if ok and cursor is not None:
        # each kind of pull has its own cursor: refunds (services.refund_pulls) or orders
        name = "last_refund_cursor_at" if log.kind == "refunds" else "last_sweep_cursor_at"
        shop = session.get(Shop, log.shop_id)
        if shop is not None and (getattr(shop, name) is None or cursor > getattr(shop, name)):
            setattr(shop, name, cursor)
            session.add(shop)
    session.flush()


def expire_stale(session: Session, *, now: datetime | None = None) -> int:
    """Running pulls whose worker died are marked failed; old logs are pruned."""
    now = now or utcnow()
    stale = session.execute(
        sa.update(PullLog)
        .where(PullLog.status == "running", PullLog.started_at < now - STALE_RUNNING)
        .values(status="failed", error=INTERRUPTED, finished_at=now)
    ).rowcount
    session.execute(
        sa.delete(PullLog).where(PullLog.created_at < now - KEEP_LOGS, PullLog.status.in_(("ok", "failed")))
    )
    return stale or 0


def known_day_seqs(session: Session, *, shop_id: int, since: datetime, until: datetime | None = None) -> dict[int, str]:
    """day_seq → platform order id of the shop's orders placed in [since, until)."""
    query = sa.select(Order.day_seq, Order.platform_order_id).where(
        Order.shop_id == shop_id, Order.placed_at >= since, Order.day_seq.is_not(None)
    )
    if until is not None:
        query = query.where(Order.placed_at < until)
    return {seq: order_id for seq, order_id in session.execute(query)}  # noqa: C416  (a Result is no mapping)


def open_order_ids(session: Session, *, shop_id: int, since: datetime, limit: int = 500) -> list[str]:
    """Orders still in fulfilment (placed since `since`), least recently changed first."""
    return list(
        session.execute(
            sa.select(Order.platform_order_id)
            .where(Order.shop_id == shop_id, Order.placed_at >= since, Order.status.in_(OPEN_STATUSES))
            .order_by(Order.updated_at)
            .limit(limit)
        ).scalars()
    )


# -- for the UI -------------------------------------------------------------------------------


def _shop_for(session: Session, actor: Actor, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        if actor.all_stores:
            raise NotFoundError(key="shops.err.not_found", shop_id=shop_id)
        raise ScopeError(f"无权访问店铺 {shop_id}", f"no access to shop {shop_id}")
    require_store(actor, shop.store_id)
    return shop


def request_pull(
    session: Session, *, actor: Actor, shop_id: int, start: datetime, end: datetime, now: datetime | None = None
) -> PullView:
    """Queue a manual pull of orders updated in [start, end]; a worker starts it within seconds.
    Admins and managers of the shop's store. One queued/running pull per shop at a time."""
    require_permission(actor, "shops.pull")
    shop = _shop_for(session, actor, shop_id)
    now = now or utcnow()
    if not pullable(shop.platform):
        raise ValidationError(key="pulls.err.unsupported", platform=shop.platform)
    if not shop.enabled:
        raise ValidationError(key="pulls.err.shop_disabled")
    for value in (start, end):
        if value.tzinfo is None:
            raise ValidationError(key="pulls.err.naive_time")
    end = min(end, now)
    if start >= end:
        raise ValidationError(key="pulls.err.start_after_end")
    if end - start > MAX_MANUAL_RANGE:
        raise ValidationError(key="pulls.err.too_long", days=MAX_MANUAL_RANGE.days)
    busy = session.execute(
        sa.select(PullLog.id)
        .where(PullLog.shop_id == shop_id, PullLog.kind == "manual", PullLog.status.in_(("queued", "running")))
        .limit(1)
    ).first()
    if busy:
        raise ValidationError(key="pulls.err.busy")
    log = PullLog(
        shop_id=shop_id,
        kind="manual",
        status="queued",
        window_start=start,
        window_end=end,
        requested_by=actor.user_id,
        created_at=now,
    )
    session.add(log)
    session.flush()
    audit.record(
        session, actor, "shop.pull", audit.Target("shop", shop.id, shop.store_id),
        after={"pull_id": log.id, "start": start.isoformat(), "end": end.isoformat()}, now=now,
    )  # fmt: skip
    return PullView.of(log)


def get_pull(session: Session, *, actor: Actor, pull_id: int) -> PullView:
    log = session.get(PullLog, pull_id)
    if log is None:
        raise NotFoundError(key="pulls.err.not_found", pull_id=pull_id)
    _shop_for(session, actor, log.shop_id)
    return PullView.of(log)


def recent_pulls(session: Session, *, actor: Actor, per_shop: int = 5) -> dict[int, list[PullView]]:
    """The last pulls of every shop the actor may see, newest first."""
    shop_ids = list(
        session.execute(
            select(Shop.id).where(store_filter(actor, Shop.store_id), Shop.platform.in_(_logged_platforms()))
        ).scalars()
    )
    result: dict[int, list[PullView]] = defaultdict(list)
    if not shop_ids:
        return result
    ranked = (
        sa.select(
            PullLog.id,
            sa.func.row_number()
            .over(partition_by=PullLog.shop_id, order_by=(PullLog.created_at.desc(), PullLog.id.desc()))
            .label("n"),
        )
        .where(PullLog.shop_id.in_(shop_ids), PullLog.kind != "products")  # 店铺商品 shows those
        .subquery()
    )
    logs = session.exec(
        select(PullLog)
        .join(ranked, ranked.c.id == PullLog.id)
        .where(ranked.c.n <= per_shop)
        .order_by(PullLog.shop_id, PullLog.created_at.desc(), PullLog.id.desc())
    ).all()
    for log in logs:
        result[log.shop_id].append(PullView.of(log))
    return result
