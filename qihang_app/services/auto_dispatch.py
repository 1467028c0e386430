"""Auto-dispatch per store: the rule (when, how, price cap, minutes to wait for a rider), and the
orders the worker must act on now. The choice itself is pure (domain.dispatch_rule); every
decision is written on the order's timeline with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from qihang_app.domain import carriers
from qihang_app.domain.dispatch_rule import Rule, Strategy, Trigger, triggered, waited_too_long
from qihang_app.domain.messages import encode
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import DispatchRule, Order, OrderEvent, utcnow

from . import deliveries
from .errors import ValidationError
from .scope import Actor, require_role, require_store

DECIDED = "auto_dispatch"  # an OrderEvent kind: what the rule chose, and why
STOPPED = "auto_dispatch_stop"  # the rule gave up on this order: staff take over
LOOK_BACK = timedelta(days=1)


@dataclass(frozen=True)
class Work:
    order_id: int
    store_id: int
    kind: str  # "first" | "timeout" (cancel the waiting ride first) | "next"
    rule: Rule
    tried: frozenset[int]  # accounts already booked by the rule for this order
    minutes: int = 0


def rule_of(row: DispatchRule) -> Rule:
    preferred = tuple(c for c in (row.preferred or "").split(",") if c)
    return Rule(Trigger(row.trigger), Strategy(row.strategy), preferred, row.max_fee_fen, row.accept_minutes)


def get_rule(session: Session, *, actor: Actor, store_id: int) -> DispatchRule:
    require_store(actor, store_id)
    row = session.exec(select(DispatchRule).where(DispatchRule.store_id == store_id)).first()
    return row or DispatchRule(store_id=store_id)


def save_rule(
    session: Session,
    *,
    actor: Actor,
    store_id: int,
    enabled: bool,
    trigger: str,
    strategy: str,
    preferred: list[str] | tuple[str, ...] = (),
    max_fee_fen: int | None = None,
    accept_minutes: int = 5,
) -> DispatchRule:
    require_role(actor, "admin", "manager")
    require_store(actor, store_id)
    if trigger not in set(Trigger):
        raise ValidationError(key="delivery.err.bad_choice", field="trigger", value=trigger)
    if strategy not in set(Strategy):
        raise ValidationError(key="delivery.err.bad_choice", field="strategy", value=strategy)
    unknown = [c for c in preferred if carriers.profile(c) is None]
    if unknown:
        raise ValidationError(key="delivery.err.unknown_carrier", field="preferred", carrier=unknown[0])
    if not isinstance(accept_minutes, int) or not 1 <= accept_minutes <= 60:
        raise ValidationError(key="delivery.err.bad_minutes", field="accept_minutes")
    if max_fee_fen is not None and not 0 < max_fee_fen <= 100_000:
        raise ValidationError(key="input.money_range", field="max_fee_fen", maximum="¥1000.00")
    row = session.exec(select(DispatchRule).where(DispatchRule.store_id == store_id)).first()
    row = row or DispatchRule(store_id=store_id)
    row.enabled, row.trigger, row.strategy = bool(enabled), trigger, strategy
    row.preferred = ",".join(dict.fromkeys(preferred))
    row.max_fee_fen, row.accept_minutes = max_fee_fen, accept_minutes
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def due(session: Session, *, now: datetime | None = None) -> list[Work]:
    """Orders of stores with an enabled rule that the rule must act on now."""
    now = now or utcnow()
    work: list[Work] = []
    for row in session.exec(select(DispatchRule).where(DispatchRule.enabled.is_(True))).all():
        rule = rule_of(row)
        orders = session.exec(
            select(Order).where(
                Order.store_id == row.store_id,
                Order.delivery_type == "self",
                Order.status == OrderStatus.TO_SHIP.value,
                Order.accepted_at >= now - LOOK_BACK,
            )
        ).all()
        for order in orders:
            if not triggered(rule, accepted=order.accepted_at is not None, ready=order.ready_at is not None):
                continue
            item = _work_for(session, order, rule, now)
            if item is not None:
                work.append(item)
    return work


def _work_for(session: Session, order: Order, rule: Rule, now: datetime) -> Work | None:
    stopped = session.exec(
        select(OrderEvent.id).where(OrderEvent.order_id == order.id, OrderEvent.kind == STOPPED)
    ).first()
    if stopped is not None:
        return None
    rides = deliveries.history(session, order_id=order.id)
    tried = frozenset(r.account_id for r in rides if r.auto and r.account_id is not None)
    if not rides:
        return Work(order.id, order.store_id, "first", rule, tried)
    last = rides[-1]
    if not last.auto:
        return None  # staff called a rider themselves: the rule stays out
    if waited_too_long(booked_at=last.created_at, status=last.status, rule=rule, now=now):
        return Work(order.id, order.store_id, "timeout", rule, tried, rule.accept_minutes)
    if last.status in ("cancelled", "exception"):
        return Work(order.id, order.store_id, "next", rule, tried)
    return None


def decided(session: Session, *, order_id: int, key: str, stop: bool = False, **params: object) -> None:
    """One decision of the rule on the order's timeline (stop: the rule leaves the order)."""
    order = session.get(Order, order_id)
    session.add(
        OrderEvent(
            order_id=order_id,
            actor="auto-dispatch",
            kind=STOPPED if stop else DECIDED,
            from_status=order.status,
            to_status=order.status,
            note=encode(key, **params),
        )
    )
    session.flush()
