"""Counters shared by every process (app processes and workers), kept in Redis.

A Prometheus client library counts inside one process; here several processes count the same
things, so counts go to Redis hashes and /metrics reads them at scrape time (gauges are read
from the database and Redis then too). Counting is best effort: a Redis hiccup loses a count,
never an order, and never fails the caller.

Others count with one call, e.g. an ERP push relay:
    await metrics.count_erp_push(redis, erp="wangdian", result="ok")
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable

import redis
import redis.asyncio as aioredis

log = logging.getLogger(__name__)

PREFIX = "qh:metrics:"
ERP_PUSH = PREFIX + "erp_push"  # field "<erp>|<result>" -> count
LATENCY = PREFIX + "ingest_latency"  # fields "le:<bound>", "sum", "count"
BOARDS = PREFIX + "boards:"  # + "<host>:<pid>" -> open boards in that app process (expiring)
# Push received (raw row stored) → order committed, in seconds.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
BOARDS_TTL = 90  # seconds: a process that died stops counting after this


def bucket_fields(seconds: float) -> list[str]:
    """The histogram fields one observation increments (cumulative: every bound ≥ it)."""
    return [f"le:{b}" for b in LATENCY_BUCKETS if seconds <= b] + ["le:+Inf"]


async def observe_ingest_latency(client: aioredis.Redis | None, seconds: Iterable[float]) -> None:
    values = [max(0.0, s) for s in seconds]
    if client is None or not values:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for value in values:
            for name in bucket_fields(value):
                pipe.hincrby(LATENCY, name, 1)
        pipe.hincrbyfloat(LATENCY, "sum", sum(values))
        pipe.hincrby(LATENCY, "count", len(values))
        await pipe.execute()
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: latency not counted: %s", exc)


async def count_erp_push(client: aioredis.Redis | None, *, erp: str, result: str, n: int = 1) -> None:
    """One more ERP push result ("ok", "refused", "error", "dead", …) for that ERP kind."""
    if client is None:
        return
    try:
        await client.hincrby(ERP_PUSH, f"{erp}|{result}", n)
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: erp push not counted: %s", exc)


def count_erp_push_sync(client: redis.Redis, *, erp: str, result: str, n: int = 1) -> None:
    try:
        client.hincrby(ERP_PUSH, f"{erp}|{result}", n)
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: erp push not counted: %s", exc)


def process_key() -> str:
    return f"{BOARDS}{socket.gethostname()}:{os.getpid()}"


async def report_boards(client: aioredis.Redis, count: int) -> None:
    """This app process holds `count` open boards (refreshed by its board feed)."""
    try:
        await client.set(process_key(), count, ex=BOARDS_TTL)
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: board count not reported: %s", exc)


# -- reading (at scrape time) -------------------------------------------------------------------


async def read_counters(client: aioredis.Redis) -> dict:
    erp = await client.hgetall(ERP_PUSH)
    latency = await client.hgetall(LATENCY)
    boards = 0
    async for key in client.scan_iter(match=BOARDS + "*", count=200):
        boards += int(await client.get(key) or 0)
    decode = lambda raw: {k.decode(): v.decode() for k, v in raw.items()}  # noqa: E731
    return {"erp_push": decode(erp), "latency": decode(latency), "boards": boards}
