"""How a platform snapshot (a full PlatformOrder) is merged into the stored order (pure).

The stored order is held as a `MergeState`: its column values as a plain dict plus what the
merge has done to it (events to record, whether it changed). Rules decided here:

* A snapshot applies only if it is newer than what is stored, by the platform's version when
  both have one, else by its update time. Same moment and a status that may move forward counts
  as newer (platforms stamp whole seconds); anything else equal is a duplicate and changes
  nothing; anything older changes nothing.
* Status only moves as `order_flow.can_move` allows: never backwards, terminal stays. A status
  move stamps its time column once (`STATUS_TIME`).
* A split parent (invalid) is never touched: its children carry the state.
* Only the columns a platform owns are written (`UPDATE_COLUMNS`); local columns (seller memo,
  pending action, ready time, auto-accept) are never touched.
* Lines are compared as a whole; when they differ the caller re-links them (that needs the
  SKU lookups loaded from the database).

Event rules (confirm, cancel, refund, rider) are in `order_event_merge`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qihang_app.domain.display import extension_tail, phone_tail
from qihang_app.domain.order_flow import can_move
from qihang_app.domain.order_notes import updated_note
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import PlatformOrder, PlatformOrderLine

# Columns a platform snapshot owns. Local-only columns (seller_memo, pending_action, ready_at,
# auto_accepted) are never written by ingest.
SNAPSHOT_COLUMNS = (
    "display_no",
    "day_seq",
    "buyer_memo",
    "receiver_name",
    "receiver_phone",
    "receiver_phone_tail",
    "receiver_phone_ext",
    "receiver_address",
    "receiver_lat",
    "receiver_lng",
    "delivery_type",
    "is_scheduled",
    "expected_delivery_at",
    "ship_deadline_at",
    "accept_deadline_at",
    "goods_fen",
    "freight_fen",
    "packing_fen",
    "platform_discount_fen",
    "merchant_discount_fen",
    "paid_fen",
    "merchant_receivable_fen",
    "placed_at",
    "paid_at",
)
STATUS_COLUMNS = (
    "status",
    "raw_status_code",
    "raw_status_text",
    "accepted_at",
    "shipped_at",
    "delivered_at",
    "completed_at",
    "cancelled_at",
    "closed_at",
)
RIDER_COLUMNS = ("rider_name", "rider_phone", "rider_status")
VERSION_COLUMNS = ("platform_updated_at", "platform_version")
# 异常 mark: set by a refund request or a rider problem, cleared by staff (知道了).
ATTENTION_COLUMNS = ("exception_reason",)
CANCEL_COLUMNS = ("cancelled_by", "cancel_reason")  # the platform's words on a cancel (board mark)
UPDATE_COLUMNS = (
    SNAPSHOT_COLUMNS + STATUS_COLUMNS + RIDER_COLUMNS + VERSION_COLUMNS + ATTENTION_COLUMNS + CANCEL_COLUMNS
)
INSERT_DEFAULTS = {
    "seller_memo": "",
    "auto_accepted": False,
    "pending_action": None,
    "ready_at": None,
    **dict.fromkeys(STATUS_COLUMNS + RIDER_COLUMNS + VERSION_COLUMNS + ATTENTION_COLUMNS + CANCEL_COLUMNS),
}
STATUS_TIME = {
    OrderStatus.TO_SHIP: "accepted_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
    OrderStatus.CLOSED: "closed_at",
}
# Order line fields compared to decide whether a snapshot's lines replace the stored ones.
LINE_FIELDS = (
    "platform_item_id",
    "platform_sku_id",
    "outer_sku_code",
    "barcode",
    "name",
    "spec",
    "quantity",
    "unit_price_fen",
    "allocated_discount_fen",
    "paid_fen",
    "platform_line_id",
    "refund_status",
)

# What the merge needs to know of the shop: {"id": int, "store_id": int, "platform": str}.
ShopRef = Mapping[str, Any]


@dataclass
class MergeState:
    """The working copy of one order while a batch is merged into the order center."""

    key: tuple[int, str]  # (shop id, platform order id)
    values: dict  # the order's columns
    id: int | None = None
    is_new: bool = False
    changed: bool = False
    new_lines: list[dict] | None = None  # replacement lines (with link columns) or None
    old_lines: list[dict] | None = None  # stored lines, loaded when a snapshot may replace them
    events: list[dict] = field(default_factory=list)  # order events to record
    refund_notes: set[str] | None = None  # refund texts already recorded (no second event)


def order_key(shop: ShopRef, platform_order_id: str) -> tuple[int, str]:
    return (shop["id"], str(platform_order_id))


def is_newer(po: PlatformOrder, values: Mapping) -> bool | None:
    """True newer, False older, None the same moment."""
    stored_version, stored_at = values.get("platform_version"), values.get("platform_updated_at")
    if po.version is not None and stored_version is not None:
        return None if po.version == stored_version else po.version > stored_version
    if stored_at is None:
        return True
    if po.updated_at == stored_at:
        return None
    return po.updated_at > stored_at


def snapshot_values(po: PlatformOrder) -> dict:
    """The platform-owned columns of a snapshot."""
    return {
        "display_no": po.display_no or str(po.platform_order_id),
        "day_seq": po.day_seq,
        "buyer_memo": po.buyer_memo or "",
        "receiver_name": po.receiver_name or "",
        "receiver_phone": po.receiver_phone or "",
        # the 尾号 search columns (same rule as models.phone_search_columns)
        "receiver_phone_tail": phone_tail(po.receiver_phone),
        "receiver_phone_ext": extension_tail(po.receiver_phone),
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
        "merchant_receivable_fen": (None if po.merchant_receivable_fen is None else int(po.merchant_receivable_fen)),
        "placed_at": po.placed_at,
        "paid_at": po.paid_at,
    }


def platform_event(shop: ShopRef, kind: str, from_status: str | None, to_status: str | None, note: str) -> dict:
    """An order event row (without order id and time) written on behalf of the platform."""
    return {
        "actor": f"platform:{shop['platform']}",
        "kind": kind,
        "from_status": from_status,
        "to_status": to_status,
        "note": note[:2000],
    }


def new_order(shop: ShopRef, po: PlatformOrder, *, now: datetime, note: str) -> MergeState:
    """The state of an order seen for the first time (its lines are linked by the caller)."""
    values = snapshot_values(po)
    status = OrderStatus(po.status)
    if status == OrderStatus.INVALID:
        raise ValueError("a platform never reports an order as invalid")
    state = MergeState(
        key=order_key(shop, po.platform_order_id),
        is_new=True,
        changed=True,
        values={
            **INSERT_DEFAULTS,
            "platform": shop["platform"],
            "shop_id": shop["id"],
            "store_id": shop["store_id"],
            "platform_order_id": str(po.platform_order_id),
            **values,
            "merchant_receivable_fen": values["merchant_receivable_fen"] or 0,
            "status": status.value,
            "raw_status_code": po.raw_status_code or None,
            "raw_status_text": po.raw_status_text or None,
            "platform_updated_at": po.updated_at,
            "platform_version": po.version,
            "created_at": now,
            "updated_at": now,
        },
    )
    if status in STATUS_TIME:
        state.values[STATUS_TIME[status]] = po.updated_at
    state.events.append(platform_event(shop, "created", None, status.value, note))
    return state


def merge_snapshot(state: MergeState, shop: ShopRef, po: PlatformOrder, *, note: str) -> bool:
    """Merge a snapshot into a stored order. True when its lines differ from the stored ones:
    the caller then links the new lines (`state.new_lines`)."""
    values = snapshot_values(po)
    status = OrderStatus(po.status)
    current = OrderStatus(state.values["status"])
    if current == OrderStatus.INVALID:  # a split parent: its children carry the state
        return False
    newer = is_newer(po, state.values)
    moves = status != current and can_move(current, status)
    if newer is False or (newer is None and not moves):
        return False  # older, or a duplicate
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
        move_status(state, shop, status, po.updated_at, note, po.raw_status_code, po.raw_status_text)
    elif status == current:
        state.values["raw_status_code"] = po.raw_status_code or None
        state.values["raw_status_text"] = po.raw_status_text or None
    relink = line_key(po.lines) != stored_line_key(state)
    if relink:
        changed_fields.append("lines")
    visible = [c for c in changed_fields if c not in ("receiver_phone_tail", "receiver_phone_ext")]
    if visible:
        state.events.append(platform_event(shop, "updated", None, None, updated_note(via=note, columns=visible)))
    state.changed = True  # at least the platform time moved
    return relink


def maybe_move(
    state: MergeState, shop: ShopRef, target: OrderStatus, at: datetime, note: str, raw_code: str, *, text: str = ""
) -> None:
    """Move to `target` if the order may go there (`can_move`); otherwise leave it."""
    current = OrderStatus(state.values["status"])
    if target != current and can_move(current, target):
        move_status(state, shop, target, at, note, raw_code or None, text or None)


def move_status(
    state: MergeState,
    shop: ShopRef,
    target: OrderStatus,
    at: datetime,
    note: str,
    raw_code: str | None,
    raw_text: str | None,
) -> None:
    current = state.values["status"]
    state.values["status"] = target.value
    # The platform's own status words describe the status they came with: a move without new
    # ones (a cancel event, a rider message) must not leave the old ones ("已推送给商家" on a
    # cancelled order).
    state.values["raw_status_code"] = raw_code or None
    state.values["raw_status_text"] = (raw_text or None) if raw_code else None
    column = STATUS_TIME.get(target)
    if column and state.values.get(column) is None:
        state.values[column] = at
    state.events.append(platform_event(shop, "status", current, target.value, note))
    state.changed = True


def line_key(lines: Sequence[PlatformOrderLine]) -> tuple:
    """The snapshot's lines in the shape of `stored_line_key`, for comparison."""
    return tuple(
        (
            str(line.platform_item_id),
            str(line.platform_sku_id),
            line.outer_sku_code or "",
            line.barcode or "",
            line.name or "",
            line.spec or "",
            int(line.quantity),
            int(line.unit_price_fen),
            int(line.discount_fen),
            int(line.paid_fen),
            str(line.platform_line_id or ""),
            line.refund_status or "",
        )
        for line in lines
    )


def stored_line_key(state: MergeState) -> tuple:
    lines = state.new_lines if state.new_lines is not None else state.old_lines or []
    return tuple(tuple(line.get(f, "") for f in LINE_FIELDS) for line in lines)
