"""GET /api/health answers from services.system.probe_health: 200 when all is well, else 503."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from qihang_app.api import health
from qihang_app.models import utcnow
from qihang_app.services import system

NOW = utcnow()
ALIVE = system.WorkerStatus(
    alive=True,
    last_seen_at=NOW,
    age_seconds=2.04,
    workers=[
        system.WorkerInfo(
            worker_id="w1",
            host="h",
            pid=1,
            started_at=NOW - timedelta(hours=1),
            last_seen_at=NOW,
            age_seconds=2.04,
            alive=True,
            jobs_done=5,
        )
    ],
)
STALE = system.WorkerStatus(alive=False, last_seen_at=None, age_seconds=None, workers=[])


@pytest.mark.parametrize(
    ("probe", "status", "expected"),
    [
        (
            system.Health("", ALIVE, "", 3),
            200,
            {
                "status": "ok",
                "problems": [],
                "database": "ok",
                "redis": "ok",
                "queue_depth": 3,
                "worker": {"last_seen_at": NOW.isoformat(), "age_seconds": 2.0, "alive": True, "count": 1},
            },
        ),
        (
            system.Health("", STALE, "", 0),
            503,
            {
                "status": "degraded",
                "problems": ["worker heartbeat missing or stale"],
                "worker": {"last_seen_at": None, "age_seconds": None, "alive": False, "count": 0},
            },
        ),
        (
            system.Health("OperationalError: " + "x" * 400, None, "ConnectionError: refused", None),
            503,
            {
                "status": "degraded",
                "problems": ["database unreachable", "redis unreachable"],
                "database": ("error: OperationalError: " + "x" * 400)[:300],
                "redis": "error: ConnectionError: refused",
            },
        ),
    ],
)
async def test_health(monkeypatch, probe, status, expected):
    async def fake_probe():
        return probe

    monkeypatch.setattr(system, "probe_health", fake_probe)
    response = await health.health(None)
    body = json.loads(response.body)
    assert response.status_code == status
    assert {k: body[k] for k in expected} == expected
    assert ("worker" in body) is (probe.worker is not None)
    assert ("queue_depth" in body) is (probe.queue_depth is not None)
