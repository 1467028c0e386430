"""Ingest: normalised platform data (PlatformOrder / PlatformEvent) → one idempotent order center.

Workers parse inbox rows with the platform adapters, fetch order details where a push is thin,
and hand the results here as `IngestItem`s, one per inbox row, or one per pulled order (sweep,
manual pull, detail fetch) whose raw payload is kept in the same transaction when it created or
changed an order or failed to apply — an unchanged re-read leaves no row behind, so sweeps that
re-read the same orders every minute do not grow the inbox. `apply_batch` applies many items in
one transaction:

* The key of an order is (platform, shop, platform order id): one row per key, ever.
* How a snapshot or an event changes the stored order (never backwards, status moves, refunds,
  rider progress, the 异常 mark) is decided by the pure `domain.order_merge` and
  `domain.order_event_merge`; `ingest_rows` loads the orders a batch touches and writes them back.
* Lines are replaced as a whole when they differ (manual SKU links are carried over) and new lines
  are auto-linked to ERP SKUs: shop SKU link, else outer code, else barcode (domain.sku_link).
* One OrderEvent per real change; nothing is written for duplicates.
* An item that fails leaves the batch's other items applied: its orders are restored to what
  they were before it.

Services never commit: the worker commits, then publishes the returned `changes` live.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain.order_event_merge import OrderNotKnownYet, merge_event
from qihang_app.domain.order_merge import merge_snapshot, new_order, order_key
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import EventKind, PlatformEvent, PlatformOrder
from qihang_app.models import Order, Shop, utcnow

from . import dispatch, stock
from .aftersale_intake import AfterSaleChange, record_platform_refund
from .inbox import RawMessage, claim_received, finish_rows, record_attempt, store_raw
from .ingest_rows import load_lines, load_refund_notes, load_shops, load_states, write_states
from .sku_links import LinkIndex
from .sku_links import chunks as _chunks

_orders = Order.__table__


@dataclass
class IngestItem:
    """What a worker made of one inbox row (or of one pulled order, then `raw` is set)."""

    inbox_id: int | None
    shop_id: int
    orders: list[PlatformOrder] = field(default_factory=list)  # full snapshots, applied first
    events: list[PlatformEvent] = field(default_factory=list)  # then these, in order
    error: str | None = None  # could not parse: the row becomes `failed`, kept for replay
    rejected: str | None = None  # failed verification: the row becomes `rejected`
    retry: str | None = None  # transient (platform unreachable): stays `received`, attempts+1
    raw: RawMessage | None = None  # a pulled payload (kept if it changed something or failed)
    source: str = ""  # how it came, for the event note: "push order_paid", "sweep", ...


@dataclass(frozen=True)
class OrderChange:
    """What the live board needs to know after commit."""

    order_id: int
    store_id: int
    status: str
    kind: str  # "new" | "changed"


@dataclass
class IngestResult:
    changes: list[OrderChange] = field(default_factory=list)
    after_sales: list[AfterSaleChange] = field(default_factory=list)  # new or moved after-sales
    processed: int = 0
    failed: int = 0
    rejected: int = 0
    retried: int = 0
    skipped: int = 0  # rows another worker already handled
    inbox_ids: list[int] = field(default_factory=list)  # rows kept for pulled payloads


# -- public API -------------------------------------------------------------------------------


def missing_orders(session: Session, *, keys: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (shop_id, platform_order_id) keys have no order yet (workers fetch their details)."""
    by_shop: dict[int, set[str]] = defaultdict(set)
    for shop_id, order_id in keys:
        by_shop[shop_id].add(str(order_id))
    missing: set[tuple[int, str]] = set()
    for shop_id, wanted in by_shop.items():
        found: set[str] = set()
        for chunk in _chunks(sorted(wanted)):
            found.update(
                session.execute(
                    sa.select(_orders.c.platform_order_id).where(
                        _orders.c.shop_id == shop_id, _orders.c.platform_order_id.in_(chunk)
                    )
                ).scalars()
            )
        missing.update((shop_id, o) for o in wanted - found)
    return missing


def apply_batch(session: Session, *, items: Sequence[IngestItem], now: datetime | None = None) -> IngestResult:
    """Apply many items in the caller's transaction (see the module docstring). Rows another
    worker already processed are skipped, so a job that runs twice changes nothing."""
    now = now or utcnow()
    result = IngestResult()
    items = list(items)

    # 1. Claim the inbox rows still waiting; others were handled by another worker meanwhile.
    #    Pulled payloads (raw set, no inbox id yet) are always live.
    claimed = claim_received(session, ids={i.inbox_id for i in items if i.inbox_id is not None})
    live = []
    for item in items:
        pulled = item.inbox_id is None and item.raw is not None
        if not pulled and (item.inbox_id is None or item.inbox_id not in claimed):
            result.skipped += 1
            continue
        live.append(item)

    # 2. Shops, existing orders (locked), lines that snapshots may replace, SKU lookups.
    shops = load_shops(session, {item.shop_id for item in live})
    keys = {(item.shop_id, o.platform_order_id) for item in live if _ok(item) for o in _snapshots(item)}
    keys |= {(item.shop_id, e.platform_order_id) for item in live if _ok(item) for e in item.events}
    states = load_states(session, keys, shops)
    load_lines(session, states, ((item.shop_id, o) for item in live if _ok(item) for o in _snapshots(item)))
    load_refund_notes(
        session,
        states,
        {
            (item.shop_id, str(e.platform_order_id))
            for item in live
            if _ok(item)
            for e in item.events
            if e.kind == EventKind.REFUND
        },
    )
    links = LinkIndex.build(
        session,
        ((item.shop_id, line) for item in live if _ok(item) for order in _snapshots(item) for line in order.lines),
    )

    # 3. Apply, row by row, in order.
    processed: list[int] = []
    failed: list[dict] = []
    rejected: list[dict] = []
    retry: dict[str, list[int]] = defaultdict(list)
    keep: list[RawMessage] = []  # pulled payloads worth keeping (they changed or failed)
    refunds: list[tuple[int, PlatformEvent, str]] = []  # applied refund messages → after-sale center
    for item in live:
        if item.inbox_id is None:
            if _apply_pulled(item, shops, states, links, now, keep):
                refunds.extend((item.shop_id, e, item.source or "sweep") for e in item.events if e.refund)
            continue
        if item.rejected:
            rejected.append({"b_id": item.inbox_id, "b_error": item.rejected[:2000]})
            continue
        if item.error:
            failed.append({"b_id": item.inbox_id, "b_error": item.error[:2000]})
            continue
        if item.retry:
            retry[item.retry[:2000]].append(item.inbox_id)
            continue
        shop = shops.get(item.shop_id)
        if shop is None:
            failed.append({"b_id": item.inbox_id, "b_error": f"shop {item.shop_id} is gone"})
            continue
        touched = {(item.shop_id, o.platform_order_id) for o in _snapshots(item)}
        touched |= {(item.shop_id, e.platform_order_id) for e in item.events}
        backup = {k: copy.deepcopy(states[k]) for k in touched if k in states}
        try:
            _apply_item(item, shop, states, links, now)
        except OrderNotKnownYet as exc:
            _restore(states, touched, backup)
            retry[f"order {exc} not known yet; waiting for its details"].append(item.inbox_id)
            continue
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            _restore(states, touched, backup)
            failed.append({"b_id": item.inbox_id, "b_error": f"{type(exc).__name__}: {exc}"[:2000]})
            continue
        processed.append(item.inbox_id)
        refunds.extend((item.shop_id, e, item.source or f"push {e.raw_type}") for e in item.events if e.refund)

    # 4. Write, then let shops that auto-accept take their new orders (same transaction: the
    #    platform confirm goes out through the outbox like a tap on 接单).
    written = write_states(session, states, now)
    result.changes = _auto_accept(
        session,
        [
            OrderChange(
                order_id=s.id,
                store_id=s.values["store_id"],
                status=s.values["status"],
                kind="new" if s.is_new else "changed",
            )
            for s in written
        ],
        now,
    )
    result.after_sales = _record_refunds(session, states, refunds, now)
    # 5. Stock follows the orders' new statuses (reserve, release, deduct) in the same transaction.
    stock.sync_orders(session, [c.order_id for c in result.changes], now=now)
    result.changes += _served(session, {c.order_id for c in result.changes})
    finish_rows(session, processed=processed, failed=failed, rejected=rejected, now=now)
    result.inbox_ids = store_raw(session, keep, now=now)
    for error, ids in retry.items():
        record_attempt(session, ids=ids, error=error)
    result.processed = len(processed) + sum(1 for m in keep if m.status == "processed")
    result.failed = len(failed) + sum(1 for m in keep if m.status == "failed")
    result.rejected, result.retried = len(rejected), sum(len(v) for v in retry.values())
    session.flush()
    return result


def _record_refunds(
    session: Session, states: dict, refunds: list[tuple[int, PlatformEvent, str]], now: datetime
) -> list[AfterSaleChange]:
    """Each applied refund message opens or moves its after-sale (the order exists by now)."""
    changes = []
    for shop_id, event, via in refunds:
        state = states.get((shop_id, str(event.platform_order_id)))
        if state is not None and state.id is not None:
            change = record_platform_refund(session, order_id=state.id, refund=event.refund, via=via, now=now)
            if change is not None:
                changes.append(change)
    return changes


def _auto_accept(session: Session, changes: list[OrderChange], now: datetime) -> list[OrderChange]:
    waiting = [c.order_id for c in changes if c.kind == "new" and c.status == OrderStatus.AWAITING_ACCEPT.value]
    if not waiting:
        return changes
    auto = set(
        session.execute(
            sa.select(Order.id)
            .join(Shop, Shop.id == Order.shop_id)
            .where(Order.id.in_(waiting), Shop.auto_accept.is_(True))
        ).scalars()
    )
    if not auto:
        return changes
    session.expire_all()  # the core writes above bypassed the identity map
    out = []
    for change in changes:
        if change.order_id in auto and change.kind == "new":
            order = session.get(Order, change.order_id)
            if order is not None and dispatch.maybe_auto_accept(session, order=order, now=now):
                change = replace(change, status=order.status)
        out.append(change)
    return out


def _served(session: Session, known: set[int]) -> list[OrderChange]:
    """Orders that were short and got the units a cancel gave back: their cards change too."""
    served = {order_id: store_id for order_id, store_id in stock.served_orders(session) if order_id not in known}
    if not served:
        return []
    rows = session.execute(sa.select(Order.id, Order.store_id, Order.status).where(Order.id.in_(sorted(served))))
    return [OrderChange(order_id=r.id, store_id=r.store_id, status=r.status, kind="changed") for r in rows]


# -- applying ---------------------------------------------------------------------------------


def _apply_pulled(
    item: IngestItem, shops: dict, states: dict, links: LinkIndex, now: datetime, keep: list[RawMessage]
) -> bool:
    """A pulled order (or refund): applied like a push; its raw payload is kept when it failed or
    changed something (an unchanged re-read, most of every sweep, leaves no row behind). True
    when it applied."""
    shop = shops.get(item.shop_id)
    error = item.error or (None if shop is not None else f"shop {item.shop_id} is gone")
    if error is None:
        touched = {(item.shop_id, str(o.platform_order_id)) for o in _snapshots(item)}
        touched |= {(item.shop_id, str(e.platform_order_id)) for e in item.events}
        backup = {k: copy.deepcopy(states[k]) for k in touched if k in states}
        before = _event_count(states, touched)
        try:
            _apply_item(item, shop, states, links, now)
        except OrderNotKnownYet:
            _restore(states, touched, backup)
            return False  # a refund of an order we never saw: the order sweep brings it first
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            _restore(states, touched, backup)
            error = f"{type(exc).__name__}: {exc}"
        else:
            if _event_count(states, touched) > before:
                keep.append(replace(item.raw, status="processed"))
            return True
    keep.append(replace(item.raw, status="failed", error=error[:2000]))
    return False


def _event_count(states: dict, keys: set) -> int:
    return sum(len(states[k].events) for k in keys if k in states)


def _ok(item: IngestItem) -> bool:
    return not (item.rejected or item.error or item.retry)


def _snapshots(item: IngestItem) -> list[PlatformOrder]:
    """Snapshots of the item: fetched details plus full orders carried by its events."""
    found = list(item.orders)
    for event in item.events:
        if event.order is not None and event.order.is_complete:
            found.append(event.order)
    return found


def _restore(states: dict, touched: set, backup: dict) -> None:
    for key in touched:
        if key in backup:
            states[key] = backup[key]
        else:
            states.pop(key, None)


def _apply_item(item: IngestItem, shop: dict, states: dict, links: LinkIndex, now: datetime) -> None:
    source = item.source
    for order in item.orders:
        _apply_snapshot(states, shop, order, links, now, source or "detail")
    for event in item.events:
        note = source or f"push {event.raw_type}"
        if event.order is not None and event.order.is_complete:
            _apply_snapshot(states, shop, event.order, links, now, note)
        _apply_event(states, shop, event, now, note)


def _apply_snapshot(states: dict, shop: dict, po: PlatformOrder, links: LinkIndex, now: datetime, note: str) -> None:
    key = order_key(shop, po.platform_order_id)
    state = states.get(key)
    if state is None:
        state = new_order(shop, po, now=now, note=note)
        state.new_lines = links.lines(shop["id"], po.lines, old=None)
        states[key] = state
    elif merge_snapshot(state, shop, po, note=note):
        state.new_lines = links.lines(shop["id"], po.lines, old=state.old_lines)
        state.old_lines = list(state.new_lines)


def _apply_event(states: dict, shop: dict, event: PlatformEvent, now: datetime, note: str) -> None:
    merge_event(states.get(order_key(shop, event.platform_order_id)), shop, event, now=now, note=note)
