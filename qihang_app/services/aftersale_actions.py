"""After-sale actions: 同意 / 拒绝 / 备注 / 确认收货, results (补发 / 换货 / 退货 / 拦截), 缺货退款.

Each action moves the record through the domain machine, appends to its timeline and, when the
platform has a call for it (its profile declares the write-back), writes the outbox row in the same
transaction. The relay reports the platform's answer back here (`write_back_answered`).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, func, select

from qihang_app.domain import aftersale as rules
from qihang_app.domain import partners
from qihang_app.domain.partners import WriteBack
from qihang_app.models import AfterSale, AfterSaleEvent, AfterSaleLine, Order, OrderLine, OutboxMessage, utcnow

from . import aftersale_stock, audit
from .aftersale_intake import new_number, refresh_order
from .errors import ConflictError, NotFoundError, ValidationError
from .scope import Actor, require_permission, require_store

S, A = rules.AfterSaleState, rules.AfterSaleAction
NOTE_MAX = 500
OUTCOME_TYPES = {
    "resend": rules.AfterSaleType.RESEND,
    "exchange": rules.AfterSaleType.EXCHANGE,
    "return": rules.AfterSaleType.RETURN_REFUND,
    "refund_only": rules.AfterSaleType.REFUND_ONLY,
    "intercept": rules.AfterSaleType.INTERCEPT,
}


def _load(session: Session, actor: Actor | None, after_sale_id: int) -> AfterSale:
    record = session.exec(select(AfterSale).where(AfterSale.id == after_sale_id).with_for_update()).first()
    if record is None:
        raise NotFoundError(key="aftersale.err.not_found", id=after_sale_id)
    if actor is not None:
        require_store(actor, record.store_id)
    return record


def _move(session: Session, record: AfterSale, action: rules.AfterSaleAction, who: str, note: str = "") -> None:
    old = rules.AfterSaleState(record.state)
    try:
        new = rules.next_state(old, action, rules.AfterSaleType(record.kind))
    except rules.IllegalAfterSaleMove:
        raise ConflictError(key="aftersale.err.not_now", state=rules.STATE_ZH[old]) from None
    record.state = new.value
    session.add(AfterSaleEvent(after_sale_id=record.id, actor=who, kind=action.value, from_state=old.value,
                               to_state=new.value, note=note))  # fmt: skip


def _write_back(session: Session, record: AfterSale, action: WriteBack, payload: dict) -> bool:
    """Queue the platform call when the platform has one; False when staff must use its console."""
    if record.platform_refund_id.startswith("manual:") or not partners.supports(record.platform, action):
        return False
    order = session.get(Order, record.order_id)
    n = session.exec(select(func.count()).where(AfterSaleEvent.after_sale_id == record.id)).one()
    session.add(
        OutboxMessage(
            kind="platform_aftersale",
            target=record.platform,
            shop_id=record.shop_id,
            order_id=record.order_id,
            payload=json.dumps(
                {
                    "action": action.value,
                    "platform_order_id": order.platform_order_id,
                    "refund_id": record.platform_refund_id,
                    "after_sale_id": record.id,
                    **payload,
                },
                ensure_ascii=False,
            ),
            idempotency_key=f"{action.value}:as{record.id}:{n}",
            next_attempt_at=utcnow(),
        )
    )
    record.pending_action, record.platform_answer = action.value, None
    return True


def _audited(session: Session, actor: Actor, action: str, record: AfterSale, **after) -> None:
    """A person's after-sale decision is a change the audit trail keeps (permission checked first)."""
    target = audit.Target("after_sale", record.id, record.store_id)
    audit.record(session, actor, f"aftersale.{action}", target, after={"state": record.state, **after})


def _done(session: Session, record: AfterSale, who: str) -> AfterSale:
    session.add(record)
    session.flush()
    aftersale_stock.sync_hold(session, record)
    refresh_order(session, order_id=record.order_id, via="售后", actor=who)
    return record


def agree(session: Session, *, actor: Actor, after_sale_id: int) -> AfterSale:
    """同意: refunds go back at once (退款处理中); goods-back types wait for the goods."""
    require_permission(actor, "aftersale.handle")
    record = _load(session, actor, after_sale_id)
    if record.pending_action:
        raise ConflictError(key="aftersale.err.busy")
    _move(session, record, A.AGREE, actor.ref)
    if record.state == S.REFUNDING.value:
        _write_back(session, record, WriteBack.REFUND_AGREE, {"reason": "同意退款"})
    elif record.state == S.APPROVED.value and not _write_back(session, record, WriteBack.RETURN_AGREE, {}):
        _write_back(session, record, WriteBack.REFUND_AGREE, {"reason": "同意退货退款"})
    _audited(session, actor, "agree", record)
    return _done(session, record, actor.ref)


def reject(session: Session, *, actor: Actor, after_sale_id: int, reason_code: str, reason: str = "") -> AfterSale:
    """拒绝 with one of the platform's refund reject reasons."""
    require_permission(actor, "aftersale.handle")
    record = _load(session, actor, after_sale_id)
    profile = partners.profile(record.platform)
    reasons = profile.refund_reject_reasons if profile else {}
    if reasons and reason_code not in reasons:
        raise ValidationError(key="aftersale.err.bad_reason", field="reason_code", code=reason_code)
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise ValidationError(key="aftersale.err.too_long", field="reason", max=NOTE_MAX)
    text = reason or (reasons[reason_code][0] if reason_code in reasons else "")
    if not text:
        raise ValidationError(key="aftersale.err.reason_required", field="reason")
    if record.pending_action:
        raise ConflictError(key="aftersale.err.busy")
    _move(session, record, A.REJECT, actor.ref, f"{reason_code} {text}".strip())
    _write_back(session, record, WriteBack.REFUND_REJECT, {"reason_code": reason_code, "reason": text})
    _audited(session, actor, "reject", record, reason_code=reason_code)
    return _done(session, record, actor.ref)


def add_note(session: Session, *, actor: Actor, after_sale_id: int, text: str) -> AfterSale:
    """备注: kept on the record and its timeline."""
    require_permission(actor, "aftersale.handle")
    record = _load(session, actor, after_sale_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError(key="aftersale.err.note_required", field="note")
    if len(text) > NOTE_MAX:
        raise ValidationError(key="aftersale.err.too_long", field="note", max=NOTE_MAX)
    record.seller_note = text
    session.add(AfterSaleEvent(after_sale_id=record.id, actor=actor.ref, kind="note", note=text))
    session.add(record)
    _audited(session, actor, "note", record)
    session.flush()
    return record


def confirm_receipt(session: Session, *, actor: Actor, after_sale_id: int, sellable: bool = True) -> AfterSale:
    """确认收货: the returned goods are here; the platform pays the refund."""
    require_permission(actor, "aftersale.handle")
    record = _load(session, actor, after_sale_id)
    if record.state == S.APPROVED.value:  # the buyer's waybill push may not have come yet
        _move(session, record, A.BUYER_SHIPPED, actor.ref)
    _move(session, record, A.CONFIRM_RECEIPT, actor.ref)
    _receive_all(session, record, sellable)
    if not _write_back(session, record, WriteBack.RECEIPT_CONFIRM, {}):
        _write_back(session, record, WriteBack.REFUND_AGREE, {"reason": "已收到退货"})
    aftersale_stock.return_to_stock(session, after_sale_id=record.id, store_id=record.store_id)
    _audited(session, actor, "receive", record, sellable=sellable)
    return _done(session, record, actor.ref)


def _receive_all(session: Session, record: AfterSale, sellable: bool, received: dict | None = None) -> None:
    for line in session.exec(select(AfterSaleLine).where(AfterSaleLine.after_sale_id == record.id)).all():
        quantity, ok = (received or {}).get(line.id, (line.quantity, sellable))
        line.received_quantity, line.sellable = max(0, min(int(quantity), line.quantity)), bool(ok)
        session.add(line)


def _erp_decides(record: AfterSale) -> bool:
    """Whether the ERP's word alone may agree to a pending after-sale: hand-made ones, and
    换货 / 维修 (no platform refund waits on the merchant's answer)."""
    kind = rules.AfterSaleType(record.kind)
    return record.platform_refund_id.startswith("manual:") or kind in (
        rules.AfterSaleType.EXCHANGE,
        rules.AfterSaleType.REPAIR,
    )


def record_result(
    session: Session,
    *,
    after_sale_id: int,
    outcome: str,
    tracking_no: str = "",
    carrier: str = "",
    received: dict | None = None,
    note: str = "",
    actor: str = "erp",
    user: Actor | None = None,
) -> AfterSale:
    """An ERP (or hand-entered) result; see aftersale_hooks.apply_erp_result."""
    if outcome not in OUTCOME_TYPES:
        raise ValidationError(key="aftersale.err.bad_outcome", field="outcome", outcome=outcome)
    if len(tracking_no) > 64 or len(note) > NOTE_MAX:
        raise ValidationError(key="aftersale.err.too_long", field="tracking_no", max=64)
    record = _load(session, user, after_sale_id)
    if record.erp_outcome == outcome and record.erp_tracking_no == tracking_no.strip():
        return record  # the same result again
    record.erp_outcome, record.erp_tracking_no = outcome, tracking_no.strip()
    session.add(AfterSaleEvent(after_sale_id=record.id, actor=actor, kind="erp_result", to_state=record.state,
                               note=" ".join(p for p in (outcome, carrier, tracking_no, note) if p)))  # fmt: skip
    repair = record.kind == rules.AfterSaleType.REPAIR.value  # the buyer's own goods: never our stock
    if outcome in ("return", "exchange") and S(record.state) is S.PENDING and _erp_decides(record):
        _move(session, record, A.AGREE, actor)  # the ERP took the goods in without a platform step
    state = S(record.state)
    if outcome in ("return", "exchange") and state in (S.APPROVED, S.RETURNED):
        if state is S.APPROVED:
            _move(session, record, A.BUYER_SHIPPED, actor)
        _move(session, record, A.CONFIRM_RECEIPT, actor)
        _receive_all(session, record, not repair, received)
        aftersale_stock.return_to_stock(session, after_sale_id=record.id, store_id=record.store_id)
        if outcome == "return" and not _write_back(session, record, WriteBack.RECEIPT_CONFIRM, {}):
            _write_back(session, record, WriteBack.REFUND_AGREE, {"reason": "已收到退货"})
    if outcome in ("resend", "exchange"):
        if not repair:
            aftersale_stock.send_out(session, after_sale_id=record.id, store_id=record.store_id, reason=outcome)
        if S(record.state) is S.PENDING:
            _move(session, record, A.AGREE, actor)
        if A.RESOLVE in rules.allowed_actions(S(record.state), rules.AfterSaleType(record.kind)):
            _move(session, record, A.RESOLVE, actor)
    if outcome in ("refund_only", "intercept") and S(record.state) is S.PENDING:
        _move(session, record, A.AGREE, actor)
        _write_back(session, record, WriteBack.REFUND_AGREE, {"reason": "同意退款"})
    if (
        S(record.state) is S.REFUNDING
        and record.platform_refund_id.startswith("manual:")
        and rules.AfterSaleType(record.kind) in rules.MONEY_BACK  # 维修 waits for the repaired goods' parcel
        and outcome not in ("resend", "exchange")
    ):
        _move(session, record, A.REFUND_PAID, actor)  # a hand-made refund is paid outside the platform
        record.refunded_fen = record.amount_fen
    return _done(session, record, actor)


def create_manual(
    session: Session, *, actor: Actor, order_id: int, kind: str, line_quantities: dict[int, int], reason: str
) -> AfterSale:
    """A hand-made after-sale (补发 / 换货 / 维修 / 拦截 / 退货) on an order, without a platform request."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    require_store(actor, order.store_id)
    try:
        kind_value = rules.AfterSaleType(kind)
    except ValueError:
        raise ValidationError(key="aftersale.err.bad_type", field="kind", kind=kind) from None
    reason = (reason or "").strip()
    if not reason or len(reason) > NOTE_MAX:
        raise ValidationError(key="aftersale.err.reason_required", field="reason")
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all()
    chosen = [(ol, int(line_quantities.get(ol.id, 0))) for ol in lines]
    if any(q < 0 or q > ol.quantity for ol, q in chosen) or not any(q for _, q in chosen):
        raise ValidationError(key="aftersale.err.bad_quantity", field="lines")
    now = utcnow()
    no = new_number(now)
    amount = sum(ol.paid_fen * q // ol.quantity for ol, q in chosen if q)
    record = AfterSale(no=no, platform=order.platform, shop_id=order.shop_id, store_id=order.store_id,
                       order_id=order.id, platform_refund_id=f"manual:{no}", kind=kind_value.value,
                       state=S.PENDING.value, amount_fen=amount, reason=reason)  # fmt: skip
    session.add(record)
    session.flush()
    for ol, q in chosen:
        if q:
            session.add(AfterSaleLine(after_sale_id=record.id, order_line_id=ol.id, platform_item_id=ol.platform_item_id,
                                      platform_sku_id=ol.platform_sku_id, name=ol.name, quantity=q,
                                      amount_fen=ol.paid_fen * q // ol.quantity))  # fmt: skip
    session.add(AfterSaleEvent(after_sale_id=record.id, actor=actor.ref, kind="created", to_state=record.state,
                               note=reason))  # fmt: skip
    from .aftersale_hooks import after_sale_created

    after_sale_created(session, record.id)
    return _done(session, record, actor.ref)


def write_back_answered(
    session: Session, *, after_sale_id: int, action: str, ok: bool, message: str = "", now: datetime | None = None
) -> None:
    """The relay's outcome of a write-back: shown on the record as the platform's answer."""
    record = session.get(AfterSale, after_sale_id)
    if record is None:
        return
    if record.pending_action == action:
        record.pending_action = None
    record.platform_answer = "ok" if ok else message[:500]
    session.add(AfterSaleEvent(after_sale_id=record.id, actor=f"platform:{record.platform}", kind="answer",
                               note="" if ok else message[:500]))  # fmt: skip
    session.add(record)
