"""Deliveries of orders: booking recorded, rider updates applied (never backwards, repeats change
nothing), the order and its card follow, and the platform is told through the outbox.

A carrier's callback arrives as a rider fix (domain.rider_state.RiderFix); the delivery row keeps
the winning fix, so any arrival order of the same callbacks ends in the same row. Only the
order's current delivery (its newest) moves the order; a ride cancelled for a re-dispatch still
records its late callbacks on its own row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from qihang_app.domain import carriers, partners
from qihang_app.domain.board import rider_attention
from qihang_app.domain.messages import decode, encode
from qihang_app.domain.money import format_money
from qihang_app.domain.order_flow import IllegalTransition, next_status
from qihang_app.domain.order_flow import OrderEvent as Ev
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.domain.rider_state import FINAL, winner
from qihang_app.models import Delivery, Order, OrderEvent, OutboxMessage, utcnow

from . import audit
from .errors import ConflictError, NotFoundError

ENDED = frozenset({OrderStatus.COMPLETED.value, OrderStatus.CANCELLED.value, OrderStatus.CLOSED.value})
# What the platform hears of a rider (exceptions stay in the OMS: the store acts on them).
TOLD_PLATFORM = frozenset(set(S) - {S.EXCEPTION})


@dataclass(frozen=True, slots=True)
class Fix:
    """A rider fix read back from a delivery row (or passed by the own-rider page)."""

    status: S
    at: datetime | None = None
    rider_name: str = ""
    rider_phone: str = ""
    lat: float | None = None
    lng: float | None = None
    reassigned: bool = False
    carrier_status: str = ""
    reason: str = ""


def _fix_of(row: Delivery) -> Fix:
    return Fix(S(row.status), row.status_at, row.rider_name, row.rider_phone, row.lat, row.lng)


def current(session: Session, *, order_id: int) -> Delivery | None:
    return session.exec(select(Delivery).where(Delivery.order_id == order_id).order_by(Delivery.id.desc())).first()


def history(session: Session, *, order_id: int) -> list[Delivery]:
    return list(session.exec(select(Delivery).where(Delivery.order_id == order_id).order_by(Delivery.id)).all())


def next_ref(session: Session, *, order: Order) -> str:
    """Our id of a new dispatch of this order: a carrier books once per id, so each try gets one."""
    n = len(history(session, order_id=order.id)) + 1
    return f"QH{order.id}" if n == 1 else f"QH{order.id}-{n}"


def _locked_order(session: Session, order_id: int) -> Order:
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    return order


def _event(session: Session, order: Order, who: str, kind: str, note: str, old: str | None = None) -> None:
    session.add(OrderEvent(order_id=order.id, actor=who, kind=kind, from_status=old, to_status=order.status, note=note))


def _target(order: Order) -> audit.Target:
    return audit.Target("order", order.id, order.store_id)


def note(key: str, **params: object) -> str:
    return encode(key, **params)


def record_booking(
    session: Session,
    *,
    order_id: int,
    carrier: str,
    order_ref: str,
    carrier_order_id: str,
    fee_fen: int,
    distance_m: int = 0,
    eta_minutes: int | None = None,
    tip_fen: int = 0,
    account_id: int | None = None,
    own_rider_id: int | None = None,
    rider_name: str = "",
    rider_phone: str = "",
    auto: bool = False,
    who: str = "worker",
    reason: str = "",
    now: datetime | None = None,
    retry_key: str = "",
) -> Delivery:
    """A ride was booked: the order's current delivery, 待接单 until a rider takes it. Callbacks
    that came before this row are applied now (deliveries_waiting); a retried booking is done."""
    now = now or utcnow()
    order = _locked_order(session, order_id)
    if order.status in ENDED:
        raise ConflictError(key="delivery.err.order_ended", status=order.status)
    row = Delivery(
        order_id=order.id,
        store_id=order.store_id,
        account_id=account_id,
        own_rider_id=own_rider_id,
        carrier=carrier,
        order_ref=order_ref,
        carrier_order_id=carrier_order_id,
        status=S.AWAITING_RIDER.value,
        status_at=now,
        rider_name=rider_name,
        rider_phone=rider_phone,
        fee_fen=fee_fen,
        tip_fen=tip_fen,
        distance_m=distance_m,
        eta_at=now + timedelta(minutes=eta_minutes) if eta_minutes else None,
        auto=auto,
    )
    session.add(row)
    session.flush()
    order.delivery_carrier = carrier
    order.rider_status = row.status
    order.rider_name, order.rider_phone = rider_name or None, rider_phone or None
    order.rider_eta_at = row.eta_at
    said = decode(order.exception_reason)
    if said is not None and said[0].startswith("attention.rider"):
        order.exception_reason = None  # a new ride answers the rider problem
    session.add(order)
    params = {
        "carrier": carriers.name(carrier),
        "fee": format_money(fee_fen),
        "tip": format_money(tip_fen),
        "ref": order_ref,
    }
    _event(
        session,
        order,
        who,
        "delivery_booked",
        note("delivery.note.booked", **params) + (f" {reason}" if reason else ""),
    )
    audit.record_by_ref(
        session, who, "ride.own" if carrier == carriers.OWN else "ride.book", _target(order),
        after={"carrier": carrier, "fee_fen": fee_fen, "tip_fen": tip_fen, "ref": order_ref, "rider": rider_name},
    )  # fmt: skip
    _tell_platform(session, order, row)
    session.flush()
    if retry_key:
        from .deliveries_retry import done

        done(session, key=retry_key)
    from .deliveries_waiting import apply_waiting  # it applies through apply_update below

    apply_waiting(session, carrier=carrier, order_ref=order_ref)
    return row


def find(session: Session, *, carrier: str, order_ref: str) -> Delivery | None:
    return session.exec(select(Delivery).where(Delivery.carrier == carrier, Delivery.order_ref == order_ref)).first()


def apply_update(
    session: Session, *, carrier: str, update, account_id: int | None = None, who: str = ""
) -> Delivery | None:
    """One rider update of a carrier (a RiderFix with order_ref / carrier_order_id); None when
    no delivery of ours matches. Idempotent: a repeat or an older update changes nothing."""
    row = session.exec(
        select(Delivery).where(Delivery.carrier == carrier, Delivery.order_ref == update.order_ref)
    ).first()
    if row is None and update.carrier_order_id:
        row = session.exec(
            select(Delivery).where(Delivery.carrier == carrier, Delivery.carrier_order_id == update.carrier_order_id)
        ).first()
    if row is None or (account_id is not None and row.account_id not in (None, account_id)):
        return None  # another account's ride is not this callback's to move
    return apply_fix(session, delivery_id=row.id, fix=update, who=who or f"carrier:{carrier}")


def apply_fix(session: Session, *, delivery_id: int, fix, who: str, by_merchant: bool = False) -> Delivery:
    row = session.get(Delivery, delivery_id)
    order = _locked_order(session, row.order_id)
    session.refresh(row)
    before = _fix_of(row)
    won = winner(before, fix)
    if won is before:
        return row
    old_status = row.status
    row.status = won.status.value
    row.status_at = won.at or row.status_at
    row.rider_name = won.rider_name or row.rider_name
    row.rider_phone = won.rider_phone or row.rider_phone
    if won.lat is not None and won.lng is not None:
        row.lat, row.lng = won.lat, won.lng
    row.carrier_status = getattr(fix, "carrier_status", "") or row.carrier_status
    if won.status in FINAL or won.status is S.EXCEPTION:
        row.ended_reason = getattr(fix, "reason", "") or row.ended_reason
    row.updated_at = utcnow()
    session.add(row)
    newest = current(session, order_id=order.id)
    if newest is not None and newest.id == row.id:
        _follow(session, order, row, who, by_merchant)
        # A ride the store cancels to call another is not news for the platform: the next ride is.
        if row.status != old_status and not by_merchant:
            _tell_platform(session, order, row)
    if row.status != old_status:
        said = [row.rider_name, row.rider_phone]
        if row.ended_reason and row.status in ("exception", "cancelled"):
            said.append(f"（{row.ended_reason}）")  # the carrier's own words on why
        rider = " ".join(x for x in said if x)
        _event(
            session,
            order,
            who,
            "delivery",
            note(f"delivery.note.{row.status}", carrier=carriers.name(row.carrier), rider=rider),
        )
    session.flush()
    return row


def _follow(session: Session, order: Order, row: Delivery, who: str, by_merchant: bool) -> None:
    """The order mirrors its current delivery: rider line, 配送中 / 已完成, a problem in 异常."""
    order.rider_status = row.status
    order.rider_name = row.rider_name or None
    order.rider_phone = row.rider_phone or None
    order.delivery_carrier = row.carrier
    status = S(row.status)
    old = order.status
    needs_accept = partners.instant_retail(order.platform)
    try:
        if status in (S.DELIVERING, S.DELIVERED) and order.status == OrderStatus.TO_SHIP.value:
            order.status = next_status(OrderStatus(order.status), Ev.SHIP, needs_accept=needs_accept).value
            order.shipped_at = order.shipped_at or utcnow()
        if status is S.DELIVERED and order.status == OrderStatus.SHIPPED.value:
            order.status = next_status(OrderStatus(order.status), Ev.COMPLETE, needs_accept=needs_accept).value
            order.delivered_at = order.completed_at = utcnow()
            order.rider_eta_at = None
    except IllegalTransition:
        pass
    if order.status != old:
        _event(session, order, who, "status", "", old)
    if order.status not in ENDED and status in (S.EXCEPTION, S.CANCELLED) and not by_merchant:
        order.exception_reason = rider_attention(status=status, rider_name=row.rider_name)
    session.add(order)


def _tell_platform(session: Session, order: Order, row: Delivery) -> None:
    """The platform hears each rider state of a merchant-delivered order once (per ride)."""
    status = S(row.status)
    if order.delivery_type != "self" or status not in TOLD_PLATFORM:
        return
    action = partners.WriteBack.DELIVERED if status is S.DELIVERED else partners.WriteBack.DISPATCH_SELF
    if not partners.supports(order.platform, action):
        return
    key = f"rider:{row.id}:{status.value}"
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first():
        return
    payload = {
        "action": action.value,
        "platform_order_id": order.platform_order_id,
        "delivery_status": status.value,
        "courier_name": row.rider_name,
        "courier_phone": row.rider_phone,
        "carrier": row.carrier,
        "tracking_no": row.carrier_order_id,
        "latitude": row.lat,
        "longitude": row.lng,
    }
    session.add(
        OutboxMessage(
            kind="platform_logistics",
            target=order.platform,
            shop_id=order.shop_id,
            order_id=order.id,
            payload=json.dumps(payload, ensure_ascii=False),
            idempotency_key=key,
            next_attempt_at=utcnow(),
        )
    )


def mark_cancelled(session: Session, *, delivery_id: int, who: str, reason: str) -> Delivery:
    """We cancelled the ride at the carrier (staff, or auto-dispatch moving on)."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        raise NotFoundError(key="delivery.err.not_found", delivery_id=delivery_id)
    fix = Fix(S.CANCELLED, utcnow(), row.rider_name, row.rider_phone, row.lat, row.lng, reason=reason)
    apply_fix(session, delivery_id=row.id, fix=fix, who=who, by_merchant=True)
    order = session.get(Order, row.order_id)
    order.rider_eta_at = None
    session.add(order)
    _event(
        session,
        order,
        who,
        "delivery_cancelled",
        note("delivery.note.store_cancelled", carrier=carriers.name(row.carrier), reason=reason),
    )
    audit.record_by_ref(
        session, who, "ride.cancel", _target(order), before={"carrier": row.carrier, "ref": row.order_ref},
        after={"reason": reason},
    )  # fmt: skip
    session.flush()
    return row


def record_tip(session: Session, *, delivery_id: int, tip_fen: int, who: str) -> Delivery:
    row = session.get(Delivery, delivery_id)
    if row is None:
        raise NotFoundError(key="delivery.err.not_found", delivery_id=delivery_id)
    row.tip_fen += tip_fen
    session.add(row)
    order = session.get(Order, row.order_id)
    _event(
        session,
        order,
        who,
        "delivery_tip",
        note("delivery.note.tip", tip=format_money(tip_fen), total=format_money(row.tip_fen)),
    )
    audit.record_by_ref(
        session,
        who,
        "ride.tip",
        _target(order),
        before={"tip_fen": row.tip_fen - tip_fen},
        after={"tip_fen": row.tip_fen},
    )
    session.flush()
    return row
