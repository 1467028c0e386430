"""The store's own riders: a list per store, assigning one to an order (the platform gets the
rider's name and phone), and the rider's phone page reached by a secret link (only its hash is
stored; a new link replaces the old one)."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules_
from qihang_app.domain.carriers import OWN
from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.models import Delivery, Order, OwnRider, utcnow

from . import deliveries, ride_requests
from .crypto import hash_token, new_token
from .errors import ConflictError, NotFoundError, ValidationError, checked
from .scope import Actor, require_role, require_store

# What the rider taps on the phone page → the state it reports.
STEPS = {"at_store": S.AT_STORE, "picked_up": S.DELIVERING, "delivered": S.DELIVERED}


def list_riders(session: Session, *, actor: Actor, store_id: int, active_only: bool = False) -> list[OwnRider]:
    require_store(actor, store_id)
    query = select(OwnRider).where(OwnRider.store_id == store_id)
    if active_only:
        query = query.where(OwnRider.active.is_(True))
    return list(session.exec(query.order_by(OwnRider.id)).all())


def save_rider(
    session: Session,
    *,
    actor: Actor,
    store_id: int,
    name: str,
    phone: str,
    active: bool = True,
    rider_id: int | None = None,
) -> OwnRider:
    require_role(actor, "admin", "manager")
    require_store(actor, store_id)
    clean_name = checked("name", partial(rules_.text, limit="receiver_name"), name)
    if not clean_name:
        raise ValidationError(key="delivery.err.rider_name", field="name")
    clean_phone = checked("phone", rules_.phone, phone)
    if not clean_phone or "*" in clean_phone:
        raise ValidationError(key="delivery.err.rider_phone", field="phone")
    row = _rider(session, rider_id, store_id) if rider_id else OwnRider(store_id=store_id, name=clean_name, phone="")
    row.name, row.phone, row.active = clean_name, clean_phone, bool(active)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def _rider(session: Session, rider_id: int, store_id: int | None = None) -> OwnRider:
    row = session.get(OwnRider, rider_id)
    if row is None or (store_id is not None and row.store_id != store_id):
        raise NotFoundError(key="delivery.err.rider_not_found")
    return row


def new_link(session: Session, *, actor: Actor, rider_id: int) -> str:
    """A fresh secret for the rider's page (shown once; the previous link stops working)."""
    require_role(actor, "admin", "manager")
    row = _rider(session, rider_id)
    require_store(actor, row.store_id)
    token = new_token()
    row.link_hash = hash_token(token)
    session.add(row)
    session.flush()
    return token


def rider_by_link(session: Session, *, token: str) -> OwnRider:
    if not token or len(token) > 100:
        raise NotFoundError(key="delivery.err.bad_link")
    row = session.exec(select(OwnRider).where(OwnRider.link_hash == hash_token(token))).first()
    if row is None or not row.active:
        raise NotFoundError(key="delivery.err.bad_link")
    return row


def assign(session: Session, *, actor: Actor, order_id: int, rider_id: int) -> Delivery:
    """自配送 by one of the store's riders: the order's delivery, the rider has it (已接单)."""
    ride_requests.ride_request(session, order_id=order_id, actor=actor)
    order = session.get(Order, order_id)
    rider = _rider(session, rider_id, order.store_id)
    if not rider.active:
        raise NotFoundError(key="delivery.err.rider_not_found")
    row = deliveries.record_booking(
        session,
        order_id=order_id,
        carrier=OWN,
        order_ref=deliveries.next_ref(session, order=order),
        carrier_order_id="",
        fee_fen=0,
        own_rider_id=rider.id,
        rider_name=rider.name,
        rider_phone=rider.phone,
        who=actor.ref,
    )
    fix = deliveries.Fix(S.RIDER_ACCEPTED, utcnow(), rider.name, rider.phone)
    return deliveries.apply_fix(session, delivery_id=row.id, fix=fix, who=actor.ref)


def rides_of(session: Session, *, rider: OwnRider) -> list[tuple[Delivery, Order]]:
    """The rider's rides still to do (and today's finished ones last)."""
    rows = session.exec(
        select(Delivery, Order)
        .join(Order, Order.id == Delivery.order_id)
        .where(Delivery.own_rider_id == rider.id, Delivery.carrier == OWN)
        .order_by(Delivery.id.desc())
        .limit(30)
    ).all()
    current = [(d, o) for d, o in rows if deliveries.current(session, order_id=o.id).id == d.id]
    return sorted(current, key=lambda pair: pair[0].status in ("delivered", "cancelled"))


def rider_step(session: Session, *, token: str, delivery_id: int, step: str) -> Delivery:
    """到店 / 取货 / 送达 from the rider's page; a step back or a repeat is refused or ignored."""
    rider = rider_by_link(session, token=token)
    row = session.get(Delivery, delivery_id)
    if row is None or row.own_rider_id != rider.id or row.carrier != OWN:
        raise NotFoundError(key="delivery.err.not_found", delivery_id=delivery_id)
    if step not in STEPS:
        raise ValidationError(key="delivery.err.bad_choice", value=step)
    if row.status in ("delivered", "cancelled"):
        raise ConflictError(key="delivery.err.rider_step")
    position = {"lat": row.lat, "lng": row.lng}
    fix = deliveries.Fix(STEPS[step], utcnow(), rider.name, rider.phone, **position)
    return deliveries.apply_fix(session, delivery_id=row.id, fix=fix, who=f"rider:{rider.id}")
