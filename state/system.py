"""系统状态: database, Redis queue depth and the worker's heartbeat (services.system.probe_health)."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from qihang_app import __version__
from qihang_app.domain.display import format_time
from qihang_app.services import system
from state.auth import current_actor, refuse
from state.permissions import requires


class SystemState(rx.State):
    db_ok: bool = False
    db_error: str = ""
    redis_ok: bool = False
    redis_error: str = ""
    queue_depth: int = 0
    worker_alive: bool = False
    worker_last_seen: str = ""
    worker_age: int = -1
    worker_ids: str = ""  # technical, shown small: "host:pid" of each live worker
    version: str = __version__
    checked_at: str = ""

    @rx.event
    @requires("page.system")
    async def load(self):
        try:
            await current_actor(self)
        except Exception as exc:
            return await refuse(self, exc)
        now = datetime.now(UTC)
        probe = await system.probe_health()
        self.db_ok, self.db_error = not probe.database_error, probe.database_error[:200]
        if probe.worker is not None:
            status = probe.worker
            self.worker_alive = status.alive
            self.worker_age = int(status.age_seconds) if status.age_seconds is not None else -1
            self.worker_last_seen = format_time(status.last_seen_at, now) if status.last_seen_at else ""
            live = [w.worker_id for w in status.workers if w.alive] or [w.worker_id for w in status.workers[:1]]
            self.worker_ids = " · ".join(live)
        self.redis_ok, self.redis_error = not probe.redis_error, probe.redis_error[:200]
        if probe.queue_depth is not None:
            self.queue_depth = probe.queue_depth
        self.checked_at = format_time(now, now)
