"""Shipments of orders (from the ERP's API, an ERP poll, or typed in the order drawer).

A shipment is stored once per (order, carrier, tracking number): the same one twice is one. When
the shipments cover the whole order, the order moves to 已发货 / 配送中 as the state machine allows,
and the platform hears of it through the outbox (WriteBack.SHIP, when the platform has the call).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules_
from qihang_app.domain import partners
from qihang_app.domain.express_carriers import carrier
from qihang_app.domain.order_flow import IllegalTransition, is_terminal, next_status
from qihang_app.domain.order_flow import OrderEvent as Ev
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.partners import WriteBack
from qihang_app.models import ErpShipment, ErpSku, Order, OrderEvent, OrderLine, OutboxMessage, utcnow

from .errors import ConflictError, NotFoundError, ValidationError, checked
from .scope import Actor, require_store


@dataclass(frozen=True)
class Recorded:
    order_id: int | None
    shipment_id: int | None
    created: bool  # False: this shipment was known already
    status: str  # the order's status afterwards
    moved: bool  # the order moved to shipped now
    store_id: int | None = None  # for the boards' live note


def _clean(carrier_code: str, tracking_no: str, lines: Iterable[Any]) -> tuple[str, str, list[dict]]:
    carrier_code = str(carrier_code or "").strip().upper()
    if carrier(carrier_code) is None:
        raise ValidationError(key="erp.err.bad_carrier", field="carrier_code", code=carrier_code[:20])
    tracking = checked(
        "tracking_no",
        partial(rules_.code, limit="sku_code", required=True, required_key="erp.err.tracking_required"),
        tracking_no,
    )
    clean = []
    for line in lines or ():
        sku, qty = str(_get(line, "sku")).strip(), _get(line, "quantity")
        if not sku or not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= 1_000_000:
            raise ValidationError(key="erp.err.bad_lines", field="lines")
        clean.append({"sku": sku, "quantity": qty})
    return carrier_code, tracking, clean


def _get(line: Any, name: str) -> Any:
    return line.get(name) if isinstance(line, dict) else getattr(line, name, None)


def record(
    session: Session,
    *,
    order_id: int,
    carrier_code: str,
    tracking_no: str,
    lines: Iterable[Any] = (),
    source: str,
    actor: Actor | None = None,
    connection_id: int | None = None,
    shipped_at: datetime | None = None,
) -> Recorded:
    carrier_code, tracking_no, clean_lines = _clean(carrier_code, tracking_no, lines)
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    if actor is not None:
        require_store(actor, order.store_id)
    known = session.exec(
        select(ErpShipment.id).where(
            ErpShipment.order_id == order.id,
            ErpShipment.carrier_code == carrier_code,
            ErpShipment.tracking_no == tracking_no,
        )
    ).first()
    if known is not None:
        return Recorded(order.id, known, False, order.status, False)
    if is_terminal(OrderStatus(order.status)):
        raise ConflictError(key="erp.err.order_ended", status=order.status)
    _check_lines(session, order.id, clean_lines)
    row = ErpShipment(
        order_id=order.id,
        connection_id=connection_id,
        source=source,
        carrier_code=carrier_code,
        tracking_no=tracking_no,
        lines_json=json.dumps(clean_lines, ensure_ascii=False),
        shipped_at=shipped_at or utcnow(),
        actor=actor.ref if actor else f"erp:{connection_id}" if connection_id else "",
    )
    try:
        with session.begin_nested():  # the same shipment arriving twice at once: one row
            session.add(row)
    except IntegrityError:
        return Recorded(order.id, None, False, order.status, False)
    moved = _ship_if_complete(session, order, row)
    session.flush()
    return Recorded(order.id, row.id, True, order.status, moved, order.store_id)


def _check_lines(session: Session, order_id: int, lines: list[dict]) -> None:
    if not lines:
        return
    codes = _ordered(session, order_id)
    unknown = [x["sku"] for x in lines if x["sku"] not in codes]
    if unknown:
        raise ValidationError(key="erp.err.unknown_sku", field="lines", sku=", ".join(unknown[:5]))


def _ordered(session: Session, order_id: int) -> Counter:
    """Quantity ordered per ERP SKU code (what partial shipments are counted against)."""
    rows = session.exec(
        select(ErpSku.code, OrderLine.quantity)
        .join(ErpSku, ErpSku.id == OrderLine.erp_sku_id)
        .where(OrderLine.order_id == order_id)
    ).all()
    total: Counter = Counter()
    for code, qty in rows:
        total[code] += qty
    return total


def _complete(session: Session, order_id: int) -> bool:
    shipped: Counter = Counter()
    own = select(ErpShipment.lines_json).where(
        ErpShipment.order_id == order_id, ErpShipment.after_sale_id.is_(None)
    )  # an after-sale's 补发 parcel is not the order's delivery
    for (raw,) in session.execute(own).all():
        lines = json.loads(raw or "[]")
        if not lines:
            return True  # a shipment without lines is the whole order
        for line in lines:
            shipped[line["sku"]] += line["quantity"]
    ordered = _ordered(session, order_id)
    return bool(ordered) and all(shipped[code] >= qty for code, qty in ordered.items())


def _ship_if_complete(session: Session, order: Order, row: ErpShipment) -> bool:
    old = order.status
    if not _complete(session, order.id):
        _event(session, order, row, "erp_shipped_part", old)
        return False
    try:
        order.status = next_status(
            OrderStatus(old), Ev.SHIP, needs_accept=partners.instant_retail(order.platform)
        ).value
    except IllegalTransition:
        _event(session, order, row, "erp_shipped", old)  # stored; the state machine keeps the status
        return False
    order.shipped_at = row.shipped_at
    if partners.supports(order.platform, WriteBack.SHIP):
        payload = {
            "action": "ship",
            "platform_order_id": order.platform_order_id,
            "carrier": row.carrier_code,
            "tracking_no": row.tracking_no,
        }
        session.add(
            OutboxMessage(
                kind="platform_ship",
                target=order.platform,
                shop_id=order.shop_id,
                order_id=order.id,
                payload=json.dumps(payload, ensure_ascii=False),
                idempotency_key=f"ship:{order.id}:{row.id}",
                next_attempt_at=utcnow(),
            )
        )
        order.pending_action = "ship"
    session.add(order)
    _event(session, order, row, "erp_shipped", old)
    return True


def _event(session: Session, order: Order, row: ErpShipment, kind: str, old: str) -> None:
    note = f"{row.carrier_code} {row.tracking_no}"
    session.add(
        OrderEvent(
            order_id=order.id,
            actor=row.actor or "worker",
            kind=kind,
            from_status=old,
            to_status=order.status,
            note=note,
        )
    )


def order_shipments(session: Session, *, actor: Actor, order_id: int) -> list[ErpShipment]:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    require_store(actor, order.store_id)
    return list(session.exec(select(ErpShipment).where(ErpShipment.order_id == order_id).order_by(ErpShipment.id)))


def _erp_lines(session: Session, order_id: int, lines: Iterable[Any]) -> list[dict]:
    """An ERP's shipment lines as SKU + quantity: some name our line (line_no) instead of the SKU,
    and quantity 0 means all of that line (旺店通)."""
    ours = {
        str(no): (code or "", qty)
        for no, code, qty in session.exec(
            select(OrderLine.line_no, ErpSku.code, OrderLine.quantity)
            .outerjoin(ErpSku, ErpSku.id == OrderLine.erp_sku_id)
            .where(OrderLine.order_id == order_id)
        ).all()
    }
    result = []
    for line in lines or ():
        sku, qty, no = _get(line, "sku") or "", _get(line, "quantity") or 0, str(_get(line, "line_no") or "")
        code, ordered = ours.get(no, ("", 0))
        result.append({"sku": sku or code, "quantity": qty or ordered})
    return result


def record_from_erp(session: Session, *, connection_id: int, shipment: Any, source: str) -> Recorded:
    """A shipment an ERP reported (inbound API or poll): its order number as pushed."""
    from .erp_inbound import order_of_connection

    order_id = order_of_connection(session, connection_id=connection_id, order_no=shipment.order_ref)
    if order_id is None:
        return Recorded(None, None, False, "", False)
    return record(
        session,
        order_id=order_id,
        carrier_code=shipment.carrier,
        tracking_no=shipment.tracking_no,
        lines=_erp_lines(session, order_id, shipment.lines),
        source=source,
        connection_id=connection_id,
        shipped_at=shipment.shipped_at,
    )
