"""Worker liveness, and the one health probe behind GET /api/health and the 系统状态 page."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlmodel import Session, select

from qihang_app.config import get_settings
from qihang_app.db import get_engine
from qihang_app.models import WorkerHeartbeat, utcnow

QUEUE_KEY = "arq:queue"  # arq's queue: a sorted set of the jobs waiting


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
        beat = WorkerHeartbeat(worker_id=worker_id, host=host, pid=pid, started_at=now, last_seen_at=now)
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


# -- health -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    """One look at what the app depends on. Errors are "" when that part answered."""

    database_error: str
    worker: WorkerStatus | None  # None when the database did not answer
    redis_error: str
    queue_depth: int | None  # None when Redis did not answer

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.database_error:
            problems.append("database unreachable")
        elif self.worker is None or not self.worker.alive:
            problems.append("worker heartbeat missing or stale")
        if self.redis_error:
            problems.append("redis unreachable")
        return problems


async def probe_health(*, redis_url: str | None = None) -> Health:
    """Ask the database (and the workers' heartbeats in it) and Redis. Never raises: health must
    answer whatever broke. The database is asked in a thread so the event loop keeps serving."""
    try:
        worker, database_error = await asyncio.to_thread(_probe_database), ""
    except Exception as exc:
        worker, database_error = None, f"{type(exc).__name__}: {exc}"
    try:
        queue_depth = await probe_redis(redis_url or get_settings().redis_url)
        redis_error = ""
    except Exception as exc:
        queue_depth, redis_error = None, f"{type(exc).__name__}: {exc}"
    return Health(database_error=database_error, worker=worker, redis_error=redis_error, queue_depth=queue_depth)


def _probe_database() -> WorkerStatus:
    with Session(get_engine()) as session:
        session.exec(text("SELECT 1"))
        return worker_status(session)


async def probe_redis(url: str) -> int:
    """The queue depth; raises when Redis does not answer within a second."""
    client = aioredis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
        return int(await client.zcard(QUEUE_KEY))
    finally:
        await client.aclose()
