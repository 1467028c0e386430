"""After-sale intake: platform refund messages (push or sweep) → one after-sale record each.

Called by ingest in the same transaction as the order change the message made, once the order
exists. Idempotent and out-of-order safe: the key is (shop, platform refund id); a re-delivered
message changes nothing; an older report never replaces a newer one (domain.aftersale.merge_report).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import aftersale as rules
from qihang_app.domain.order_flow import OrderEvent as Ev
from qihang_app.domain.order_flow import next_status
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import PlatformRefund, RefundKind, RefundStatus
from qihang_app.models import AfterSale, AfterSaleEvent, AfterSaleLine, Order, OrderEvent, OrderLine, utcnow

from . import aftersale_hooks

SHIPPED = {OrderStatus.SHIPPED.value, OrderStatus.COMPLETED.value, OrderStatus.CLOSED.value}


@dataclass(frozen=True)
class AfterSaleChange:
    after_sale_id: int
    order_id: int
    store_id: int
    state: str
    kind: str  # "new" | "changed"


def new_number(now: datetime) -> str:
    """Our after-sale number: date + random tail (unique constraint; readable on the phone)."""
    return f"AS{now:%y%m%d}{secrets.token_hex(4).upper()}"


def record_platform_refund(
    session: Session, *, order_id: int, refund: PlatformRefund, via: str, now: datetime | None = None
) -> AfterSaleChange | None:
    """Create or move the after-sale of `refund`; None when the message changed nothing."""
    now = now or utcnow()
    order = session.execute(sa.select(Order.__table__).where(Order.id == order_id)).mappings().one()
    refund_id = refund.platform_refund_id or f"order:{refund.platform_order_id}"
    query = select(AfterSale).where(AfterSale.shop_id == order["shop_id"], AfterSale.platform_refund_id == refund_id)
    record = session.exec(query.with_for_update()).first()
    if record is None and refund.kind is RefundKind.PARTIAL:
        from .aftersale_partial import adopt

        record = adopt(session, order_id=order_id, amount_fen=refund.amount_fen, refund_id=refund_id)
    if record is None:
        try:
            with session.begin_nested():  # two workers may meet on the same new refund
                record = _create(session, order, refund, refund_id, via, now)
        except sa.exc.IntegrityError:
            record = session.exec(query.with_for_update()).first()
            if record is None:
                raise
        else:
            refresh_order(session, order_id=order_id, via=via)
            aftersale_hooks.after_sale_created(session, record.id)
            return AfterSaleChange(record.id, order_id, record.store_id, record.state, "new")
    if not _merge(session, record, refund, via, now):
        return None
    refresh_order(session, order_id=order_id, via=via)
    return AfterSaleChange(record.id, order_id, record.store_id, record.state, "changed")


def _create(session: Session, order, refund: PlatformRefund, refund_id: str, via: str, now: datetime) -> AfterSale:
    kind = rules.type_for(refund.kind, shipped=order["status"] in SHIPPED)
    state = rules.from_platform(refund.status, kind)
    amount = refund.amount_fen if refund.amount_fen is not None else order["paid_fen"]
    record = AfterSale(
        no=new_number(now),
        platform=order["platform"],
        shop_id=order["shop_id"],
        store_id=order["store_id"],
        order_id=order["id"],
        platform_refund_id=refund_id,
        kind=kind.value,
        state=state.value,
        raw_status_code=refund.raw_status_code,
        amount_fen=amount,
        refunded_fen=amount if state is rules.AfterSaleState.REFUNDED else 0,
        reason=refund.reason,
        reason_code=refund.reason_code,
        pictures=json.dumps(list(refund.pictures), ensure_ascii=False),
        return_carrier=refund.return_carrier,
        return_waybill=refund.return_waybill,
        deadline_at=refund.deadline_at,
        platform_updated_at=refund.updated_at,
        raw=json.dumps(refund.raw or {}, ensure_ascii=False, default=str),
    )
    session.add(record)
    session.flush()
    for line in _lines(session, order["id"], refund):
        line.after_sale_id = record.id
        session.add(line)
    session.add(
        AfterSaleEvent(
            after_sale_id=record.id,
            actor=f"platform:{order['platform']}",
            kind="created",
            to_state=state.value,
            note=via,
        )
    )
    session.flush()
    return record


def _lines(session: Session, order_id: int, refund: PlatformRefund) -> list[AfterSaleLine]:
    """The refund's lines tied to the order's lines; a whole-order refund concerns every line."""
    order_lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
    ).all()
    by_sku = {(ol.platform_item_id, ol.platform_sku_id): ol for ol in order_lines}
    by_sku_only = {ol.platform_sku_id: ol for ol in order_lines}
    if not refund.lines:
        return [
            AfterSaleLine(
                order_line_id=ol.id,
                platform_item_id=ol.platform_item_id,
                platform_sku_id=ol.platform_sku_id,
                name=ol.name,
                quantity=ol.quantity,
                amount_fen=ol.paid_fen,
            )
            for ol in order_lines
        ]
    out = []
    for line in refund.lines:
        ol = by_sku.get((line.platform_item_id, line.platform_sku_id)) or by_sku_only.get(line.platform_sku_id)
        out.append(
            AfterSaleLine(
                order_line_id=ol.id if ol else None,
                platform_item_id=line.platform_item_id,
                platform_sku_id=line.platform_sku_id,
                name=line.name or (ol.name if ol else ""),
                quantity=line.quantity,
                amount_fen=line.amount_fen,
            )
        )
    return out


def _merge(session: Session, record: AfterSale, refund: PlatformRefund, via: str, now: datetime) -> bool:
    kind = rules.AfterSaleType(record.kind)
    old = rules.AfterSaleState(record.state)
    state, at = rules.merge_report(
        old, record.platform_updated_at, rules.from_platform(refund.status, kind), refund.updated_at
    )
    changed = state is not old
    details = {
        "return_waybill": refund.return_waybill,
        "return_carrier": refund.return_carrier,
        "deadline_at": refund.deadline_at if refund.status is RefundStatus.APPLIED else None,
    }
    for name, value in details.items():
        if value and getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    if refund.pictures:
        pictures = json.dumps(
            sorted(set(json.loads(record.pictures or "[]")) | set(refund.pictures)), ensure_ascii=False
        )
        if pictures != record.pictures:
            record.pictures, changed = pictures, True
    if not changed:
        return False
    record.platform_updated_at = at
    if state is not old:
        record.state = state.value
        record.raw_status_code = refund.raw_status_code
        record.raw = json.dumps(refund.raw or {}, ensure_ascii=False, default=str)
        if state is rules.AfterSaleState.REFUNDED:
            record.refunded_fen = refund.amount_fen if refund.amount_fen is not None else record.amount_fen
        record.pending_action = None
        session.add(
            AfterSaleEvent(
                after_sale_id=record.id,
                actor=f"platform:{record.platform}",
                kind="state",
                from_state=old.value,
                to_state=state.value,
                note=via,
            )
        )
    session.add(record)
    session.flush()
    return True


def refresh_order(session: Session, *, order_id: int, via: str, actor: str = "") -> str:
    """Recompute the order's after-sale state; a paid order refunded in full is closed (if the
    platform's own push has not closed it already). Returns the state."""
    order = session.exec(select(Order).where(Order.id == order_id)).one()
    session.refresh(order)  # ingest wrote it with core statements
    claims = [
        rules.Claim(rules.AfterSaleState(r.state), r.refunded_fen or r.amount_fen, rules.AfterSaleType(r.kind))
        for r in session.exec(select(AfterSale).where(AfterSale.order_id == order_id)).all()
    ]
    state = rules.combined_state(claims, order.paid_fen).value
    if order.after_sale_state != state:
        order.after_sale_state = state
    if rules.closes_order(claims, order.paid_fen) and OrderStatus(order.status) not in (
        OrderStatus.CLOSED,
        OrderStatus.CANCELLED,
        OrderStatus.INVALID,
        OrderStatus.PENDING_PAYMENT,
    ):
        old = order.status
        order.status = next_status(OrderStatus(old), Ev.REFUND_FULL, needs_accept=False).value
        order.closed_at = utcnow()
        session.add(
            OrderEvent(
                order_id=order.id,
                actor=actor or f"platform:{order.platform}",
                kind="status",
                from_status=old,
                to_status=order.status,
                note=f"售后全额退款 ({via})",
            )
        )
    session.add(order)
    session.flush()
    return state


def line_states(session: Session, *, order_id: int) -> dict[int, str]:
    """{order line id: after-sale state of that line} (domain.aftersale.combined_state per line)."""
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all()
    rows = session.exec(
        select(AfterSaleLine, AfterSale)
        .join(AfterSale, AfterSale.id == AfterSaleLine.after_sale_id)
        .where(AfterSale.order_id == order_id)
    ).all()
    claims: dict[int, list[rules.Claim]] = {}
    for line, record in rows:
        if line.order_line_id is not None:
            claims.setdefault(line.order_line_id, []).append(
                rules.Claim(rules.AfterSaleState(record.state), line.amount_fen, rules.AfterSaleType(record.kind))
            )
    return {ol.id: rules.combined_state(claims.get(ol.id, []), ol.paid_fen).value for ol in lines}
