"""Enqueue helpers for code outside the worker (the webhook routes).

The webhooks commit the raw payload first, answer the platform, then enqueue an `ingest_inbox`
job for the committed rows (the commits of a few milliseconds share one job), whose arq job id is
`inbox:<first inbox id of the job>`: a second enqueue of the same rows is a no-op. Losing the job loses nothing: the `drain_inbox` cron
picks up every `received` row that waited more than a few seconds. So enqueueing is best effort:
when Redis is down the route does not wait for it, and retries only after a short pause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

log = logging.getLogger("workers.enqueue")

INGEST_FUNCTION = "ingest_inbox"
PAUSE_AFTER_FAILURE = 5.0  # seconds without trying Redis after it failed
# Commits within this window share one ingest job. Each arq job costs the worker a few Redis
# round trips and a slot: at 200 pushes/s a 5 ms window made ~100 jobs/s and queued them for
# seconds on PostgreSQL; 20 ms keeps it to ≤ 50 jobs/s for ≤ 20 ms of added latency.
FLUSH_SECONDS = 0.02
MAX_JOB_IDS = 500


def ingest_job_id(inbox_ids: Sequence[int]) -> str:
    return f"inbox:{min(inbox_ids)}"


async def enqueue_ingest(redis: ArqRedis, inbox_ids: Sequence[int]) -> bool:
    ids = sorted(int(i) for i in inbox_ids)
    if not ids:
        return False
    job = await redis.enqueue_job(INGEST_FUNCTION, ids, _job_id=ingest_job_id(ids))
    return job is not None


class Enqueuer:
    """One arq pool per event loop, created lazily; failures pause enqueueing briefly."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self._pool: ArqRedis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._down_until = 0.0
        self.enqueued = 0
        self.failed = 0
        self._tasks: set[asyncio.Task] = set()
        self._pending: list[int] = []
        self._flusher: asyncio.Task | None = None

    async def _get(self) -> ArqRedis:
        loop = asyncio.get_running_loop()
        if self._pool is not None and self._loop is loop:
            return self._pool
        if self._lock is None or self._loop is not loop:
            self._lock = asyncio.Lock()
            self._pool, self._loop = None, loop
        async with self._lock:
            if self._pool is None:
                settings = RedisSettings.from_dsn(self.redis_url)
                settings.conn_timeout = 1
                settings.conn_retries = 0
                self._pool = await create_pool(settings)
        return self._pool

    def submit(self, inbox_ids: Sequence[int]) -> None:
        """Fire and forget from the running loop. Ids submitted within FLUSH_SECONDS of each
        other go out as one job (one Redis transaction instead of one per commit)."""
        if not inbox_ids or time.monotonic() < self._down_until:
            return
        self._pending.extend(inbox_ids)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())
            self._tasks.add(self._flusher)
            self._flusher.add_done_callback(self._tasks.discard)

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_SECONDS)
        while self._pending:
            ids, self._pending = self._pending[:MAX_JOB_IDS], self._pending[MAX_JOB_IDS:]
            await self.enqueue(ids)

    async def enqueue(self, inbox_ids: Sequence[int]) -> bool:
        if time.monotonic() < self._down_until:
            return False
        try:
            pool = await self._get()
            await asyncio.wait_for(enqueue_ingest(pool, inbox_ids), timeout=2.0)
            self.enqueued += 1
            return True
        except Exception as exc:  # Redis down or slow: the drain cron will find the rows
            self.failed += 1
            self._down_until = time.monotonic() + PAUSE_AFTER_FAILURE
            log.warning(
                "enqueue of inbox %s failed (%s); the drain cron will pick it up", min(inbox_ids), type(exc).__name__
            )
            pool, self._pool = self._pool, None
            if pool is not None:
                try:
                    await pool.aclose()
                except Exception:
                    pass
            return False

    async def close(self) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=3)
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None
