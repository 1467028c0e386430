"""Ingest: normalised platform data (PlatformOrder / PlatformEvent) → one idempotent order center.

Workers parse inbox rows with the platform adapters, fetch order details where a push is thin,
and hand the results here as `IngestItem`s, one per inbox row, or one per pulled order (sweep,
manual pull, detail fetch) whose raw payload is kept in the same transaction when it created or
changed an order or failed to apply — an unchanged re-read leaves no row behind, so sweeps that
re-read the same orders every minute do not grow the inbox. `apply_batch` applies many items in
one transaction:

* The key of an order is (platform, shop, platform order id): one row per key, ever.
* A full snapshot (push or detail or pull) applies only if it is newer than what is stored, by
  the platform's version when both have one, else by its update time. Same time and a status
  that may move forward counts as newer (platforms stamp whole seconds); anything else equal is
  a duplicate and changes nothing; anything older changes nothing.
* Status only moves as `domain.order_flow.can_move` allows: never backwards, terminal stays.
* Thin events (confirm, cancel, refund, rider) move the status the same way but never advance the
  stored update time, so a full snapshot of the same moment still applies its other fields.
* Lines are replaced as a whole when they differ (manual SKU links are carried over) and new lines
  are auto-linked to ERP SKUs: shop SKU link, else outer code, else barcode (domain.sku_link).
* One OrderEvent per real change; nothing is written for duplicates.

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

from qihang_app.domain.board import refund_attention, rider_attention
from qihang_app.domain.order_flow import can_move
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    EventKind,
    PlatformEvent,
    PlatformOrder,
    PlatformOrderLine,
    RefundKind,
    RefundStatus,
)
from qihang_app.models import InboxMessage, Order, OrderEvent, OrderLine, Shop, phone_search_columns, utcnow

from . import dispatch
from .inbox import RawMessage, insert_returning_ids, store_raw
from .sku_links import LinkIndex
from .sku_links import chunks as _chunks

_orders = Order.__table__
_lines = OrderLine.__table__
_events = OrderEvent.__table__
_inbox = InboxMessage.__table__

# Columns a platform snapshot owns. Local-only columns (seller_memo, pending_action, ready_at,
# auto_accepted) are never written by ingest.
SNAPSHOT_COLUMNS = (
    "display_no", "day_seq", "buyer_memo", "receiver_name", "receiver_phone",
    "receiver_phone_tail", "receiver_phone_ext", "receiver_address", "receiver_lat", "receiver_lng", "delivery_type",
    "is_scheduled", "expected_delivery_at", "ship_deadline_at", "accept_deadline_at", "goods_fen",
    "freight_fen", "packing_fen", "platform_discount_fen", "merchant_discount_fen", "paid_fen",
    "merchant_receivable_fen", "placed_at", "paid_at",
)
STATUS_COLUMNS = ("status", "raw_status_code", "raw_status_text", "accepted_at", "shipped_at",
                  "delivered_at", "completed_at", "cancelled_at", "closed_at")
RIDER_COLUMNS = ("rider_name", "rider_phone", "rider_status")
VERSION_COLUMNS = ("platform_updated_at", "platform_version")
# 异常 mark: set by a refund request or a rider problem, cleared by staff (知道了).
ATTENTION_COLUMNS = ("exception_reason",)
CANCEL_COLUMNS = ("cancelled_by", "cancel_reason")  # the platform's words on a cancel (board mark)
UPDATE_COLUMNS = SNAPSHOT_COLUMNS + STATUS_COLUMNS + RIDER_COLUMNS + VERSION_COLUMNS + ATTENTION_COLUMNS + CANCEL_COLUMNS
INSERT_DEFAULTS = {
    "seller_memo": "", "auto_accepted": False, "pending_action": None, "ready_at": None,
    **{c: None for c in STATUS_COLUMNS + RIDER_COLUMNS + VERSION_COLUMNS + ATTENTION_COLUMNS + CANCEL_COLUMNS},
}
STATUS_TIME = {
    OrderStatus.TO_SHIP: "accepted_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
    OrderStatus.CLOSED: "closed_at",
}
# Rider progress: a late, older rider message never overwrites a newer one.
_RIDER_RANK = {
    DeliveryStatus.AWAITING_RIDER: 0,
    DeliveryStatus.RIDER_ACCEPTED: 1,
    DeliveryStatus.AT_STORE: 2,
    DeliveryStatus.DELIVERING: 3,
    DeliveryStatus.DELIVERED: 4,
}
_RIDER_MOVES_ORDER = {
    DeliveryStatus.DELIVERING: OrderStatus.SHIPPED,
    DeliveryStatus.DELIVERED: OrderStatus.COMPLETED,
}


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
    processed: int = 0
    failed: int = 0
    rejected: int = 0
    retried: int = 0
    skipped: int = 0  # rows another worker already handled
    inbox_ids: list[int] = field(default_factory=list)  # rows kept for pulled payloads


@dataclass
class _State:
    key: tuple[int, str]
    values: dict
    id: int | None = None
    is_new: bool = False
    changed: bool = False
    new_lines: list[dict] | None = None  # replacement lines (with link columns) or None
    old_lines: list[dict] | None = None  # stored lines, loaded when a snapshot may replace them
    events: list[dict] = field(default_factory=list)
    refund_notes: set[str] | None = None


class _Missing(Exception):
    """An event for an order the center does not know yet (and no snapshot came with it)."""


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
            found.update(session.execute(
                sa.select(_orders.c.platform_order_id).where(
                    _orders.c.shop_id == shop_id, _orders.c.platform_order_id.in_(chunk))
            ).scalars())
        missing.update((shop_id, o) for o in wanted - found)
    return missing


def apply_batch(session: Session, *, items: Sequence[IngestItem],
                now: datetime | None = None) -> IngestResult:
    """Apply many items in the caller's transaction (see the module docstring). Rows another
    worker already processed are skipped, so a job that runs twice changes nothing."""
    now = now or utcnow()
    result = IngestResult()
    items = list(items)

    # 1. Claim the inbox rows still waiting; others were handled by another worker meanwhile.
    #    Pulled payloads (raw set, no inbox id yet) are always live.
    wanted = sorted({i.inbox_id for i in items if i.inbox_id is not None})
    claimed: set[int] = set()
    for chunk in _chunks(wanted):
        query = sa.select(_inbox.c.id).where(_inbox.c.id.in_(chunk),
                                             _inbox.c.status == "received")
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed.update(session.execute(query).scalars())
    live = []
    for item in items:
        pulled = item.inbox_id is None and item.raw is not None
        if not pulled and (item.inbox_id is None or item.inbox_id not in claimed):
            result.skipped += 1
            continue
        live.append(item)

    # 3. Shops, existing orders (locked), lines that snapshots may replace, SKU lookups.
    shops = _shops(session, {item.shop_id for item in live})
    keys = {(item.shop_id, o.platform_order_id) for item in live if _ok(item)
            for o in _snapshots(item)}
    keys |= {(item.shop_id, e.platform_order_id) for item in live if _ok(item)
             for e in item.events}
    states = _load_states(session, keys, shops)
    _load_lines(session, states, live)
    links = LinkIndex.build(session, ((item.shop_id, line) for item in live if _ok(item)
                                       for order in _snapshots(item) for line in order.lines))

    # 4. Apply, row by row, in order.
    processed: list[int] = []
    failed: list[dict] = []
    rejected: list[dict] = []
    retry: dict[str, list[int]] = defaultdict(list)
    keep: list[RawMessage] = []  # pulled payloads worth keeping (they changed or failed)
    for item in live:
        if item.inbox_id is None:
            _apply_pulled(item, shops, states, links, now, keep)
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
        except _Missing as exc:
            _restore(states, touched, backup)
            retry[f"order {exc} not known yet; waiting for its details"].append(item.inbox_id)
            continue
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            _restore(states, touched, backup)
            failed.append({"b_id": item.inbox_id,
                           "b_error": f"{type(exc).__name__}: {exc}"[:2000]})
            continue
        processed.append(item.inbox_id)

    # 5. Write, then let shops that auto-accept take their new orders (same transaction: the
    #    platform confirm goes out through the outbox like a tap on 接单).
    result.changes = _auto_accept(session, _flush(session, states, now), now)
    _finish_rows(session, processed, failed, rejected, now)
    result.inbox_ids = store_raw(session, keep, now=now)
    for error, ids in retry.items():
        _retry_rows(session, ids, error)
    result.processed = len(processed) + sum(1 for m in keep if m.status == "processed")
    result.failed = len(failed) + sum(1 for m in keep if m.status == "failed")
    result.rejected, result.retried = len(rejected), sum(len(v) for v in retry.values())
    session.flush()
    return result


def _auto_accept(session: Session, changes: list[OrderChange], now: datetime) -> list[OrderChange]:
    waiting = [c.order_id for c in changes if c.kind == "new" and c.status == OrderStatus.AWAITING_ACCEPT.value]
    if not waiting:
        return changes
    auto = set(session.execute(
        sa.select(Order.id).join(Shop, Shop.id == Order.shop_id)
        .where(Order.id.in_(waiting), Shop.auto_accept.is_(True))
    ).scalars())
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


# -- applying ---------------------------------------------------------------------------------


def _apply_pulled(item: IngestItem, shops: dict, states: dict, links: LinkIndex,
                  now: datetime, keep: list[RawMessage]) -> None:
    """A pulled order: applied like a push; its raw payload is kept when it failed or changed
    something (an unchanged re-read, most of every sweep, leaves no row behind)."""
    shop = shops.get(item.shop_id)
    error = item.error or (None if shop is not None else f"shop {item.shop_id} is gone")
    if error is None:
        touched = {(item.shop_id, str(o.platform_order_id)) for o in _snapshots(item)}
        backup = {k: copy.deepcopy(states[k]) for k in touched if k in states}
        before = _event_count(states, touched)
        try:
            _apply_item(item, shop, states, links, now)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            _restore(states, touched, backup)
            error = f"{type(exc).__name__}: {exc}"
        else:
            if _event_count(states, touched) > before:
                keep.append(replace(item.raw, status="processed"))
            return
    keep.append(replace(item.raw, status="failed", error=error[:2000]))


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


def _apply_item(item: IngestItem, shop: dict, states: dict, links: LinkIndex,
                now: datetime) -> None:
    source = item.source
    for order in item.orders:
        _apply_snapshot(states, shop, order, links, now, source or "detail")
    for event in item.events:
        note = source or f"push {event.raw_type}"
        if event.order is not None and event.order.is_complete:
            _apply_snapshot(states, shop, event.order, links, now, note)
        _apply_event(states, shop, event, now, note)


def _apply_snapshot(states: dict, shop: dict, po: PlatformOrder, links: LinkIndex,
                    now: datetime, note: str) -> None:
    key = (shop["id"], str(po.platform_order_id))
    state = states.get(key)
    values = _snapshot_values(po)
    status = OrderStatus(po.status)
    if state is None:
        if status == OrderStatus.INVALID:
            raise ValueError("a platform never reports an order as invalid")
        state = _State(key=key, is_new=True, changed=True, values={
            **INSERT_DEFAULTS,
            "platform": shop["platform"], "shop_id": shop["id"], "store_id": shop["store_id"],
            "platform_order_id": str(po.platform_order_id),
            **values,
            "merchant_receivable_fen": values["merchant_receivable_fen"] or 0,
            "status": status.value, "raw_status_code": po.raw_status_code or None,
            "raw_status_text": po.raw_status_text or None,
            "platform_updated_at": po.updated_at, "platform_version": po.version,
            "created_at": now, "updated_at": now,
        })
        if status in STATUS_TIME:
            state.values[STATUS_TIME[status]] = po.updated_at
        state.new_lines = links.lines(shop["id"], po.lines, old=None)
        state.events.append(_event(shop, "created", None, status.value, note))
        states[key] = state
        return

    current = OrderStatus(state.values["status"])
    if current == OrderStatus.INVALID:  # a split parent: its children carry the state
        return
    newer = _newer(po, state.values)
    moves = status != current and can_move(current, status)
    if newer is False or (newer is None and not moves):
        return  # older, or a duplicate
    changed_fields = []
    for column, value in values.items():
        if column == "merchant_receivable_fen" and value is None:
            continue
        if state.values.get(column) != value:
            state.values[column] = value
            changed_fields.append(column)
    state.values["platform_updated_at"] = po.updated_at
    state.values["platform_version"] = po.version
    if moves:
        _move(state, shop, status, po.updated_at, note, po.raw_status_code, po.raw_status_text)
    elif status == current:
        state.values["raw_status_code"] = po.raw_status_code or None
        state.values["raw_status_text"] = po.raw_status_text or None
    if _line_key(po.lines) != _stored_line_key(state):
        state.new_lines = links.lines(shop["id"], po.lines, old=state.old_lines)
        state.old_lines = list(state.new_lines)
        changed_fields.append("lines")
    visible = [c for c in changed_fields if c not in ("receiver_phone_tail", "receiver_phone_ext")]
    if visible:
        state.events.append(_event(shop, "updated", None, None,
                                   f"{note}: {', '.join(visible)}"))
    state.changed = True  # at least the platform time moved


def _apply_event(states: dict, shop: dict, event: PlatformEvent, now: datetime,
                 note: str) -> None:
    key = (shop["id"], str(event.platform_order_id))
    state = states.get(key)
    if event.kind in (EventKind.ORDER, EventKind.ORDER_REF):
        if state is None:
            raise _Missing(event.platform_order_id)
        return  # the snapshot (carried or fetched) did the work
    if state is None:
        raise _Missing(event.platform_order_id)
    if OrderStatus(state.values["status"]) == OrderStatus.INVALID:
        return
    at = event.occurred_at or now
    if event.kind == EventKind.CONFIRMED:
        _maybe_move(state, shop, OrderStatus.TO_SHIP, at, note, event.raw_status_code)
    elif event.kind == EventKind.CANCEL:
        reason = " ".join(x for x in (event.cancelled_by, event.cancel_reason_code,
                                      event.cancel_reason) if x)
        _maybe_move(state, shop, OrderStatus.CANCELLED, at,
                    f"{note} {reason}".strip(), event.raw_status_code)
        if state.values["status"] == OrderStatus.CANCELLED.value and (event.cancelled_by or event.cancel_reason):
            cancel = {"cancelled_by": event.cancelled_by or None, "cancel_reason": event.cancel_reason or None}
            if any(state.values.get(k) != v for k, v in cancel.items()):
                state.values.update(cancel)
                state.changed = True
    elif event.kind == EventKind.REFUND and event.refund is not None:
        _apply_refund(state, shop, event, at, note)
    elif event.kind == EventKind.DELIVERY and event.delivery is not None:
        _apply_delivery(state, shop, event, at, note)


def _apply_refund(state: _State, shop: dict, event: PlatformEvent, at: datetime,
                  note: str) -> None:
    refund = event.refund
    amount = "" if refund.amount_fen is None else f" {refund.amount_fen}分"
    text = (f"退款 {refund.kind.value}/{refund.status.value}{amount} "
            f"#{refund.platform_refund_id} {refund.reason}").strip()
    if state.refund_notes is None:
        state.refund_notes = set()
    if text not in state.refund_notes:  # a re-delivered refund message records nothing new
        state.refund_notes.add(text)
        state.events.append(_event(shop, "refund", None, None, f"{text} ({note})"))
        state.changed = True
        _attention(state, refund_attention(kind=refund.kind, status=refund.status, amount_fen=refund.amount_fen,
                                           reason=refund.reason, accepted=bool(state.values.get("accepted_at"))))
    if refund.status == RefundStatus.SUCCEEDED and refund.kind == RefundKind.FULL:
        _maybe_move(state, shop, OrderStatus.CLOSED, at, f"{note} 全额退款",
                    event.raw_status_code, text="全额退款")


def _apply_delivery(state: _State, shop: dict, event: PlatformEvent, at: datetime,
                    note: str) -> None:
    delivery = event.delivery
    new, stored = delivery.status, state.values.get("rider_status")
    stored_rank = _RIDER_RANK.get(DeliveryStatus(stored)) if stored in set(DeliveryStatus) else None
    new_rank = _RIDER_RANK.get(new)
    stale = new_rank is not None and stored_rank is not None and new_rank < stored_rank
    if not stale:
        rider = {"rider_status": new.value,
                 "rider_name": delivery.rider_name or state.values.get("rider_name"),
                 "rider_phone": delivery.rider_phone or state.values.get("rider_phone")}
        if any(state.values.get(k) != v for k, v in rider.items()):
            state.values.update(rider)
            if new == DeliveryStatus.DELIVERED and not state.values.get("delivered_at"):
                state.values["delivered_at"] = at
            state.events.append(_event(shop, "delivery", None, None,
                                       f"{note} {new.value} {delivery.rider_name}".strip()))
            state.changed = True
            if OrderStatus(state.values["status"]) not in ENDED_STATUSES:
                _attention(state, rider_attention(status=new, rider_name=delivery.rider_name or ""))
    target = _RIDER_MOVES_ORDER.get(new)
    if target is not None:
        _maybe_move(state, shop, target, at, note, "")


ENDED_STATUSES = (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.CLOSED)


def _attention(state: _State, reason: str) -> None:
    """Put the card in 异常 with this reason (staff clear it with 知道了)."""
    if reason and state.values.get("exception_reason") != reason:
        state.values["exception_reason"] = reason
        state.changed = True


def _maybe_move(state: _State, shop: dict, target: OrderStatus, at: datetime, note: str,
                raw_code: str, *, text: str = "") -> None:
    current = OrderStatus(state.values["status"])
    if target != current and can_move(current, target):
        _move(state, shop, target, at, note, raw_code or None, text or None)


def _move(state: _State, shop: dict, target: OrderStatus, at: datetime, note: str,
          raw_code: str | None, raw_text: str | None) -> None:
    current = state.values["status"]
    state.values["status"] = target.value
    if raw_code:
        state.values["raw_status_code"] = raw_code
        state.values["raw_status_text"] = raw_text or None
    column = STATUS_TIME.get(target)
    if column and state.values.get(column) is None:
        state.values[column] = at
    state.events.append(_event(shop, "status", current, target.value, note))
    state.changed = True


def _newer(po: PlatformOrder, values: dict) -> bool | None:
    """True newer, False older, None the same moment."""
    stored_version, stored_at = values.get("platform_version"), values.get("platform_updated_at")
    if po.version is not None and stored_version is not None:
        return None if po.version == stored_version else po.version > stored_version
    if stored_at is None:
        return True
    if po.updated_at == stored_at:
        return None
    return po.updated_at > stored_at


def _snapshot_values(po: PlatformOrder) -> dict:
    return {
        "display_no": po.display_no or str(po.platform_order_id),
        "day_seq": po.day_seq,
        "buyer_memo": po.buyer_memo or "",
        "receiver_name": po.receiver_name or "",
        "receiver_phone": po.receiver_phone or "",
        **phone_search_columns(po.receiver_phone),
        "receiver_address": po.receiver_address or "",
        "receiver_lat": po.lat,
        "receiver_lng": po.lng,
        "delivery_type": str(po.delivery_type.value if po.delivery_type is not None else ""),
        "is_scheduled": bool(po.is_scheduled),
        "expected_delivery_at": po.expected_delivery_at,
        "ship_deadline_at": po.ship_deadline_at,
        "accept_deadline_at": po.accept_deadline_at,
        "goods_fen": int(po.goods_fen),
        "freight_fen": int(po.freight_fen),
        "packing_fen": int(po.packing_fen),
        "platform_discount_fen": int(po.platform_discount_fen),
        "merchant_discount_fen": int(po.merchant_discount_fen),
        "paid_fen": int(po.paid_fen),
        "merchant_receivable_fen": (None if po.merchant_receivable_fen is None
                                    else int(po.merchant_receivable_fen)),
        "placed_at": po.placed_at,
        "paid_at": po.paid_at,
    }


def _event(shop: dict, kind: str, from_status: str | None, to_status: str | None,
           note: str) -> dict:
    return {"actor": f"platform:{shop['platform']}", "kind": kind, "from_status": from_status,
            "to_status": to_status, "note": note[:2000]}


# -- lines and SKU links ----------------------------------------------------------------------

_LINE_FIELDS = ("platform_item_id", "platform_sku_id", "outer_sku_code", "barcode", "name",
                "spec", "quantity", "unit_price_fen", "allocated_discount_fen", "paid_fen")


def _line_key(lines: Sequence[PlatformOrderLine]) -> tuple:
    return tuple(
        (str(l.platform_item_id), str(l.platform_sku_id), l.outer_sku_code or "",
         l.barcode or "", l.name or "", l.spec or "", int(l.quantity), int(l.unit_price_fen),
         int(l.discount_fen), int(l.paid_fen))
        for l in lines
    )


def _stored_line_key(state: _State) -> tuple:
    lines = state.new_lines if state.new_lines is not None else state.old_lines or []
    return tuple(tuple(line[f] for f in _LINE_FIELDS) for line in lines)


# -- loading and writing ----------------------------------------------------------------------


def _shops(session: Session, shop_ids: set[int]) -> dict[int, dict]:
    if not shop_ids:
        return {}
    rows = session.execute(
        sa.select(Shop.id, Shop.store_id, Shop.platform).where(Shop.id.in_(sorted(shop_ids)))
    ).all()
    return {r.id: {"id": r.id, "store_id": r.store_id, "platform": r.platform} for r in rows}


def _load_states(session: Session, keys: set[tuple[int, str]], shops: dict) -> dict:
    """Existing orders of the batch, in one query (locked on PostgreSQL, in id order)."""
    states: dict[tuple[int, str], _State] = {}
    keys = {(shop_id, str(order_id)) for shop_id, order_id in keys if shop_id in shops}
    if not keys:
        return states
    platforms = sorted({shops[shop_id]["platform"] for shop_id, _ in keys})
    shop_ids = sorted({shop_id for shop_id, _ in keys})
    lock = session.get_bind().dialect.name == "postgresql"
    for chunk in _chunks(sorted({order_id for _, order_id in keys})):
        query = (
            sa.select(_orders)
            .where(_orders.c.platform.in_(platforms), _orders.c.shop_id.in_(shop_ids),
                   _orders.c.platform_order_id.in_(chunk))
            .order_by(_orders.c.id)
        )
        if lock:  # concurrent workers on the same order wait for each other
            query = query.with_for_update()
        for row in session.execute(query).mappings():
            key = (row["shop_id"], row["platform_order_id"])
            if key in keys:
                states[key] = _State(key=key, values=dict(row), id=row["id"])
    return states


def _load_lines(session: Session, states: dict, items: Sequence[IngestItem]) -> None:
    """Stored lines of existing orders a snapshot might update (for comparison and links)."""
    wanted: dict[int, _State] = {}
    for item in items:
        if not _ok(item):
            continue
        for order in _snapshots(item):
            state = states.get((item.shop_id, str(order.platform_order_id)))
            if state is not None and not state.is_new and _newer(order, state.values) is not False:
                wanted[state.id] = state
    for state in wanted.values():
        state.old_lines = []
    for chunk in _chunks(sorted(wanted)):
        rows = session.execute(
            sa.select(_lines).where(_lines.c.order_id.in_(chunk))
            .order_by(_lines.c.order_id, _lines.c.line_no)
        ).mappings()
        for row in rows:
            wanted[row["order_id"]].old_lines.append(dict(row))
    # Refund notes already recorded, so a re-delivered refund message adds no second event.
    refund_orders = {
        states[(item.shop_id, str(e.platform_order_id))].id
        for item in items if _ok(item) for e in item.events
        if e.kind == EventKind.REFUND and (item.shop_id, str(e.platform_order_id)) in states
    }
    by_id = {s.id: s for s in states.values()}
    for state_id in refund_orders:
        by_id[state_id].refund_notes = set()
    for chunk in _chunks(sorted(refund_orders)):
        for order_id, note in session.execute(
            sa.select(_events.c.order_id, _events.c.note).where(
                _events.c.order_id.in_(chunk), _events.c.kind == "refund")
        ):
            by_id[order_id].refund_notes.add(note.rsplit(" (", 1)[0])


def _flush(session: Session, states: dict, now: datetime) -> list[OrderChange]:
    new = [s for s in states.values() if s.is_new]
    if new:
        ids = insert_returning_ids(session, _orders, [s.values for s in new])
        for state, order_id in zip(new, ids):
            state.id = order_id
    changed = [s for s in states.values() if s.changed and not s.is_new]
    if changed:
        rows = []
        for state in changed:
            row = {c: state.values.get(c) for c in UPDATE_COLUMNS}
            row["updated_at"] = now
            row["b_id"] = state.id
            rows.append(row)
        session.execute(_orders.update().where(_orders.c.id == sa.bindparam("b_id")), rows)
    replaced = [s.id for s in changed if s.new_lines is not None]
    for chunk in _chunks(sorted(replaced)):
        session.execute(_lines.delete().where(_lines.c.order_id.in_(chunk)))
    line_rows = [{**line, "order_id": s.id} for s in states.values() if s.new_lines is not None
                 for line in s.new_lines]
    if line_rows:
        session.execute(_lines.insert(), line_rows)
    event_rows = [{**event, "order_id": s.id, "at": now} for s in states.values()
                  for event in s.events]
    if event_rows:
        session.execute(_events.insert(), event_rows)
    return [
        OrderChange(order_id=s.id, store_id=s.values["store_id"], status=s.values["status"],
                    kind="new" if s.is_new else "changed")
        for s in states.values() if s.is_new or (s.changed and s.events)
    ]


def _finish_rows(session: Session, processed: list[int], failed: list[dict],
                 rejected: list[dict], now: datetime) -> None:
    for chunk in _chunks(sorted(processed)):
        session.execute(_inbox.update().where(_inbox.c.id.in_(chunk))
                        .values(status="processed", processed_at=now, error=None))
    for status, rows in (("failed", failed), ("rejected", rejected)):
        if rows:
            session.execute(
                _inbox.update().where(_inbox.c.id == sa.bindparam("b_id"))
                .values(status=status, processed_at=now, error=sa.bindparam("b_error"),
                        attempts=_inbox.c.attempts + 1),
                rows,
            )


def _retry_rows(session: Session, ids: list[int], error: str) -> None:
    from .inbox import record_attempt

    record_attempt(session, ids=ids, error=error)
