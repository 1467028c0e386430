"""What the 售后 page reads: queues by state and type, and one record in full."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import aftersale as rules
from qihang_app.domain import partners
from qihang_app.models import AfterSale, AfterSaleEvent, AfterSaleLine, Order, Shop

from .aftersale_intake import line_states
from .errors import NotFoundError
from .scope import Actor, require_store, store_filter

OPEN = [s.value for s in rules.AfterSaleState if not rules.is_finished(s)]


@dataclass
class AfterSalePage:
    rows: list[dict]
    total: int
    page: int
    counts: dict[str, int] = field(default_factory=dict)  # state → how many (the queue chips)


def list_after_sales(
    session: Session,
    *,
    actor: Actor,
    state: str | None = None,
    kind: str | None = None,
    open_only: bool = False,
    page: int = 1,
    page_size: int = 20,
) -> AfterSalePage:
    """Newest first, the ones whose deadline comes soonest on top of the open queue."""
    scope = store_filter(actor, AfterSale.store_id)
    where = [scope]
    if state:
        where.append(AfterSale.state == state)
    elif open_only:
        where.append(AfterSale.state.in_(OPEN))
    if kind:
        where.append(AfterSale.kind == kind)
    total = session.exec(select(sa.func.count()).select_from(AfterSale).where(*where)).one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    query = (
        select(AfterSale, Order.display_no, Order.platform_order_id, Order.day_seq, Shop.name)
        .join(Order, Order.id == AfterSale.order_id)
        .join(Shop, Shop.id == AfterSale.shop_id)
        .where(*where)
        .order_by(AfterSale.deadline_at.is_(None), AfterSale.deadline_at, AfterSale.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [
        {**_summary(record), "order_no": no or platform_no, "day_seq": seq, "shop": shop}
        for record, no, platform_no, seq, shop in session.exec(query).all()
    ]
    counts = dict(session.exec(select(AfterSale.state, sa.func.count()).where(scope).group_by(AfterSale.state)).all())
    return AfterSalePage(rows, total, page, counts)


def _summary(record: AfterSale) -> dict:
    return {
        "id": record.id,
        "no": record.no,
        "platform": record.platform,
        "kind": record.kind,
        "state": record.state,
        "amount_fen": record.amount_fen,
        "refunded_fen": record.refunded_fen,
        "reason": record.reason,
        "deadline_at": record.deadline_at if record.state == rules.AfterSaleState.PENDING.value else None,
        "created_at": record.created_at,
        "pending_action": record.pending_action or "",
        "platform_answer": record.platform_answer or "",
        "order_id": record.order_id,
    }


def detail(session: Session, *, actor: Actor, after_sale_id: int) -> dict:
    record = session.get(AfterSale, after_sale_id)
    if record is None:
        raise NotFoundError(key="aftersale.err.not_found", id=after_sale_id)
    require_store(actor, record.store_id)
    order = session.get(Order, record.order_id)
    lines = session.exec(select(AfterSaleLine).where(AfterSaleLine.after_sale_id == record.id)).all()
    events = session.exec(
        select(AfterSaleEvent).where(AfterSaleEvent.after_sale_id == record.id).order_by(AfterSaleEvent.id)
    ).all()
    profile = partners.profile(record.platform)
    kind, state = rules.AfterSaleType(record.kind), rules.AfterSaleState(record.state)
    by_line = line_states(session, order_id=record.order_id)
    return {
        **_summary(record),
        "pictures": [p for p in json.loads(record.pictures or "[]") if isinstance(p, str)],
        "return_waybill": record.return_waybill,
        "return_carrier": record.return_carrier,
        "seller_note": record.seller_note,
        "erp_outcome": record.erp_outcome,
        "erp_tracking_no": record.erp_tracking_no,
        "order": {
            "no": order.display_no or order.platform_order_id,
            "day_seq": order.day_seq,
            "status": order.status,
            "paid_fen": order.paid_fen,
            "after_sale_state": order.after_sale_state,
            "receiver": order.receiver_name,
        },
        "lines": [
            {
                "name": ln.name,
                "quantity": ln.quantity,
                "amount_fen": ln.amount_fen,
                "received_quantity": ln.received_quantity,
                # the order line's after-sale state over all its after-sales (退款中 / 已退款 / 部分退款 …)
                "line_state": by_line.get(ln.order_line_id, rules.OrderAfterSale.NONE.value),
            }
            for ln in lines
        ],
        "events": [
            {"at": e.at, "actor": e.actor, "kind": e.kind, "to_state": e.to_state or "", "note": e.note} for e in events
        ],  # fmt: skip
        "actions": [a.value for a in rules.allowed_actions(state, kind)],
        "reject_reasons": dict(profile.refund_reject_reasons) if profile else {},
    }


def order_line_states(session: Session, *, actor: Actor, order_id: int) -> dict[int, str]:
    """{order line id: its after-sale state} for the order drawer's lines (scope checked)."""
    order = session.get(Order, order_id)
    if order is None:
        return {}
    require_store(actor, order.store_id)
    return line_states(session, order_id=order_id)


def latest_for_order(session: Session, *, actor: Actor, order_id: int) -> int | None:
    """The order's newest after-sale (the board's 异常 card links there), None without one."""
    order = session.get(Order, order_id)
    if order is None:
        return None
    require_store(actor, order.store_id)
    return session.exec(
        select(AfterSale.id).where(AfterSale.order_id == order_id).order_by(AfterSale.id.desc()).limit(1)
    ).first()
