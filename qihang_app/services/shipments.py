"""Shipments of orders (from the ERP's API, an ERP poll, or typed in the order drawer).

A shipment is stored once per (order, carrier, tracking number): the same one twice is one. When
the shipments cover the whole order, the order moves to 已发货 / 配送中 as the state machine allows,
and the platform hears of it through the outbox (WriteBack.SHIP, when the platform has the call).

Where the platform ships per line (`PlatformProfile.splits_shipments`), a shipment may name the
order lines in its parcel (`line_nos`): each parcel is reported at once with the platform's line
ids (`line_ids` in the SHIP payload), and the order is 已发货 once every line went.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
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
    line_nos: Iterable[int] = (),
) -> Recorded:
    carrier_code, tracking_no, clean_lines = _clean(carrier_code, tracking_no, lines)
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    if actor is not None:
        require_store(actor, order.store_id)
    if line_nos:
        clean_lines = _parcel_lines(session, order, sorted({int(n) for n in line_nos}))
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


def _parcel_lines(session: Session, order: Order, line_nos: list[int]) -> list[dict]:
    """The order lines of one parcel, with the platform's line ids; each line ships once."""
    found = partners.profile(order.platform)
    if found is None or not found.splits_shipments:
        raise ValidationError(key="ship.err.no_split", field="lines")
    rows = {
        line.line_no: (line, code)
        for line, code in session.exec(
            select(OrderLine, ErpSku.code)
            .outerjoin(ErpSku, ErpSku.id == OrderLine.erp_sku_id)
            .where(OrderLine.order_id == order.id)
        ).all()
    }
    if any(no not in rows for no in line_nos):
        raise ValidationError(key="ship.err.unknown_line", field="lines")
    done = shipped_so_far(session, order.id)
    if done.whole or any(done.covers(rows[no][0]) for no in line_nos):
        raise ConflictError(key="ship.err.line_shipped", field="lines")
    return [
        {
            "line_no": no,
            "platform_line_id": rows[no][0].platform_line_id,
            "sku": rows[no][1] or "",
            "quantity": rows[no][0].quantity,
        }
        for no in line_nos
    ]


@dataclass
class ShippedSoFar:
    """What the order's own shipments (not an after-sale's) covered so far."""

    whole: bool = False  # a shipment without lines: the whole order
    platform_line_ids: set = field(default_factory=set)
    line_nos: set = field(default_factory=set)  # lines without a platform line id
    skus: Counter = field(default_factory=Counter)
    parcels: dict = field(default_factory=dict)  # line key → "carrier tracking"

    def covers(self, line: Any) -> bool:
        if line.platform_line_id:
            return line.platform_line_id in self.platform_line_ids
        return line.line_no in self.line_nos


def shipped_so_far(session: Session, order_id: int) -> ShippedSoFar:
    done = ShippedSoFar()
    own = select(ErpShipment.lines_json, ErpShipment.carrier_code, ErpShipment.tracking_no).where(
        ErpShipment.order_id == order_id, ErpShipment.after_sale_id.is_(None)
    )  # an after-sale's 补发 parcel is not the order's delivery
    for raw, carrier_code, tracking in session.execute(own).all():
        lines = json.loads(raw or "[]")
        done.whole = done.whole or not lines
        for line in lines:
            if line.get("platform_line_id"):
                done.platform_line_ids.add(line["platform_line_id"])
                done.parcels[line["platform_line_id"]] = f"{carrier_code} {tracking}"
            elif line.get("line_no"):
                done.line_nos.add(int(line["line_no"]))
                done.parcels[int(line["line_no"])] = f"{carrier_code} {tracking}"
            if line.get("sku"):
                done.skus[line["sku"]] += line["quantity"]
    return done


def _check_lines(session: Session, order_id: int, lines: list[dict]) -> None:
    lines = [x for x in lines if not x.get("line_no")]  # lines of a parcel were checked by number
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
    done = shipped_so_far(session, order_id)
    if done.whole:
        return True
    lines = list(session.exec(select(OrderLine).where(OrderLine.order_id == order_id)))
    if lines and all(done.covers(line) for line in lines):
        return True
    ordered = _ordered(session, order_id)
    return bool(ordered) and all(done.skus[code] >= qty for code, qty in ordered.items())


def _parcel_line_ids(session: Session, order: Order, row: ErpShipment) -> tuple[str, ...]:
    """The platform line ids a SHIP of this parcel names: its own lines, the lines of the SKUs an
    ERP's parcel names, or (a parcel without lines after others went) the lines still unshipped;
    () is the whole order."""
    found = partners.profile(order.platform)
    if found is None or not found.splits_shipments:
        return ()
    entries = json.loads(row.lines_json or "[]")
    mine = tuple(x["platform_line_id"] for x in entries if x.get("platform_line_id"))
    if mine:
        return mine
    if entries:  # an ERP's parcel names SKUs: the order lines of those SKUs
        codes = {x.get("sku") for x in entries} - {None, ""}
        linked = session.exec(
            select(OrderLine.platform_line_id, ErpSku.code)
            .join(ErpSku, ErpSku.id == OrderLine.erp_sku_id)
            .where(OrderLine.order_id == order.id)
            .order_by(OrderLine.line_no)
        ).all()
        return tuple(pid for pid, code in linked if pid and code in codes)
    others = select(ErpShipment.lines_json).where(
        ErpShipment.order_id == order.id, ErpShipment.after_sale_id.is_(None), ErpShipment.id != row.id
    )
    earlier = {x.get("platform_line_id") for (raw,) in session.execute(others).all() for x in json.loads(raw or "[]")}
    if not earlier - {None, ""}:
        return ()
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no))
    return tuple(x.platform_line_id for x in lines if x.platform_line_id and x.platform_line_id not in earlier)


def _queue_ship(session: Session, order: Order, row: ErpShipment, line_ids: tuple[str, ...]) -> None:
    payload = {
        "action": "ship",
        "platform_order_id": order.platform_order_id,
        "carrier": row.carrier_code,
        "tracking_no": row.tracking_no,
    }
    if line_ids:
        payload["line_ids"] = list(line_ids)
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


def _ship_if_complete(session: Session, order: Order, row: ErpShipment) -> bool:
    old = order.status
    line_ids = _parcel_line_ids(session, order, row)
    if not _complete(session, order.id):
        if line_ids and partners.supports(order.platform, WriteBack.SHIP):
            _queue_ship(session, order, row, line_ids)  # the platform hears of each parcel as it goes
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
        _queue_ship(session, order, row, line_ids)
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
