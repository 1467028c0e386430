"""What an ERP tells us on the inbound API (/api/erp/v1/): who is calling, replays, shipments,
cancel results and after-sale results. The API layer checks the signature; this module does the
database part and answers what changed. Refusals carry a stable machine-readable code."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from qihang_app.domain.erp_link import ErpState
from qihang_app.models import ErpConnection, ErpOrderState, ErpResult, ErpSeenSignature, Order, utcnow

from . import aftersale_erp, audit, shipments
from .erp_connections import ErpConn, connection_for_key
from .erp_payload import order_id_of
from .errors import ServiceError

REPLAY_KEEP = timedelta(seconds=660)  # longer than both sides of the signature window


class InboundRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def caller(session: Session, *, inbound_key: str) -> ErpConn:
    conn = connection_for_key(session, inbound_key=inbound_key)
    if conn is None:
        raise InboundRefused(401, "unknown_key", "no ERP connection has this X-QiHang-Key")
    if not conn.enabled:
        raise InboundRefused(403, "connection_disabled", "this ERP connection is switched off in the OMS")
    return conn


def remember_signature(session: Session, *, signature: str, now: datetime | None = None) -> None:
    """Refuse a signature seen before inside the window (a replay); remember it otherwise."""
    now = now or utcnow()
    session.exec(delete(ErpSeenSignature).where(ErpSeenSignature.seen_at < now - REPLAY_KEEP))
    try:
        with session.begin_nested():
            session.add(ErpSeenSignature(signature=signature, seen_at=now))
    except IntegrityError:
        raise InboundRefused(409, "replayed", "this signature was used before; sign every call anew") from None


def order_of_connection(session: Session, *, connection_id: int, order_no: str) -> int | None:
    """Our order behind `order_no` when it is in this connection's reach, else None."""
    order_id = order_id_of(order_no)
    order = session.get(Order, order_id) if order_id is not None else None
    conn = session.get(ErpConnection, connection_id)
    if order is None or conn is None:
        return None
    state = session.get(ErpOrderState, order.id)
    if state is not None:
        return order.id if state.connection_id == connection_id else None
    return order.id if conn.store_id in (None, order.store_id) else None


def api_caller(session: Session, conn: ErpConn, address: str | None) -> audit.ApiCaller:
    """The connection's key as the audit trail's actor: its name and public key id, no secret."""
    row = session.get(ErpConnection, conn.id)
    name = f"{row.name} · {row.inbound_key}" if row is not None else f"ERP {conn.id}"
    return audit.ApiCaller(key_id=conn.id, name=name, address=address)


def _audit(session: Session, conn: ErpConn, address: str | None, action: str, target: audit.Target, after: dict):
    audit.record(session, api_caller(session, conn, address), action, target, after=after)


def _store_of(session: Session, order_id: int | None) -> int | None:
    order = session.get(Order, order_id) if order_id is not None else None
    return order.store_id if order is not None else None


def _order(session: Session, conn: ErpConn, order_no: str) -> int:
    order_id = order_of_connection(session, connection_id=conn.id, order_no=order_no)
    if order_id is None:
        raise InboundRefused(404, "unknown_order", f"no order {order_no[:40]!r} was pushed to this connection")
    return order_id


def shipment(session: Session, *, conn: ErpConn, data: dict[str, Any], address: str | None = None) -> dict:
    order_id = _order(session, conn, data["order_no"])
    try:
        done = shipments.record(
            session,
            order_id=order_id,
            carrier_code=data["carrier_code"],
            tracking_no=data["tracking_no"],
            lines=data.get("lines") or (),
            source="api",
            connection_id=conn.id,
            shipped_at=data.get("shipped_at"),
        )
    except ServiceError as exc:
        code = {"erp.err.bad_carrier": "unknown_carrier", "erp.err.order_ended": "order_ended"}.get(
            exc.key or "", "invalid"
        )
        raise InboundRefused(409 if code == "order_ended" else 422, code, str(exc)) from None
    if done.created:
        target = audit.Target("order", order_id, _store_of(session, order_id))
        after = {"carrier_code": data["carrier_code"], "tracking_no": data["tracking_no"], "status": done.status}
        _audit(session, conn, address, "erp.api.ship", target, after)
    return {
        "order_no": data["order_no"],
        "shipment_id": done.shipment_id,
        "duplicate": not done.created,
        "order_status": done.status,
        "status_changed": done.moved,
    }


def _result(
    session: Session, conn: ErpConn, kind: str, ref: str, outcome: str, order_id: int | None, body: dict
) -> bool:
    """Store the result raw; False when the same (kind, ref, outcome) was stored before."""
    try:
        with session.begin_nested():
            session.add(
                ErpResult(
                    connection_id=conn.id,
                    kind=kind,
                    ref=ref,
                    outcome=outcome,
                    order_id=order_id,
                    body=json.dumps(body, ensure_ascii=False, default=str),
                )
            )
    except IntegrityError:
        return False
    return True


def cancel_result(session: Session, *, conn: ErpConn, data: dict[str, Any], address: str | None = None) -> dict:
    order_id = _order(session, conn, data["order_no"])
    new = _result(session, conn, "cancel", data["order_no"], data["outcome"], order_id, data)
    state = session.get(ErpOrderState, order_id)
    changed = False
    if new and state is not None and data["outcome"] == "cancelled" and state.state != ErpState.CANCEL_PUSHED:
        state.state, changed = ErpState.CANCEL_PUSHED.value, True
        session.add(state)
    elif new and state is not None:
        state.answer = str(data.get("note") or data["outcome"])[:1000]
        session.add(state)
    if new:
        target = audit.Target("order", order_id, _store_of(session, order_id))
        _audit(session, conn, address, "erp.api.cancel_result", target, {"outcome": data["outcome"]})
    session.flush()
    return {
        "order_no": data["order_no"],
        "duplicate": not new,
        "erp_state": state.state if state else None,
        "erp_state_changed": changed,
    }


def aftersale_result(session: Session, *, conn: ErpConn, data: dict[str, Any], address: str | None = None) -> dict:
    order_id = None
    if data.get("order_no"):
        order_id = _order(session, conn, data["order_no"])
    new = _result(session, conn, "aftersale", data["aftersale_no"], data["outcome"], order_id, data)
    applied = _to_after_sale(session, conn.id, data["aftersale_no"], data["outcome"], data) if new else None
    if new:
        record = aftersale_erp.find(session, conn_id=conn.id, ref=data["aftersale_no"])
        target = (
            audit.Target("after_sale", record.id, record.store_id)
            if record is not None
            else audit.Target("erp_result", data["aftersale_no"], _store_of(session, order_id))
        )
        after = {k: data.get(k) for k in ("aftersale_no", "outcome", "tracking_no") if data.get(k)}
        _audit(session, conn, address, "erp.api.aftersale_result", target, after | {"applied": applied})
    session.flush()
    return {"aftersale_no": data["aftersale_no"], "duplicate": not new, "recorded": True, "applied": applied}


def _to_after_sale(session: Session, conn_id: int, ref: str, outcome: str, body: dict) -> bool | None:
    """Apply a new result to the after-sale it names (kept raw either way). None: no such
    after-sale; False: the center refused it (the reason is on its timeline)."""
    try:
        with session.begin_nested():
            found = aftersale_erp.apply(session, conn_id=conn_id, ref=ref, outcome=outcome, body=body)
    except ServiceError as exc:
        record = aftersale_erp.find(session, conn_id=conn_id, ref=ref)
        if record is not None:
            aftersale_erp.note_refused(session, record.id, outcome, str(exc))
        return False
    return None if found is None else True


def polled_after_sale(session: Session, *, connection_id: int, result: Any) -> bool:
    """An after-sale result a polled ERP reported (补发 / 换货 parcels): kept raw and applied to
    the after-sale once per (after-sale, outcome). True when it was new."""
    conn = session.get(ErpConnection, connection_id)
    if conn is None:
        return False
    body = {k: getattr(result, k, "") for k in ("after_sale_ref", "outcome", "tracking_no", "carrier", "note")}
    caller = ErpConn(id=conn.id, erp=conn.erp, base_url=conn.base_url, keys={})
    ref, outcome = str(result.after_sale_ref), str(result.outcome)
    new = _result(session, caller, "aftersale", ref, outcome, None, body)
    if new:
        _to_after_sale(session, conn.id, ref, outcome, body)
    return new


def results_of(session: Session, *, order_id: int) -> list[ErpResult]:
    return list(session.exec(select(ErpResult).where(ErpResult.order_id == order_id).order_by(ErpResult.id)))
