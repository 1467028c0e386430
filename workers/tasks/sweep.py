"""Pulls: the per-shop cron sweep that backs up at-least-once pushes, and manual pulls.

`schedule_pulls` (cron, every few seconds) enqueues `sweep_shop` for every enabled shop whose
interval (Shop.sweep_interval_seconds) has passed and `run_pull` for manual pulls queued from the
门店与店铺 page. A Redis lock (SET NX PX, extended while it runs) keeps one pull per shop at a
time across all workers; a failed sweep backs the shop off (interval × 2^n, at most 15 min).

Each platform's adapter says how to read a window (`pull`): by update time where the platform
offers it, by other means where it does not (e.g. daily sequence numbers).

Every pulled order goes through the same ingest as pushes (stored raw, then applied).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from integrations import registry
from integrations.base import PlatformError
from integrations.contract import PullWindow
from integrations.errors import plain_error
from qihang_app.models import utcnow
from qihang_app.services import pulls as pull_service
from qihang_app.services.pulls import PullJob
from qihang_app.services.shop_auth import ShopAuth, shop_auth
from workers import platforms
from workers.locks import RedisLock
from workers.publish import publish_changes
from workers.tasks.ingest import apply_items, client_for, run_db
from workers.tasks.products import pull_products
from workers.tasks.refund_sweep import sweep_refunds

log = logging.getLogger("workers.sweep")

LOCK_TTL_MS = 60_000  # extended after every page; frees itself if the worker dies
BACKOFF_KEY = "qh:backoff:sweep:{shop_id}"
MAX_BACKOFF = 900


@dataclass
class _Stats:
    pages: int = 0
    orders: int = 0
    changed: int = 0


def _lock(ctx: dict[str, Any], shop_id: int) -> RedisLock:
    return RedisLock(ctx["redis"], f"pull:{shop_id}", LOCK_TTL_MS)


# -- cron: what is due ------------------------------------------------------------------------


async def schedule_pulls(ctx: dict[str, Any]) -> dict:
    now = utcnow()

    def work(session):
        pull_service.expire_stale(session, now=now)
        return pull_service.due_sweeps(session, now=now), pull_service.queued_pulls(session)

    due, queued = await run_db(ctx, work)
    redis = ctx["redis"]
    sweeps = pulls = 0
    stamp = int(now.timestamp())
    for shop_id, interval in due:
        if await redis.exists(BACKOFF_KEY.format(shop_id=shop_id)):
            continue
        if await redis.enqueue_job("sweep_shop", shop_id, _job_id=f"sweep:{shop_id}:{stamp // interval}"):
            sweeps += 1
    for pull_id in queued:
        if await redis.enqueue_job("run_pull", pull_id, _job_id=f"pull:{pull_id}:{stamp // 5}"):
            pulls += 1
    return {"sweeps": sweeps, "pulls": pulls}


# -- jobs -------------------------------------------------------------------------------------


async def sweep_shop(ctx: dict[str, Any], shop_id: int) -> dict:
    lock = _lock(ctx, shop_id)
    if not await lock.acquire():
        return {"skipped": "another pull of this shop is running"}
    try:
        auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
        if auth is None or not auth.enabled or not pull_service.pullable(auth.platform):
            return {"skipped": "shop disabled or not pullable"}
        job = await run_db(ctx, lambda s: pull_service.start_sweep(s, shop_id=shop_id))
        return await _run(ctx, auth, job, lock)
    finally:
        await lock.release()


async def run_pull(ctx: dict[str, Any], pull_id: int) -> dict:
    """A manual pull (orders, or the product list) queued from the UI; it stays queued while the
    shop is busy."""
    from qihang_app.models import PullLog

    shop_id = await run_db(ctx, lambda s: getattr(s.get(PullLog, pull_id), "shop_id", None))
    if shop_id is None:
        return {"skipped": "no such pull"}
    lock = _lock(ctx, shop_id)
    if not await lock.acquire():
        return {"skipped": "shop busy; retried by the scheduler"}
    try:
        job = await run_db(ctx, lambda s: pull_service.claim_pull(s, pull_id=pull_id))
        if job is None:
            return {"skipped": "already taken"}
        auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
        if auth is None:
            return {"skipped": "shop gone"}
        if job.kind == "products":
            return await pull_products(ctx, auth, job, lock)
        return await _run(ctx, auth, job, lock)
    finally:
        await lock.release()


async def _run(ctx: dict[str, Any], auth: ShopAuth, job: PullJob, lock: RedisLock) -> dict:
    stats = _Stats()
    sweep = job.kind == "sweep"
    try:
        adapter = registry.platform(auth.platform)
        window = PullWindow(job.window_start, job.window_end, sweep=sweep)
        pages = adapter.pull(client_for(ctx, auth), auth, window, _Lookups(ctx, auth.id))
        async for page in pages:
            items = [
                platforms.pulled_item(auth, raw, kind="pull", source=_source(job), headers={"pull_id": job.pull_id})
                for raw in page.orders
            ]
            stats.pages += page.requests
            stats.orders += len(items)
            await _apply(ctx, items, job, stats, lock)
        if sweep:  # refunds whose push was lost (the detail may show them only as cancelled)
            found = await sweep_refunds(ctx, auth)
            if "result" in found:
                await publish_changes(ctx.get("redis"), found["result"].changes)
                stats.changed += found["after_sales"]
    except Exception as exc:
        # Staff read the pull log: they get plain words; the technical text goes to the log.
        text = plain_error(exc)
        technical = platforms.technical_error(exc)
        if isinstance(exc, PlatformError | httpx.HTTPError):
            log.warning("pull %s of shop %s failed: %s", job.pull_id, auth.id, technical)
        else:
            log.exception("pull %s of shop %s failed", job.pull_id, auth.id)
        await run_db(
            ctx,
            lambda s: pull_service.finish_pull(
                s,
                pull_id=job.pull_id,
                ok=False,
                error=text,
                pages=stats.pages,
                orders=stats.orders,
                changed=stats.changed,
            ),
        )
        if sweep:
            await _back_off(ctx, auth.id)
        return {"ok": False, "error": text, "technical": technical, **vars(stats)}
    await run_db(
        ctx,
        lambda s: pull_service.finish_pull(
            s,
            pull_id=job.pull_id,
            ok=True,
            pages=stats.pages,
            orders=stats.orders,
            changed=stats.changed,
            cursor=job.window_end if sweep else None,
        ),
    )
    if sweep:
        await ctx["redis"].delete(BACKOFF_KEY.format(shop_id=auth.id))
    return {"ok": True, **vars(stats)}


async def _back_off(ctx: dict[str, Any], shop_id: int) -> None:
    key = BACKOFF_KEY.format(shop_id=shop_id)
    try:
        redis = ctx["redis"]
        failures = int(await redis.incr(key + ":n"))
        await redis.expire(key + ":n", MAX_BACKOFF * 2)
        interval = await run_db(ctx, lambda s: _interval(s, shop_id))
        await redis.set(key, failures, ex=min(MAX_BACKOFF, interval * 2 ** min(failures, 5)))
    except Exception:
        log.warning("could not record the sweep backoff of shop %s", shop_id)


def _interval(session, shop_id: int) -> int:
    from qihang_app.models import Shop

    shop = session.get(Shop, shop_id)
    return int(shop.sweep_interval_seconds) if shop else 60


async def _apply(ctx, items, job: PullJob, stats: _Stats, lock: RedisLock) -> None:
    if items:
        result = await apply_items(ctx, items)
        await publish_changes(ctx.get("redis"), result.changes)
        stats.changed += len(result.changes)
    await run_db(
        ctx,
        lambda s: pull_service.record_progress(
            s, pull_id=job.pull_id, pages=stats.pages, orders=stats.orders, changed=stats.changed
        ),
    )
    await lock.extend()


def _source(job: PullJob) -> str:
    return f"{job.kind} #{job.pull_id}"


class _Lookups:
    """What an adapter's pull may ask of the OMS, answered from the database."""

    def __init__(self, ctx: dict[str, Any], shop_id: int) -> None:
        self.ctx, self.shop_id = ctx, shop_id

    async def known_day_seqs(self, since: datetime, until: datetime) -> set[int]:
        return await run_db(
            self.ctx, lambda s: pull_service.known_day_seqs(s, shop_id=self.shop_id, since=since, until=until)
        )

    async def open_order_ids(self, since: datetime, limit: int) -> list[str]:
        return await run_db(
            self.ctx, lambda s: pull_service.open_order_ids(s, shop_id=self.shop_id, since=since, limit=limit)
        )
