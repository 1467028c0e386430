"""What /metrics reads from the database at scrape time (gauges, and counts that only grow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.models import AlertProblem, InboxMessage, Order, OutboxMessage, WorkerHeartbeat, utcnow


@dataclass(frozen=True)
class DbFigures:
    orders_by_platform: dict[str, int]
    inbox_by_status: dict[str, int]  # received, failed, rejected (processed rows are pruned: not shown)
    outbox_by_status: dict[str, int]  # pending, in_flight, failed, dead
    worker_ages: dict[str, float]  # worker id -> seconds since its heartbeat
    alerts_open: dict[str, int]  # rule -> open problems


def read_figures(session: Session, *, now: datetime | None = None) -> DbFigures:
    now = now or utcnow()
    orders = dict(session.exec(select(Order.platform, sa.func.count()).group_by(Order.platform)).all())
    inbox = dict(
        session.exec(
            select(InboxMessage.status, sa.func.count())
            .where(InboxMessage.status != "processed")
            .group_by(InboxMessage.status)
        ).all()
    )
    outbox = dict(
        session.exec(
            select(OutboxMessage.status, sa.func.count())
            .where(OutboxMessage.status != "done")
            .group_by(OutboxMessage.status)
        ).all()
    )
    ages = {
        worker: max(0.0, (now - seen).total_seconds())
        for worker, seen in session.exec(select(WorkerHeartbeat.worker_id, WorkerHeartbeat.last_seen_at)).all()
    }
    alerts = dict(
        session.exec(
            select(AlertProblem.rule, sa.func.count())
            .where(AlertProblem.resolved_at.is_(None))
            .group_by(AlertProblem.rule)
        ).all()
    )
    return DbFigures(orders, inbox, outbox, ages, alerts)
