"""电子面单: numbers from the platform's waybill service for ticked orders, labels, 标记发货.

The app checks a batch here (permission, scope, the platform issues for that carrier, a sender
address); a worker asks the platform (workers/tasks/waybills.py) with `plan` → the adapter →
`record_issued`. The platform's idempotency key is order + parcel: a worker that dies after the
platform answered asks again with the same key and gets the same number. A cancelled number
stays as history and the next one is a new parcel. 标记发货 goes through services.shipments, so
the order moves and the platform hears of it (SHIP via the outbox) like any other shipment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from qihang_app.domain import partners
from qihang_app.domain.express_carriers import carrier as express_carrier
from qihang_app.domain.order_flow import is_terminal
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import Order, OrderEvent, OrderLine, Store, Waybill, utcnow

from . import audit, shipments
from .errors import ConflictError, NotFoundError, ServiceError, ValidationError
from .scope import Actor, require_permission, require_store

ACTIVE = ("issued", "printed", "shipped")
BATCH_LIMIT = 100  # orders per 打印面单 batch: the worker answers within the dialog's wait


def carriers_for(platform: str) -> tuple[str, ...]:
    found = partners.profile(platform)
    return found.waybill_carriers if found else ()


def offered_carriers(platforms: Iterable[str]) -> list[str]:
    """Express codes any of these platforms issues numbers for, in first-seen order."""
    seen: dict[str, None] = {}
    for code in platforms:
        for c in carriers_for(code):
            seen.setdefault(c, None)
    return list(seen)


@dataclass(frozen=True)
class Plan:
    """What the worker asks the platform for one order (or the number it has already)."""

    order_id: int
    shop_id: int
    store_id: int
    platform: str
    platform_order_id: str
    carrier: str
    parcel_no: int
    object_id: str
    sender: dict = field(default_factory=dict)  # ecommerce_contract.Address fields
    receiver: dict = field(default_factory=dict)
    items: tuple[tuple[str, int], ...] = ()
    tracking_no: str = ""  # set when an active number exists: nothing to ask


def ticked_orders(session: Session, actor: Actor, order_ids: Iterable[int]) -> list[Order]:
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        raise ValidationError(key="waybill.err.none_ticked")
    if len(ids) > BATCH_LIMIT:
        raise ValidationError(key="waybill.err.too_many", limit=BATCH_LIMIT)
    found = list(session.exec(select(Order).where(Order.id.in_(ids)).order_by(Order.id)))
    if len(found) != len(ids):
        raise NotFoundError(key="orders.err.not_found", order_id=",".join(map(str, ids)))
    for order in found:
        require_store(actor, order.store_id)
    return found


def _require_issuable(session: Session, order: Order, carrier_code: str) -> None:
    """Refuse (with the reason) an order that cannot have a number of this carrier."""
    if carrier_code not in carriers_for(order.platform):
        raise ConflictError(key="waybill.err.carrier_not_offered")
    if is_terminal(OrderStatus(order.status)):
        raise ConflictError(key="waybill.err.order_ended")
    store = session.get(Store, order.store_id)
    if store is None or not store.address.strip() or not store.phone.strip():
        raise ConflictError(key="waybill.err.no_sender")


def check_batch(
    session: Session, *, actor: Actor, order_ids: Iterable[int], carrier_code: str
) -> tuple[list[int], dict[int, str]]:
    """(order ids a worker may ask numbers for, {order id: message key} of the others)."""
    require_permission(actor, "order.waybill")
    carrier_code = str(carrier_code or "").strip().upper()
    if express_carrier(carrier_code) is None:
        raise ValidationError(key="erp.err.bad_carrier", field="carrier", code=carrier_code[:20])
    ok, refused = [], {}
    for order in ticked_orders(session, actor, order_ids):
        try:
            _require_issuable(session, order, carrier_code)
        except ConflictError as exc:
            refused[order.id] = exc.key
            continue
        ok.append(order.id)
    return ok, refused


def _active(session: Session, order_id: int, carrier_code: str | None = None) -> Waybill | None:
    query = select(Waybill).where(Waybill.order_id == order_id, Waybill.status.in_(ACTIVE))
    if carrier_code:
        query = query.where(Waybill.carrier == carrier_code)
    return session.exec(query.order_by(Waybill.parcel_no.desc())).first()


def plan(session: Session, *, order_id: int, carrier_code: str) -> Plan:
    """The worker's request for one order (checked again: the order may have ended meanwhile)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    _require_issuable(session, order, carrier_code)
    base = {
        "order_id": order.id,
        "shop_id": order.shop_id,
        "store_id": order.store_id,
        "platform": order.platform,
        "platform_order_id": order.platform_order_id,
        "carrier": carrier_code,
    }
    known = _active(session, order.id, carrier_code)
    if known is not None:
        return Plan(
            **base,
            parcel_no=known.parcel_no,
            object_id=_object_id(order, known.parcel_no),
            tracking_no=known.tracking_no,
        )
    last = session.exec(select(sa.func.max(Waybill.parcel_no)).where(Waybill.order_id == order.id)).one()
    parcel = (last or 0) + 1
    store = session.get(Store, order.store_id)
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no))
    return Plan(
        **base,
        parcel_no=parcel,
        object_id=_object_id(order, parcel),
        sender={"name": store.name, "phone": store.phone, "detail": store.address},
        receiver={"name": order.receiver_name, "phone": order.receiver_phone, "detail": order.receiver_address},
        items=tuple((line.name, line.quantity) for line in lines),
    )


def _object_id(order: Order, parcel_no: int) -> str:
    return f"{order.id}-{parcel_no}"


def record_issued(
    session: Session,
    *,
    plan: Plan,
    carrier_code: str,
    tracking_no: str,
    sort_code: str = "",
    route_code: str = "",
    print_data: dict | None = None,
    who: str = "worker",
) -> Waybill:
    """Keep the number the platform issued (the same parcel twice is one row)."""
    row = Waybill(
        order_id=plan.order_id,
        store_id=plan.store_id,
        shop_id=plan.shop_id,
        parcel_no=plan.parcel_no,
        carrier=carrier_code or plan.carrier,
        tracking_no=tracking_no,
        sort_code=sort_code,
        route_code=route_code,
        print_data=json.dumps(print_data or {}, ensure_ascii=False),
        actor=who,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return session.exec(
            select(Waybill).where(Waybill.order_id == plan.order_id, Waybill.parcel_no == plan.parcel_no)
        ).one()
    session.add(
        OrderEvent(order_id=plan.order_id, actor=who, kind="waybill_issued", note=f"{row.carrier} {tracking_no}")
    )
    target = audit.Target("order", plan.order_id, plan.store_id)
    audit.record_by_ref(
        session, who, "order.waybill_issue", target, after={"carrier": row.carrier, "tracking_no": tracking_no}
    )
    session.flush()
    return row


def order_waybills(session: Session, *, actor: Actor, order_id: int) -> list[Waybill]:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    require_store(actor, order.store_id)
    return list(session.exec(select(Waybill).where(Waybill.order_id == order_id).order_by(Waybill.parcel_no)))


def printable(session: Session, *, actor: Actor, order_ids: Iterable[int]) -> list[tuple[Order, Waybill]]:
    """The newest active number of each order (orders without one are left out), for labels."""
    require_permission(actor, "order.waybill")
    found = []
    for order in ticked_orders(session, actor, order_ids):
        row = _active(session, order.id)
        if row is not None:
            found.append((order, row))
    return found


def mark_printed(session: Session, *, actor: Actor, waybill_ids: Iterable[int]) -> int:
    require_permission(actor, "order.waybill")
    now, count = utcnow(), 0
    for row in session.exec(select(Waybill).where(Waybill.id.in_(sorted(set(waybill_ids))))):
        require_store(actor, row.store_id)
        if row.status == "issued":
            row.status, row.printed_at, row.updated_at = "printed", now, now
            session.add(row)
            count += 1
    return count


def ship(session: Session, *, actor: Actor, order_ids: Iterable[int]) -> tuple[int, dict[int, str]]:
    """标记发货: each order ships with its number (services.shipments → SHIP via the outbox).
    Returns (orders shipped, {order id: message key} of those that could not)."""
    require_permission(actor, "order.waybill")
    shipped, refused = 0, {}
    for order in ticked_orders(session, actor, order_ids):
        row = _active(session, order.id)
        if row is None or row.status == "shipped":
            refused[order.id] = "waybill.err.no_number" if row is None else "waybill.err.already_shipped"
            continue
        try:
            with session.begin_nested():  # one order's refusal leaves the others shipped
                shipments.record(
                    session,
                    order_id=order.id,
                    carrier_code=row.carrier,
                    tracking_no=row.tracking_no,
                    source="waybill",
                    actor=actor,
                )
                row.status, row.shipped_at, row.updated_at = "shipped", utcnow(), utcnow()
                session.add(row)
        except ServiceError as exc:
            refused[order.id] = exc.key or "waybill.err.ship_failed"
            continue
        audit.record(
            session,
            actor,
            "order.waybill_ship",
            audit.Target("order", order.id, order.store_id),
            after={"carrier": row.carrier, "tracking_no": row.tracking_no},
        )
        shipped += 1
    return shipped, refused


def cancel_target(session: Session, *, actor: Actor, waybill_id: int) -> Waybill:
    """The number a worker may return to the platform (not once the parcel shipped)."""
    require_permission(actor, "order.waybill")
    row = session.get(Waybill, waybill_id)
    if row is None:
        raise NotFoundError(key="waybill.err.not_found", waybill_id=waybill_id)
    require_store(actor, row.store_id)
    if row.status not in ("issued", "printed"):
        raise ConflictError(key="waybill.err.cannot_cancel", status=row.status)
    return row


def record_cancelled(session: Session, *, waybill_id: int, who: str) -> Waybill:
    row = session.get(Waybill, waybill_id)
    if row is None:
        raise NotFoundError(key="waybill.err.not_found", waybill_id=waybill_id)
    if row.status == "cancelled":
        return row
    now = utcnow()
    row.status, row.cancelled_at, row.updated_at = "cancelled", now, now
    session.add(row)
    session.add(
        OrderEvent(order_id=row.order_id, actor=who, kind="waybill_cancelled", note=f"{row.carrier} {row.tracking_no}")
    )
    order = session.get(Order, row.order_id)
    audit.record_by_ref(
        session,
        who,
        "order.waybill_cancel",
        audit.Target("order", row.order_id, order.store_id if order else None),
        before={"tracking_no": row.tracking_no},
    )
    session.flush()
    return row


def waybill(session: Session, *, waybill_id: int) -> Waybill | None:
    return session.get(Waybill, waybill_id)


def store_of(session: Session, *, order_id: int) -> int | None:
    order = session.get(Order, order_id)
    return order.store_id if order else None
