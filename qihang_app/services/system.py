"""Worker liveness for the admin page and health checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from qihang_app.config import get_settings
from qihang_app.models import WorkerHeartbeat, utcnow


@dataclass(frozen=True)
class WorkerInfo:
    worker_id: str
    host: str
    pid: int
    started_at: datetime
    last_seen_at: datetime
    age_seconds: float
    alive: bool
    jobs_done: int


@dataclass(frozen=True)
class WorkerStatus:
    alive: bool  # at least one worker beat within 3 intervals
    last_seen_at: datetime | None  # newest heartbeat of any worker
    age_seconds: float | None
    workers: list[WorkerInfo]  # newest first


def record_heartbeat(
    session: Session,
    *,
    worker_id: str,
    host: str,
    pid: int,
    now: datetime | None = None,
    jobs_done: int = 0,
) -> None:
    """Upsert the worker's row. jobs_done is the process's running total (idempotent to repeat);
    a new host/pid under the same worker_id is a restart and resets started_at."""
    now = now or utcnow()
    beat = session.get(WorkerHeartbeat, worker_id)
    if beat is None:
        beat = WorkerHeartbeat(
            worker_id=worker_id, host=host, pid=pid, started_at=now, last_seen_at=now
        )
    elif (beat.host, beat.pid) != (host, pid):
        beat.host, beat.pid, beat.started_at = host, pid, now
    beat.last_seen_at = now
    beat.jobs_done = jobs_done
    session.add(beat)
    session.flush()


def worker_status(
    session: Session, *, now: datetime | None = None, interval_seconds: int | None = None
) -> WorkerStatus:
    now = now or utcnow()
    limit = 3 * (interval_seconds or get_settings().heartbeat_seconds)
    workers = []
    for beat in session.exec(select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc())):
        age = (now - beat.last_seen_at).total_seconds()
        workers.append(
            WorkerInfo(
                worker_id=beat.worker_id,
                host=beat.host,
                pid=beat.pid,
                started_at=beat.started_at,
                last_seen_at=beat.last_seen_at,
                age_seconds=age,
                alive=age < limit,
                jobs_done=beat.jobs_done,
            )
        )
    newest = workers[0] if workers else None
    return WorkerStatus(
        alive=any(w.alive for w in workers),
        last_seen_at=newest.last_seen_at if newest else None,
        age_seconds=newest.age_seconds if newest else None,
        workers=workers,
    )
