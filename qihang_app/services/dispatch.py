"""Board actions: accept, reject, ready, own-rider dispatch and delivery, auto-accept.

Each action changes the order, appends an OrderEvent and, for platform orders, writes the outbox
row for the platform call in the same transaction. The card moves at once with `pending_action`
set; the relay clears it on success or moves the order back with the platform's reason.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import partners
from qihang_app.domain.board import reject_reasons
from qihang_app.domain.carriers import OWN
from qihang_app.domain.order_flow import OrderEvent as Ev
from qihang_app.domain.order_flow import next_status
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import DeliveryStatus
from qihang_app.models import Order, OrderEvent, OutboxMessage, Shop, utcnow

from . import deliveries, own_riders
from .errors import ConflictError, NotFoundError, ValidationError
from .scope import Actor, require_store

PLATFORM_KIND = {
    "accept": "platform_accept",
    "reject": "platform_reject",
    "ready": "platform_ready",
    "dispatch_self": "platform_logistics",
    "delivered": "platform_logistics",
}


def _order_for(session: Session, actor: Actor | None, order_id: int) -> Order:
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    if actor is not None:
        require_store(actor, order.store_id)
    return order


def _event(session: Session, order: Order, who: str, kind: str, old: str | None, note: str = "") -> None:
    session.add(OrderEvent(order_id=order.id, actor=who, kind=kind, from_status=old, to_status=order.status, note=note))


def _outbox(session: Session, order: Order, action: str, payload: dict) -> None:
    """Queue the platform call, when the platform has one (its profile declares it). Without a
    call the state lives in the OMS only, and the card says so: nothing is queued to fail."""
    if not partners.supports(order.platform, action):
        return
    session.add(
        OutboxMessage(
            kind=PLATFORM_KIND[action],
            target=order.platform,
            shop_id=order.shop_id,
            order_id=order.id,
            payload=json.dumps(
                {"action": action, "platform_order_id": order.platform_order_id, **payload}, ensure_ascii=False
            ),
            idempotency_key=f"{action}:{order.id}",
            next_attempt_at=utcnow(),
        )
    )
    order.pending_action = action


def _move(order: Order, event: Ev) -> str:
    old = order.status
    order.status = next_status(OrderStatus(old), event, needs_accept=partners.instant_retail(order.platform)).value
    return old


def accept(
    session: Session, *, actor: Actor | None, order_id: int, auto: bool = False, now: datetime | None = None
) -> Order:
    """接单. `actor=None` with auto=True is the shop's auto-accept."""
    now = now or utcnow()
    order = _order_for(session, actor, order_id)
    if order.status != OrderStatus.AWAITING_ACCEPT.value:
        raise ConflictError(key="board.err.not_awaiting_accept", status=order.status)
    old = _move(order, Ev.ACCEPT)
    order.accepted_at = now
    order.auto_accepted = auto
    order.action_error = None
    _outbox(session, order, "accept", {})
    _event(session, order, actor.ref if actor else "auto-accept", "accepted", old, "自动接单" if auto else "")
    session.add(order)
    session.flush()
    return order


def reject(session: Session, *, actor: Actor, order_id: int, reason_code: str, reason: str = "") -> Order:
    """拒单 / 取消 with one of the platform's reason codes."""
    order = _order_for(session, actor, order_id)
    reasons = reject_reasons(order.platform)
    if not reasons:  # the platform has no reject call: staff must do it in its console
        raise ValidationError(key="board.err.no_reject_call")
    if reason_code not in reasons:
        raise ValidationError(key="board.err.bad_reason", code=reason_code)
    text = reason or reasons[reason_code][0]
    event = Ev.REJECT if order.status == OrderStatus.AWAITING_ACCEPT.value else Ev.CANCEL
    old = _move(order, event)
    order.cancelled_at = utcnow()
    order.cancelled_by, order.cancel_reason = "merchant", text  # the card's 已拒单 / 已取消 mark
    _outbox(session, order, "reject", {"reason_code": reason_code, "reason": text})
    _event(session, order, actor.ref, "rejected" if event is Ev.REJECT else "cancelled", old, f"{reason_code} {text}")
    session.add(order)
    session.flush()
    return order


def mark_ready(session: Session, *, actor: Actor, order_id: int) -> Order:
    """备货完成."""
    order = _order_for(session, actor, order_id)
    if order.status != OrderStatus.TO_SHIP.value or order.ready_at is not None:
        raise ConflictError(key="board.err.not_picking")
    order.ready_at = utcnow()
    _outbox(session, order, "ready", {})
    _event(session, order, actor.ref, "ready", order.status, "备货完成")
    session.add(order)
    session.flush()
    return order


def dispatch_self(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    rider_name: str = "",
    rider_phone: str = "",
    rider_id: int | None = None,
) -> Order:
    """Own rider leaves the store (自配送出发). With one of the store's riders (chosen now, or
    assigned before) the platform hears that rider's name and phone."""
    order = _order_for(session, actor, order_id)
    if order.delivery_type != "self":
        raise ConflictError(key="board.err.platform_delivers")
    ride = deliveries.current(session, order_id=order_id)
    if rider_id is None and (ride is None or ride.carrier != OWN):
        # The store keeps a rider list: the platform must hear who rides, not who tapped. One
        # rider is obvious; with several, staff pick one in 呼叫骑手.
        riders = own_riders.list_riders(session, actor=actor, store_id=order.store_id, active_only=True)
        if len(riders) > 1:
            raise ValidationError(key="delivery.err.rider_required")
        rider_id = riders[0].id if riders else None
    if rider_id is not None:
        own_riders.assign(session, actor=actor, order_id=order_id, rider_id=rider_id)
        ride = deliveries.current(session, order_id=order_id)
    if ride is not None and ride.carrier == OWN and ride.status in ("rider_accepted", "at_store"):
        fix = deliveries.Fix(DeliveryStatus.DELIVERING, utcnow(), ride.rider_name, ride.rider_phone)
        deliveries.apply_fix(session, delivery_id=ride.id, fix=fix, who=actor.ref)
        return order
    old = _move(order, Ev.SHIP)
    order.shipped_at = utcnow()
    order.rider_name = rider_name or actor.username
    order.rider_phone = rider_phone or None
    order.rider_status = "delivering"
    _outbox(
        session,
        order,
        "dispatch_self",
        {
            "delivery_status": DeliveryStatus.DELIVERING.value,
            "courier_name": order.rider_name,
            "courier_phone": rider_phone,
        },
    )
    _event(session, order, actor.ref, "dispatched", old, order.rider_name)
    session.add(order)
    session.flush()
    return order


def mark_delivered(session: Session, *, actor: Actor, order_id: int) -> Order:
    """已送达 for own-rider orders."""
    order = _order_for(session, actor, order_id)
    if order.delivery_type != "self":
        raise ConflictError(key="board.err.platform_delivers")
    ride = deliveries.current(session, order_id=order_id)
    if ride is not None and ride.carrier == OWN and ride.status == DeliveryStatus.DELIVERING.value:
        fix = deliveries.Fix(DeliveryStatus.DELIVERED, utcnow(), ride.rider_name, ride.rider_phone)
        deliveries.apply_fix(session, delivery_id=ride.id, fix=fix, who=actor.ref)
        return order
    old = _move(order, Ev.COMPLETE)
    order.delivered_at = order.completed_at = utcnow()
    order.rider_status = "delivered"
    _outbox(
        session,
        order,
        "delivered",
        {"delivery_status": DeliveryStatus.DELIVERED.value, "courier_name": order.rider_name or ""},
    )
    _event(session, order, actor.ref, "delivered", old)
    session.add(order)
    session.flush()
    return order


def acknowledge_exception(session: Session, *, actor: Actor, order_id: int) -> Order:
    """知道了: staff have seen the cancellation / refund / failure; the card leaves 异常."""
    order = _order_for(session, actor, order_id)
    note = order.exception_reason or order.action_error or ""
    order.exception_reason = None
    order.action_error = None
    _event(session, order, actor.ref, "exception_acknowledged", order.status, note)
    session.add(order)
    session.flush()
    return order


# ---- outcome of the platform call (called by the outbox relay) ---------------------------------


def platform_call_succeeded(session: Session, *, order_id: int, action: str) -> None:
    order = session.get(Order, order_id)
    if order is not None and order.pending_action == action:
        order.pending_action = None
        session.add(order)


def platform_call_failed(session: Session, *, order_id: int, action: str, message: str) -> None:
    """The platform refused for good: say why on the card, and undo an accept."""
    order = session.get(Order, order_id)
    if order is None:
        return
    if order.pending_action == action:
        order.pending_action = None
    order.action_error = message[:500]
    old = order.status
    if action == "accept" and order.status == OrderStatus.TO_SHIP.value and order.ready_at is None:
        order.status = OrderStatus.AWAITING_ACCEPT.value
        order.accepted_at = None
        order.auto_accepted = False
    session.add(order)
    _event(session, order, f"platform:{order.platform}", f"{action}_failed", old, message[:500])


# ---- auto-accept --------------------------------------------------------------------------------


def _in_window(now_local: datetime, start: str | None, end: str | None) -> bool:
    if not start or not end:
        return True
    hm = now_local.strftime("%H:%M")
    return start <= hm < end if start <= end else (hm >= start or hm < end)  # window may cross midnight


def maybe_auto_accept(session: Session, *, order: Order, now: datetime | None = None) -> bool:
    """Accept a new order when its shop auto-accepts now and is under its hourly maximum."""
    from qihang_app.domain.clock import SHANGHAI

    now = now or utcnow()
    if order.status != OrderStatus.AWAITING_ACCEPT.value:
        return False
    shop = session.get(Shop, order.shop_id)
    if (
        shop is None
        or not shop.auto_accept
        or not _in_window(now.astimezone(SHANGHAI), shop.auto_accept_start, shop.auto_accept_end)
    ):
        return False
    if shop.auto_accept_max_per_hour:
        recent = session.exec(
            select(sa.func.count())
            .select_from(Order)
            .where(
                Order.shop_id == shop.id, Order.auto_accepted.is_(True), Order.accepted_at >= now - timedelta(hours=1)
            )
        ).one()
        if recent >= shop.auto_accept_max_per_hour:
            return False
    accept(session, actor=None, order_id=order.id, auto=True, now=now)
    return True
