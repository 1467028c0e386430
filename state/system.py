"""系统状态: database, Redis queue depth and the worker's heartbeat."""

from __future__ import annotations

from datetime import datetime, timezone

import reflex as rx
import redis.asyncio as aioredis
from sqlalchemy import text

from qihang_app import __version__
from qihang_app.config import get_settings
from qihang_app.domain.display import format_time
from qihang_app.services import system
from state.auth import current_actor, refuse
from state.offloop import in_session


class SystemState(rx.State):
    db_ok: bool = False
    db_error: str = ""
    redis_ok: bool = False
    redis_error: str = ""
    queue_depth: int = 0
    worker_alive: bool = False
    worker_last_seen: str = ""
    worker_age: int = -1
    worker_id: str = ""
    version: str = __version__
    checked_at: str = ""

    @rx.event
    async def load(self):
        try:
            await current_actor(self)
        except Exception as exc:
            return await refuse(self, exc)
        now = datetime.now(timezone.utc)
        try:
            status = await in_session(_worker_status)
            self.db_ok, self.db_error = True, ""
            self.worker_alive = status.alive
            self.worker_age = int(status.age_seconds) if status.age_seconds is not None else -1
            self.worker_last_seen = format_time(status.last_seen_at, now) if status.last_seen_at else ""
            self.worker_id = status.workers[0].worker_id if status.workers else ""
        except Exception as exc:
            self.db_ok, self.db_error = False, f"{type(exc).__name__}: {exc}"[:200]
        client = aioredis.from_url(get_settings().redis_url, socket_connect_timeout=1, socket_timeout=1)
        try:
            await client.ping()
            self.queue_depth = int(await client.zcard("arq:queue"))
            self.redis_ok, self.redis_error = True, ""
        except Exception as exc:
            self.redis_ok, self.redis_error = False, f"{type(exc).__name__}: {exc}"[:200]
        finally:
            await client.aclose()
        self.checked_at = format_time(now, now)


def _worker_status(session) -> system.WorkerStatus:
    session.exec(text("SELECT 1"))
    return system.worker_status(session)
