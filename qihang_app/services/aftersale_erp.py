"""After-sales on the ERP link: the `aftersale.created` push through the ERP outbox rows, the
ERP's own after-sale id kept from its answer, and the ERP's results (inbound API or polled)
applied to the after-sale they name.

A push goes when the store's connection has 推送售后 on and its kind takes after-sales
(`events` has "after_sale"); one idempotency key per (after-sale, event, version).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from qihang_app.domain import erp_kinds
from qihang_app.domain.erp_link import AFTER_SALE_KIND, ErpEvent, after_sale_key
from qihang_app.models import (
    AfterSale,
    AfterSaleEvent,
    AfterSaleLine,
    ErpConnection,
    ErpShipment,
    ErpSku,
    Order,
    OrderLine,
    OutboxMessage,
    utcnow,
)

from . import erp_payload
from .erp_connections import connection_for_store

PUSH_KIND = "erp_aftersale"  # erp_push.KINDS names it too: the ERP relay sends it
VERSION = 1  # the created event goes once; a later change would be a new version


def _event(session: Session, after_sale_id: int, kind: str, note: str, actor: str = "worker") -> None:
    session.add(AfterSaleEvent(after_sale_id=after_sale_id, actor=actor, kind=kind, note=note[:500]))


def takes_after_sales(conn: ErpConnection) -> bool:
    profile = erp_kinds.profile(conn.erp)
    return bool(conn.push_after_sales) and profile is not None and "after_sale" in profile.events


def push_data(session: Session, record: AfterSale, order: Order) -> dict[str, Any]:
    """The ErpAfterSale an adapter takes (money in fen, SKUs as the ERP's codes)."""
    rows = session.exec(
        select(AfterSaleLine, OrderLine)
        .join(OrderLine, OrderLine.id == AfterSaleLine.order_line_id, isouter=True)
        .where(AfterSaleLine.after_sale_id == record.id)
        .order_by(AfterSaleLine.id)
    ).all()
    sku_ids = [ol.erp_sku_id for _, ol in rows if ol is not None and ol.erp_sku_id is not None]
    codes = dict(session.execute(sa.select(ErpSku.id, ErpSku.code).where(ErpSku.id.in_(sku_ids))).all())
    lines = [
        {
            "line_no": ol.line_no if ol is not None else None,
            "sku": codes.get(ol.erp_sku_id) if ol is not None else None,
            "quantity": line.quantity,
            "amount_fen": line.amount_fen,
            "name": line.name,
        }
        for line, ol in rows
    ]
    data = {
        "after_sale_no": record.no,
        "order_no": erp_payload.order_no(order),
        "kind": AFTER_SALE_KIND.get(record.kind, record.kind),
        "refund_fen": record.amount_fen,
        "reason": record.reason,
        "lines": [ln for ln in lines if ln["sku"]] or lines,
    }
    if record.return_waybill:
        data["return_carrier"], data["return_tracking_no"] = record.return_carrier, record.return_waybill
    return data


def queue_push(session: Session, *, after_sale_id: int) -> bool:
    """Queue the after-sale's `aftersale.created` push. True when a row was queued now."""
    record = session.get(AfterSale, after_sale_id)
    order = session.get(Order, record.order_id) if record is not None else None
    if record is None or order is None:
        return False
    conn = connection_for_store(session, store_id=record.store_id)
    if conn is None or not takes_after_sales(conn):
        return False
    key = after_sale_key(conn.id, record.id, ErpEvent.AFTER_SALE, VERSION)
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first() is not None:
        return False
    payload = {
        "connection_id": conn.id,
        "event": ErpEvent.AFTER_SALE.value,
        "after_sale_id": record.id,
        "data": push_data(session, record, order),
    }
    session.add(
        OutboxMessage(
            kind=PUSH_KIND,
            target="erp",
            shop_id=record.shop_id,
            order_id=record.order_id,
            payload=json.dumps(payload, ensure_ascii=False, default=str),
            idempotency_key=key,
            next_attempt_at=utcnow(),
        )
    )
    _event(session, record.id, "erp_push", "已排队推送ERP")
    session.flush()
    return True


def push_done(session: Session, *, after_sale_id: int, erp_ref: str) -> None:
    record = session.get(AfterSale, after_sale_id)
    if record is None:
        return
    if erp_ref and not record.erp_ref:
        record.erp_ref = erp_ref[:64]
        session.add(record)
    _event(session, after_sale_id, "erp_push", f"已推送ERP {erp_ref}".strip())


def note_refused(session: Session, after_sale_id: int, outcome: str, reason: str) -> None:
    _event(session, after_sale_id, "erp_result", f"{outcome}: {reason}", actor="erp")


def push_failed(session: Session, *, after_sale_id: int, error: str, dead: bool) -> None:
    if dead and session.get(AfterSale, after_sale_id) is not None:
        _event(session, after_sale_id, "erp_push", f"推送ERP失败 {error}")


def find(session: Session, *, conn_id: int, ref: str) -> AfterSale | None:
    """The after-sale an ERP names: our number, or the ERP's own id from its push answer, in the
    connection's reach (its store, or every store for a merchant-wide one)."""
    conn = session.get(ErpConnection, conn_id)
    ref = (ref or "").strip()
    if conn is None or not ref:
        return None
    query = select(AfterSale).where(sa.or_(AfterSale.no == ref, AfterSale.erp_ref == ref))
    if conn.store_id is not None:
        query = query.where(AfterSale.store_id == conn.store_id)
    return session.exec(query.order_by(AfterSale.id)).first()


def resend_parcel(
    session: Session, record: AfterSale, *, carrier: str, tracking_no: str, conn_id: int | None, actor: str
) -> None:
    """A 补发 / 换货 parcel: a shipment of the original order, with its own tracking number and
    the after-sale it answers; it does not move the order (the order shipped before)."""
    tracking_no = tracking_no.strip()
    if not tracking_no:
        return
    try:
        with session.begin_nested():
            session.add(
                ErpShipment(
                    order_id=record.order_id,
                    connection_id=conn_id,
                    source="resend",
                    carrier_code=carrier or "",
                    tracking_no=tracking_no[:64],
                    shipped_at=utcnow(),
                    actor=actor,
                    after_sale_id=record.id,
                )
            )
    except IntegrityError:
        pass  # the same parcel reported again


def apply(session: Session, *, conn_id: int, ref: str, outcome: str, body: dict[str, Any]) -> int | None:
    """An ERP result for an after-sale; returns the after-sale's id, None when none matches.
    "refused" (the ERP will not do it) is put on the timeline for staff."""
    from .aftersale_hooks import ERP_OUTCOMES, apply_erp_result

    record = find(session, conn_id=conn_id, ref=ref)
    if record is None:
        return None
    note = str(body.get("note") or "")
    if outcome not in ERP_OUTCOMES:
        _event(session, record.id, "erp_result", f"{outcome} {note}".strip(), actor="erp")
        return record.id
    apply_erp_result(
        session,
        record.id,
        outcome,
        str(body.get("tracking_no") or ""),
        carrier=str(body.get("carrier") or body.get("carrier_code") or ""),
        note=note,
        connection_id=conn_id,
    )
    return record.id
