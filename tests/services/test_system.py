"""Worker heartbeats and the health probe."""

from __future__ import annotations

from datetime import timedelta

import redis as sync_redis
from sqlalchemy import create_engine

from qihang_app.models import utcnow
from qihang_app.services import system
from tests.ingest_support import redis_url  # noqa: F401  (a flushed Redis database of its own)


def test_worker_status(session):
    assert system.worker_status(session).alive is False

    t0 = utcnow()
    system.record_heartbeat(session, worker_id="w1", host="h", pid=10, now=t0, jobs_done=3)
    system.record_heartbeat(session, worker_id="w2", host="h", pid=11, now=t0 - timedelta(hours=1))
    session.commit()
    status = system.worker_status(session, now=t0 + timedelta(seconds=5), interval_seconds=10)
    assert status.alive and status.age_seconds == 5
    assert [(w.worker_id, w.alive) for w in status.workers] == [("w1", True), ("w2", False)]
    assert status.workers[0].jobs_done == 3
    assert status.last_seen_at == t0

    dead = system.worker_status(session, now=t0 + timedelta(seconds=30), interval_seconds=10)
    assert not dead.alive and dead.age_seconds == 30


def test_restart_resets_started_at(session):
    t0 = utcnow()
    t10, t20 = t0 + timedelta(seconds=10), t0 + timedelta(seconds=20)
    system.record_heartbeat(session, worker_id="w1", host="h", pid=10, now=t0)
    system.record_heartbeat(session, worker_id="w1", host="h", pid=10, now=t10, jobs_done=5)
    info = system.worker_status(session, now=t10).workers[0]
    assert (info.started_at, info.jobs_done) == (t0, 5)
    system.record_heartbeat(session, worker_id="w1", host="h", pid=99, now=t20)
    session.commit()
    info = system.worker_status(session, now=t20).workers[0]
    assert (info.pid, info.started_at, info.jobs_done) == (99, t20, 0)


# -- the health probe (GET /api/health and the 系统状态 page) ----------------------------------


async def test_probe_health(engine, session, redis_url, monkeypatch):
    monkeypatch.setattr(system, "get_engine", lambda: engine)
    probe = await system.probe_health(redis_url=redis_url)
    assert (probe.database_error, probe.redis_error, probe.queue_depth) == ("", "", 0)
    assert probe.problems == ["worker heartbeat missing or stale"]

    system.record_heartbeat(session, worker_id="w1", host="h", pid=1)
    session.commit()
    queue = sync_redis.Redis.from_url(redis_url)
    queue.zadd(system.QUEUE_KEY, {"job-a": 1, "job-b": 2})
    queue.close()
    probe = await system.probe_health(redis_url=redis_url)
    assert probe.worker.alive and probe.queue_depth == 2 and probe.problems == []


async def test_probe_health_says_what_is_down(monkeypatch):
    closed = create_engine("postgresql+psycopg://nobody:x@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    monkeypatch.setattr(system, "get_engine", lambda: closed)
    probe = await system.probe_health(redis_url="redis://127.0.0.1:1/0")
    assert probe.database_error.startswith("OperationalError: ") and probe.worker is None
    assert probe.redis_error and probe.queue_depth is None
    assert probe.problems == ["database unreachable", "redis unreachable"]
