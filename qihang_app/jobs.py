"""Ask a worker to do something now and wait for its answer (e.g. 测试连接).

The app never talks to platforms itself; it enqueues an arq job by name and waits a bounded time.
"""

from __future__ import annotations

import asyncio
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from qihang_app.config import get_settings

_pool: ArqRedis | None = None


async def pool() -> ArqRedis:
    global _pool
    if _pool is None:
        _pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url), retry=1)
    return _pool


async def run(function: str, *args: Any, timeout: float = 20.0) -> Any:
    """Enqueue `function(*args)` and return its result; TimeoutError when no worker answered."""
    job = await (await pool()).enqueue_job(function, *args)
    if job is None:
        raise RuntimeError(f"{function} is already queued")
    return await asyncio.wait_for(job.result(timeout=timeout, poll_delay=0.2), timeout + 1)
