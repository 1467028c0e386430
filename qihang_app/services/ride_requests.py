"""What a carrier needs to carry an order (pickup, drop-off, value), and the checks before a ride
is asked for: the merchant delivers it, it has not ended, no other ride is running."""

from __future__ import annotations

from sqlmodel import Session, select

from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.domain.rider_state import FINAL
from qihang_app.models import Order, OrderLine, Store

from . import deliveries
from .errors import ConflictError, NotFoundError
from .scope import Actor, require_store

RUNNING = frozenset(s.value for s in S if s not in FINAL and s is not S.EXCEPTION)


def _order(session: Session, order_id: int, actor: Actor | None) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    if actor is not None:
        require_store(actor, order.store_id)
    return order


def running(session: Session, *, order_id: int):
    """The order's ride still on its way (not delivered, cancelled or failed), or None."""
    row = deliveries.current(session, order_id=order_id)
    return row if row is not None and row.status in RUNNING else None


def ride_request(session: Session, *, order_id: int, actor: Actor | None = None, fresh: bool = True) -> dict:
    """The DeliveryOrder fields except our ref and the callback URL (the worker adds them).
    `fresh`: refuse when a ride is already running (a new booking); False for a re-quote."""
    order = _order(session, order_id, actor)
    if order.delivery_type != "self":
        raise ConflictError(key="delivery.err.not_merchant")
    if order.status in deliveries.ENDED:
        raise ConflictError(key="delivery.err.order_ended", status=order.status)
    if fresh and running(session, order_id=order_id) is not None:
        raise ConflictError(key="delivery.err.active")
    store = session.get(Store, order.store_id)
    count = sum(session.exec(select(OrderLine.quantity).where(OrderLine.order_id == order.id)).all())
    return {
        "store_ref": "",
        "pickup_address": store.address or store.name,
        "pickup_lat": store.lat or 0.0,
        "pickup_lng": store.lng or 0.0,
        "receiver_name": order.receiver_name or "顾客",
        "receiver_phone": order.receiver_phone or "",
        "receiver_address": order.receiver_address or "",
        "receiver_lat": order.receiver_lat or store.lat or 0.0,
        "receiver_lng": order.receiver_lng or store.lng or 0.0,
        "value_fen": order.paid_fen or order.goods_fen,
        "weight_g": max(500, 300 * count),
        "note": (order.buyer_memo or "")[:100],
    }


def running_ride(session: Session, *, order_id: int, actor: Actor | None = None) -> dict:
    """The running ride of an order (for cancel and tip), refused when there is none."""
    _order(session, order_id, actor)
    row = deliveries.current(session, order_id=order_id)
    if row is None or row.status not in RUNNING:
        raise ConflictError(key="delivery.err.no_active")
    return {
        "delivery_id": row.id,
        "account_id": row.account_id,
        "carrier": row.carrier,
        "carrier_order_id": row.carrier_order_id,
        "order_ref": row.order_ref,
    }
