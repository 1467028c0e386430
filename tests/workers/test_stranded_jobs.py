"""Jobs stranded by killed workers (their "in progress" marks live for the longest job timeout)
must not hide newer jobs from the surviving workers."""

from __future__ import annotations

import asyncio

from arq.constants import in_progress_key_prefix
from arq.worker import Worker

from workers.settings import WorkerSettings

STRANDED = 150  # more than arq's default read limit (100)


async def _stranded(ctx):  # never runs: another (dead) worker "holds" every one of these
    raise AssertionError("a stranded job ran")


async def _fresh(ctx):
    return "ran"


async def _run_fresh_job(arq_redis, read_limit: int) -> bool:
    for i in range(STRANDED):
        await arq_redis.enqueue_job("_stranded", _job_id=f"stranded-{i}")
        await arq_redis.psetex(in_progress_key_prefix + f"stranded-{i}", 600_000, b"1")
    job = await arq_redis.enqueue_job("_fresh", _job_id="fresh")
    worker = Worker(
        functions=[_stranded, _fresh],
        redis_pool=arq_redis,
        poll_delay=0.05,
        max_jobs=WorkerSettings.max_jobs,
        queue_read_limit=read_limit,
        handle_signals=False,
    )
    running = asyncio.create_task(worker.async_run())
    try:
        return await job.result(timeout=3, poll_delay=0.05) == "ran"
    except TimeoutError:
        return False
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.close()


async def test_our_read_limit_sees_past_stranded_jobs(arq_redis):
    assert WorkerSettings.queue_read_limit > STRANDED
    assert await _run_fresh_job(arq_redis, WorkerSettings.queue_read_limit)


async def test_arqs_default_read_limit_would_starve(arq_redis):
    """The failure the setting prevents (proves the test above can fail)."""
    assert not await _run_fresh_job(arq_redis, 100)
