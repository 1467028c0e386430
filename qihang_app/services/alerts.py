"""One alert run: rules → problems (opened, still open, resolved) → messages claimed for sending.

The caller (the worker's cron, or the watchdog script when the workers or Redis are down) reads
the facts, claims the messages in one transaction, sends them through the robots, then records
each answer with `finish`. A message row is claimed before it is sent (unique per problem,
channel and kind), so two runs at once never announce a problem twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import alert_plan
from qihang_app.domain.alert_card import AlertCard
from qihang_app.domain.alert_rules import RULES
from qihang_app.models import AlertChannel, AlertDelivery, AlertProblem, utcnow
from qihang_app.services import alert_cards
from qihang_app.services.alert_channels import rule_settings
from qihang_app.services.alert_facts import FACTS
from qihang_app.services.crypto import decrypt_credentials

MAX_ATTEMPTS = 5  # a message a robot refused this often is given up (the error stays on its row)
STALE_CLAIM = timedelta(minutes=5)  # a claim whose sender died is taken again after this
RESOLVED_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Evaluation:
    opened: int
    resolved: int
    open: int


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    channel_id: int
    robot: str
    url: str
    secret: str
    card: AlertCard


def evaluate(session: Session, *, now: datetime | None = None, probes: dict[str, Any] | None = None) -> Evaluation:
    now = now or utcnow()
    probes = probes or {}
    settings = rule_settings(session)
    problems, rules_run = [], set()
    for code, rule in RULES.items():
        reader = FACTS.get(code)
        if reader is None:
            continue
        if not settings[code].enabled:
            rules_run.add(code)  # switched off: what it had open resolves
            continue
        facts = reader(session, now, probes)
        if facts is None:
            continue
        rules_run.add(code)
        problems.extend(rule.evaluate(facts, settings[code].threshold, now))
    stored = {p.key: p.id for p in session.exec(select(AlertProblem).where(AlertProblem.resolved_at.is_(None)))}
    result = alert_plan.reconcile(problems, stored, rules_run=rules_run)
    opened = 0
    for problem in result.opened:
        row = AlertProblem(
            key=f"{problem.rule}:{problem.key}",
            rule=problem.rule,
            store_id=problem.store_id,
            order_id=problem.order_id,
            params=json.dumps(problem.params, ensure_ascii=False, default=str),
            opened_at=now,
            last_seen_at=now,
        )
        try:
            with session.begin_nested():  # the cron and the watchdog may open it at the same time
                session.add(row)
            opened += 1
        except sa.exc.IntegrityError:
            continue
    if result.still_open:
        session.exec(
            sa.update(AlertProblem).where(AlertProblem.id.in_(result.still_open.values())).values(last_seen_at=now)
        )
    if result.resolved:
        session.exec(sa.update(AlertProblem).where(AlertProblem.id.in_(result.resolved)).values(resolved_at=now))
    session.flush()
    return Evaluation(
        opened=opened,
        resolved=len(result.resolved),
        open=len(stored) - len(result.resolved) + len(result.opened),
    )


def _channel_views(channels: list[AlertChannel]) -> list[alert_plan.ChannelView]:
    return [
        alert_plan.ChannelView(
            id=c.id,
            store_id=c.store_id,
            rules=frozenset(json.loads(c.rules)) if c.rules else None,
            quiet_start=c.quiet_start,
            quiet_end=c.quiet_end,
            max_per_hour=c.max_per_hour,
            enabled=c.enabled,
        )
        for c in channels
    ]


def claim_sends(session: Session, *, now: datetime | None = None) -> list[Outgoing]:
    """Plan this run's messages and claim them; returns what the caller must send."""
    now = now or utcnow()
    channels = {c.id: c for c in session.exec(select(AlertChannel).where(AlertChannel.enabled))}
    if not channels:
        return []
    rows = session.exec(
        select(AlertProblem).where(
            sa.or_(AlertProblem.resolved_at.is_(None), AlertProblem.resolved_at >= now - RESOLVED_KEPT)
        )
    ).all()
    problems = {p.id: p for p in rows}
    deliveries = (
        session.exec(
            select(AlertDelivery).where(AlertDelivery.problem_id.in_(list(problems)), AlertDelivery.kind != "test")
        ).all()
        if problems
        else []
    )
    existing = {(d.problem_id, d.channel_id, d.kind): d for d in deliveries}
    delivered = {key for key, d in existing.items() if not _retryable(d, now)}
    # a resolve follows only a fire the robot took
    announced = {key for key, d in existing.items() if d.kind == "fire" and d.status == "sent"}
    sent_last_hour = dict(
        session.exec(
            select(AlertDelivery.channel_id, sa.func.count())
            .where(AlertDelivery.created_at >= now - timedelta(hours=1), AlertDelivery.status != "failed")
            .group_by(AlertDelivery.channel_id)
        ).all()
    )
    views = [alert_plan.ProblemView(p.id, p.rule, p.store_id, p.resolved_at is None) for p in problems.values()]
    sends = alert_plan.plan(
        views, _channel_views(list(channels.values())), delivered=delivered, sent_last_hour=sent_last_hour, now=now
    )
    out = []
    for send in sends:
        if send.kind == "resolve" and (send.problem_id, send.channel_id, "fire") not in announced:
            continue  # its fire is still on its way (or retrying): the resolve waits for it
        row = existing.get((send.problem_id, send.channel_id, send.kind))
        if row is None:
            row = AlertDelivery(problem_id=send.problem_id, channel_id=send.channel_id, kind=send.kind)
        row.status, row.attempts, row.created_at = "sending", row.attempts + 1, now
        try:
            with session.begin_nested():
                session.add(row)
        except sa.exc.IntegrityError:
            continue  # another run claimed it first
        channel = channels[send.channel_id]
        credentials = decrypt_credentials(channel.credentials_encrypted)
        card = alert_cards.card_for(problems[send.problem_id], resolved=send.kind == "resolve")
        out.append(Outgoing(row.id, channel.id, channel.kind, credentials["url"], credentials.get("secret", ""), card))
    return out


def _retryable(delivery: AlertDelivery, now: datetime) -> bool:
    if delivery.status == "failed":
        return delivery.attempts < MAX_ATTEMPTS
    return delivery.status == "sending" and delivery.created_at < now - STALE_CLAIM


def claim_test(session: Session, *, channel_id: int) -> Outgoing | None:
    channel = session.get(AlertChannel, channel_id)
    if channel is None:
        return None
    row = AlertDelivery(channel_id=channel_id, kind="test", attempts=1)
    session.add(row)
    session.flush()
    credentials = decrypt_credentials(channel.credentials_encrypted)
    card = alert_cards.sample_card(channel.name)
    return Outgoing(row.id, channel.id, channel.kind, credentials["url"], credentials.get("secret", ""), card)


def finish(session: Session, *, delivery_id: int, error: str = "", now: datetime | None = None) -> None:
    row = session.get(AlertDelivery, delivery_id)
    if row is None:  # its channel was deleted meanwhile
        return
    row.status = "failed" if error else "sent"
    row.error = error[:500] or None
    row.sent_at = None if error else (now or utcnow())
    session.add(row)
    session.flush()


def prune(session: Session, *, now: datetime | None = None) -> int:
    """Resolved problems past keeping go, with their messages (ON DELETE CASCADE)."""
    now = now or utcnow()
    old = select(AlertProblem.id).where(AlertProblem.resolved_at < now - RESOLVED_KEPT)
    session.exec(sa.delete(AlertDelivery).where(AlertDelivery.problem_id.in_(old)))
    done = session.exec(sa.delete(AlertProblem).where(AlertProblem.resolved_at < now - RESOLVED_KEPT))
    session.exec(
        sa.delete(AlertDelivery).where(AlertDelivery.kind == "test", AlertDelivery.created_at < now - RESOLVED_KEPT)
    )
    return done.rowcount or 0


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    channel_id: int
    kind: str
    status: str
    rule: str
    error: str
    created_at: datetime


def recent_deliveries(session: Session, *, channel_ids: list[int], limit: int = 30) -> list[DeliveryRow]:
    rows = session.exec(
        select(AlertDelivery, AlertProblem.rule)
        .join(AlertProblem, AlertProblem.id == AlertDelivery.problem_id, isouter=True)
        .where(AlertDelivery.channel_id.in_(channel_ids))
        .order_by(AlertDelivery.id.desc())
        .limit(limit)
    ).all()
    return [
        DeliveryRow(d.id, d.channel_id, d.kind, d.status, rule or "", d.error or "", d.created_at) for d, rule in rows
    ]
