"""Staff's hand on the ERP link: push selected orders now, re-push a dead push, type a shipment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlmodel import Session, select

from qihang_app.domain.erp_link import ErpEvent, ErpState, idempotency_key
from qihang_app.models import ErpConnection, ErpOrderState, Order, OutboxMessage, utcnow

from . import audit, erp_push, shipments
from .errors import NotFoundError, ValidationError
from .scope import Actor, require_permission, require_store


def _orders(session: Session, actor: Actor, order_ids: Iterable[int]) -> list[Order]:
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        raise ValidationError(key="erp.err.none_selected")
    orders = list(session.exec(select(Order).where(Order.id.in_(ids)).order_by(Order.id)))
    if len(orders) != len(ids):
        missing = sorted(set(ids) - {o.id for o in orders})
        raise NotFoundError(key="orders.err.not_found", order_id=missing[0])
    for order in orders:
        require_store(actor, order.store_id)
    return orders


def push_orders(session: Session, *, actor: Actor, order_ids: Iterable[int]) -> dict[str, int]:
    """推送: each selected order goes now (whatever its connection's rule), when its lines are
    linked; a dead push is re-pushed; an order already with its ERP is left alone.
    Returns how many were queued / blocked / re-pushed / skipped / without a connection."""
    require_permission(actor, "erp.push")
    result: Counter = Counter()
    for order in _orders(session, actor, order_ids):
        audit.record(session, actor, "erp.push", audit.Target("order", order.id, order.store_id))
        state = session.get(ErpOrderState, order.id)
        if state is not None and state.state in (ErpState.FAILED, ErpState.CANCEL_FAILED):
            result["repushed" if _revive(session, state) else "skipped"] += 1
            continue
        if state is not None and state.state != ErpState.BLOCKED:
            result["skipped"] += 1
            continue
        conn = session.get(ErpConnection, state.connection_id) if state else erp_push.connection_for(session, order)
        if conn is None or not conn.enabled:
            result["no_connection"] += 1
            continue
        outcome = erp_push.evaluate(session, order=order, conn=conn)
        if outcome == erp_push.ENDED_NOTHING:
            result["skipped"] += 1
        else:
            result["blocked" if outcome == ErpState.BLOCKED else "queued"] += 1
    session.flush()
    return dict(result)


def _revive(session: Session, state: ErpOrderState) -> bool:
    """A dead push goes again with its own key (the ERP dedups it if it had arrived after all)."""
    event = ErpEvent.ORDER if state.state == ErpState.FAILED else ErpEvent.CANCEL
    key = idempotency_key(state.connection_id, state.order_id, event, state.version)
    row = session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()
    if row is None or row.status != "dead":
        return False
    row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    session.add(row)
    state.state = ErpState.QUEUED.value if event is ErpEvent.ORDER else ErpState.CANCEL_QUEUED.value
    session.add(state)
    return True


def repush(session: Session, *, actor: Actor, outbox_id: int) -> bool:
    """重新推送 from 推送记录: one dead ERP push back into the outbox."""
    require_permission(actor, "erp.push")
    row = session.get(OutboxMessage, outbox_id)
    if row is None or not erp_push.is_erp(row.kind):
        raise NotFoundError(key="erp.err.push_not_found", push_id=outbox_id)
    order = session.get(Order, row.order_id) if row.order_id else None
    if order is not None:
        require_store(actor, order.store_id)
    state = session.get(ErpOrderState, row.order_id) if row.order_id else None
    if row.status != "dead":
        return False
    target = audit.Target("order", row.order_id or "", order.store_id if order else None)
    audit.record(session, actor, "erp.repush", target, after={"push_id": outbox_id, "kind": row.kind})
    if state is not None and state.state in (ErpState.FAILED, ErpState.CANCEL_FAILED):
        return _revive(session, state)
    row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    session.add(row)
    return True


def enter_shipment(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    carrier_code: str,
    tracking_no: str,
    line_nos: Iterable[int] = (),
) -> shipments.Recorded:
    """The drawer's 录入运单号: the same path as an ERP's shipment, recorded as the user's;
    `line_nos` ships part of the order where the platform splits shipments."""
    require_permission(actor, "erp.ship")
    line_nos = sorted({int(n) for n in line_nos})
    recorded = shipments.record(
        session,
        order_id=order_id,
        carrier_code=carrier_code,
        tracking_no=tracking_no,
        source="manual",
        actor=actor,
        line_nos=line_nos,
    )
    order = session.get(Order, order_id)
    target = audit.Target("order", order_id, order.store_id if order else None)
    after = {"carrier": carrier_code, "tracking_no": tracking_no, **({"lines": line_nos} if line_nos else {})}
    audit.record(session, actor, "erp.ship", target, after=after)
    return recorded
