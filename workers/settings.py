"""arq worker entry: `arq workers.settings.WorkerSettings`.

Every task is thin (load → service → commit). Nothing here may assume it is the only worker.
"""

from __future__ import annotations

from arq import cron
from arq.connections import RedisSettings

from qihang_app.config import get_settings
from workers.context import shutdown, startup
from workers.tasks.heartbeat import heartbeat

_settings = get_settings()


def _every(seconds: int) -> set[int]:
    return set(range(0, 60, max(1, min(seconds, 60))))


class WorkerSettings:
    redis_settings = RedisSettings.from_dsn(_settings.redis_url)
    on_startup = startup
    on_shutdown = shutdown
    functions = [heartbeat]
    cron_jobs = [
        # unique (the default): with several workers one of them records each tick.
        cron(heartbeat, second=_every(_settings.heartbeat_seconds), run_at_startup=True),
    ]
    max_jobs = 20
    job_timeout = 300
    health_check_interval = 10
