"""How a thin platform event (confirm, cancel, refund, rider) is merged into the stored order (pure).

Rules decided here:

* An event for an order the center does not know yet raises `OrderNotKnownYet` (the row waits
  for the order's details); a split parent (invalid) ignores events.
* Events move the status the same way snapshots do (`order_flow.can_move`) but never advance
  the stored update time, so a full snapshot of the same moment still applies its other fields.
* A refund message is recorded once (a re-delivered one records nothing new); a full refund
  that succeeded closes the order; a request, or a partial refund paid on an accepted order,
  puts the card in 异常 (`board.refund_attention`).
* Rider progress never goes backwards (a late, older rider message changes nothing); a rider
  delivering ships the order and a delivered one completes it; a rider cancelling or reporting
  a problem puts an order that is still running in 异常 (`board.rider_attention`).
"""

from __future__ import annotations

from datetime import datetime

from qihang_app.domain.board import refund_attention, rider_attention
from qihang_app.domain.order_merge import MergeState, ShopRef, maybe_move, platform_event
from qihang_app.domain.order_notes import (  # noqa: F401  (recorded_refund_text: ingest's import)
    cancel_note,
    closed_by_refund_note,
    recorded_refund_text,
    refund_identity,
    refund_note,
    rider_note,
)
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    EventKind,
    PlatformEvent,
    RefundKind,
    RefundStatus,
)

# Rider progress: a late, older rider message never overwrites a newer one.
RIDER_RANK = {
    DeliveryStatus.AWAITING_RIDER: 0,
    DeliveryStatus.RIDER_ACCEPTED: 1,
    DeliveryStatus.AT_STORE: 2,
    DeliveryStatus.DELIVERING: 3,
    DeliveryStatus.DELIVERED: 4,
}
RIDER_MOVES_ORDER = {
    DeliveryStatus.DELIVERING: OrderStatus.SHIPPED,
    DeliveryStatus.DELIVERED: OrderStatus.COMPLETED,
}
ENDED_STATUSES = (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.CLOSED)


class OrderNotKnownYet(Exception):
    """An event for an order the center does not know yet (and no snapshot came with it)."""


def merge_event(state: MergeState | None, shop: ShopRef, event: PlatformEvent, *, now: datetime, note: str) -> None:
    """Apply one event to the stored order `state` (None: not stored yet)."""
    if state is None:
        raise OrderNotKnownYet(event.platform_order_id)
    if event.kind in (EventKind.ORDER, EventKind.ORDER_REF):
        return  # the snapshot (carried or fetched) did the work
    if OrderStatus(state.values["status"]) == OrderStatus.INVALID:
        return
    at = event.occurred_at or now
    if event.kind == EventKind.CONFIRMED:
        maybe_move(state, shop, OrderStatus.TO_SHIP, at, note, event.raw_status_code)
    elif event.kind == EventKind.CANCEL:
        why = cancel_note(
            via=note,
            cancelled_by=event.cancelled_by or "",
            code=event.cancel_reason_code or "",
            reason=event.cancel_reason or "",
        )
        maybe_move(state, shop, OrderStatus.CANCELLED, at, why, event.raw_status_code)
        if state.values["status"] == OrderStatus.CANCELLED.value and (event.cancelled_by or event.cancel_reason):
            cancel = {"cancelled_by": event.cancelled_by or None, "cancel_reason": event.cancel_reason or None}
            if any(state.values.get(k) != v for k, v in cancel.items()):
                state.values.update(cancel)
                state.changed = True
    elif event.kind == EventKind.REFUND and event.refund is not None:
        _merge_refund(state, shop, event, at, note)
    elif event.kind == EventKind.DELIVERY and event.delivery is not None:
        _merge_delivery(state, shop, event, at, note)


def _merge_refund(state: MergeState, shop: ShopRef, event: PlatformEvent, at: datetime, note: str) -> None:
    refund = event.refund
    facts = {
        "kind": refund.kind.value,
        "status": refund.status.value,
        "amount_fen": refund.amount_fen,
        "refund_id": str(refund.platform_refund_id),
        "reason": refund.reason or "",
    }
    text = refund_identity(**facts)
    if state.refund_notes is None:
        state.refund_notes = set()
    if text not in state.refund_notes:  # a re-delivered refund message records nothing new
        state.refund_notes.add(text)
        state.events.append(platform_event(shop, "refund", None, None, refund_note(**facts, via=note)))
        state.changed = True
        set_attention(
            state,
            refund_attention(
                kind=refund.kind,
                status=refund.status,
                amount_fen=refund.amount_fen,
                reason=refund.reason,
                accepted=bool(state.values.get("accepted_at")),
            ),
        )
    if refund.status == RefundStatus.SUCCEEDED and refund.kind == RefundKind.FULL:
        maybe_move(
            state, shop, OrderStatus.CLOSED, at, closed_by_refund_note(via=note), event.raw_status_code, text="全额退款"
        )


def _merge_delivery(state: MergeState, shop: ShopRef, event: PlatformEvent, at: datetime, note: str) -> None:
    delivery = event.delivery
    new, stored = delivery.status, state.values.get("rider_status")
    stored_rank = RIDER_RANK.get(DeliveryStatus(stored)) if stored in set(DeliveryStatus) else None
    new_rank = RIDER_RANK.get(new)
    stale = new_rank is not None and stored_rank is not None and new_rank < stored_rank
    if not stale:
        rider = {
            "rider_status": new.value,
            "rider_name": delivery.rider_name or state.values.get("rider_name"),
            "rider_phone": delivery.rider_phone or state.values.get("rider_phone"),
        }
        if any(state.values.get(k) != v for k, v in rider.items()):
            state.values.update(rider)
            if new == DeliveryStatus.DELIVERED and not state.values.get("delivered_at"):
                state.values["delivered_at"] = at
            state.events.append(
                platform_event(
                    shop,
                    "delivery",
                    None,
                    None,
                    rider_note(via=note, status=new.value, rider_name=delivery.rider_name or ""),
                )
            )
            state.changed = True
            if OrderStatus(state.values["status"]) not in ENDED_STATUSES:
                set_attention(state, rider_attention(status=new, rider_name=delivery.rider_name or ""))
    target = RIDER_MOVES_ORDER.get(new)
    if target is not None:
        maybe_move(state, shop, target, at, note, "")


def set_attention(state: MergeState, reason: str) -> None:
    """Put the card in 异常 with this reason (staff clear it with 知道了)."""
    if reason and state.values.get("exception_reason") != reason:
        state.values["exception_reason"] = reason
        state.changed = True
