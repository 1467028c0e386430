"""Message-stream consumers (profile `streams`, `adapter.stream`): `schedule_streams` (cron, each
minute) enqueues `stream_shop` per enabled shop; one session reads batches for at most
SESSION_SECONDS under a Redis lock (one consumer per shop across every worker). Each batch is
stored in the inbox and committed, THEN confirmed: a crash in between re-delivers it and the
inbox keeps it once (services.streams). A dropped connection simply ends the session; the next
minute's run connects again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from integrations import registry
from integrations.base import PlatformError
from integrations.ecommerce_contract import capability
from qihang_app.models import utcnow
from qihang_app.services import streams as stream_service
from qihang_app.services.shop_auth import shop_auth
from workers import platforms
from workers.enqueue import enqueue_ingest
from workers.locks import RedisLock
from workers.tasks.ingest import client_for, run_db

log = logging.getLogger("workers.streams")

SESSION_SECONDS = 50.0  # then the next minute's run takes over
LOCK_TTL_MS = 70_000  # longer than a session; extended after each batch


async def schedule_streams(ctx: dict[str, Any]) -> dict:
    shops = await run_db(ctx, stream_service.streaming_shops)
    minute = int(utcnow().timestamp()) // 60
    queued = 0
    for shop_id in shops:
        if await ctx["redis"].enqueue_job("stream_shop", shop_id, _job_id=f"stream:{shop_id}:{minute}"):
            queued += 1
    return {"queued": queued}


async def stream_shop(ctx: dict[str, Any], shop_id: int, seconds: float = SESSION_SECONDS) -> dict:
    lock = RedisLock(ctx["redis"], f"stream:{shop_id}", LOCK_TTL_MS)
    if not await lock.acquire():
        return {"skipped": "another worker consumes this shop's stream"}
    try:
        auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
        stream = capability(registry.find(auth.platform), "stream") if auth else None
        if stream is None or not auth.enabled:
            return {"skipped": "shop disabled or its platform has no stream"}
        return await _session(ctx, auth, stream, lock, seconds)
    finally:
        await lock.release()


async def _session(ctx: dict[str, Any], auth, stream, lock: RedisLock, seconds: float) -> dict:
    stats: dict[str, Any] = {"batches": 0, "messages": 0, "stored": 0}
    client = client_for(ctx, auth)
    batches = stream.messages(client, auth)
    try:
        async with asyncio.timeout(seconds):
            async for batch in batches:
                incoming = [stream_service.Incoming(m.kind, m.body, m.dedup_key, m.shop_key) for m in batch]
                ids = await run_db(ctx, stream_service.store_batch, shop_id=auth.id, messages=incoming)
                await _enqueue(ctx, ids)
                await stream.confirm(client, auth, [m.confirm_id for m in batch])  # only once stored
                stats["batches"] += 1
                stats["messages"] += len(batch)
                stats["stored"] += len(ids)
                if not await lock.extend():
                    stats["ended"] = "lock lost"
                    break
    except TimeoutError:
        stats["ended"] = "session time up"
    except (PlatformError, httpx.HTTPError, OSError) as exc:
        log.warning("stream of shop %s ended: %s", auth.id, platforms.technical_error(exc))
        stats["ended"] = platforms.technical_error(exc)
    finally:
        closing = getattr(batches, "aclose", None)
        if closing is not None:
            try:
                await closing()
            except Exception:  # a broken connection may fail to close; the next run reconnects
                log.debug("closing the stream of shop %s failed", auth.id, exc_info=True)
    return stats


async def _enqueue(ctx: dict[str, Any], ids: list[int]) -> None:
    """Best effort: the drain cron picks up received rows whose job was lost."""
    if not ids:
        return
    try:
        await enqueue_ingest(ctx["redis"], ids)
    except Exception:
        log.warning("could not enqueue ingest of %s stream rows", len(ids))
