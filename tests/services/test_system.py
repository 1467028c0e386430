"""Worker heartbeats."""

from __future__ import annotations

from datetime import timedelta

from qihang_app.models import utcnow
from qihang_app.services import system


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
