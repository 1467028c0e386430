"""缺货退款: after accepting, the store finds an item missing and refunds it to the buyer itself
(a habit of instant-retail stores), from the board card. The platform answers with its
partial-refund push, which the after-sale intake ties back to this record (same order, same
money, still in progress)."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from qihang_app.domain import aftersale as rules
from qihang_app.domain import partners
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.partners import WriteBack
from qihang_app.models import AfterSale, AfterSaleEvent, AfterSaleLine, Order, OrderLine, OutboxMessage, utcnow

from .aftersale_intake import new_number, refresh_order
from .errors import ConflictError, NotFoundError, ValidationError
from .scope import Actor, require_store

PREFIX = "part:"  # platform_refund_id until the platform's own id arrives
REASON_MAX = 200


def refund_missing(
    session: Session, *, actor: Actor, order_id: int, line_quantities: dict[int, int], reason: str = ""
) -> AfterSale:
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    require_store(actor, order.store_id)
    if not partners.supports(order.platform, WriteBack.PARTIAL_REFUND):
        raise ValidationError(key="aftersale.err.no_partial_refund")
    if order.status not in (OrderStatus.TO_SHIP.value, OrderStatus.SHIPPED.value):
        raise ConflictError(key="aftersale.err.not_accepted")
    reason = (reason or "").strip() or "商品缺货"
    if len(reason) > REASON_MAX:
        raise ValidationError(key="aftersale.err.too_long", field="reason", max=REASON_MAX)
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)).all()
    chosen = []
    for ol in lines:
        raw = line_quantities.get(ol.id, 0)
        quantity = raw if isinstance(raw, int) and not isinstance(raw, bool) else -1
        if quantity < 0 or quantity > ol.quantity:
            raise ValidationError(key="aftersale.err.bad_quantity", field="lines")
        if quantity:
            chosen.append((ol, quantity, ol.paid_fen * quantity // ol.quantity))
    if not chosen or set(line_quantities) - {ol.id for ol in lines}:
        raise ValidationError(key="aftersale.err.bad_quantity", field="lines")
    no = new_number(utcnow())
    record = AfterSale(
        no=no,
        platform=order.platform,
        shop_id=order.shop_id,
        store_id=order.store_id,
        order_id=order.id,
        platform_refund_id=PREFIX + no,
        kind=rules.AfterSaleType.REFUND_ONLY.value,
        state=rules.AfterSaleState.REFUNDING.value,
        amount_fen=sum(amount for _, _, amount in chosen),
        reason=reason,
        pending_action=WriteBack.PARTIAL_REFUND.value,
    )
    session.add(record)
    session.flush()
    for ol, quantity, amount in chosen:
        session.add(
            AfterSaleLine(
                after_sale_id=record.id,
                order_line_id=ol.id,
                platform_item_id=ol.platform_item_id,
                platform_sku_id=ol.platform_sku_id,
                name=ol.name,
                quantity=quantity,
                amount_fen=amount,
            )
        )
    session.add(
        AfterSaleEvent(after_sale_id=record.id, actor=actor.ref, kind="created", to_state=record.state, note=reason)
    )
    payload = {
        "action": WriteBack.PARTIAL_REFUND.value,
        "platform_order_id": order.platform_order_id,
        "after_sale_id": record.id,
        "reason": reason,
        "amount_fen": record.amount_fen,
        "refund_lines": [[ol.platform_item_id, ol.platform_sku_id, q] for ol, q, _ in chosen],
    }
    session.add(
        OutboxMessage(
            kind="platform_aftersale",
            target=order.platform,
            shop_id=order.shop_id,
            order_id=order.id,
            payload=json.dumps(payload, ensure_ascii=False),
            idempotency_key=f"partial_refund:as{record.id}",
            next_attempt_at=utcnow(),
        )
    )
    session.flush()
    refresh_order(session, order_id=order.id, via="缺货退款", actor=actor.ref)
    return record


def refundable_lines(session: Session, *, actor: Actor, order_id: int) -> list[dict]:
    """The order's lines as the 缺货退款 dialog lists them (id, name, spec, quantity)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    require_store(actor, order.store_id)
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)).all()
    return [{"id": ol.id, "name": ol.name, "spec": ol.spec, "quantity": ol.quantity} for ol in lines]


def adopt(session: Session, *, order_id: int, amount_fen: int | None, refund_id: str) -> AfterSale | None:
    """The platform's partial-refund message for a 缺货退款 we started: give our record its id."""
    candidates = session.exec(
        select(AfterSale)
        .where(AfterSale.order_id == order_id, AfterSale.platform_refund_id.startswith(PREFIX))
        .order_by(AfterSale.id)
        .with_for_update()
    ).all()
    for record in candidates:
        if amount_fen is None or record.amount_fen == amount_fen:
            record.platform_refund_id = refund_id
            session.add(record)
            session.flush()
            return record
    return None
