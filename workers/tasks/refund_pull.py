"""Refund pulls (platforms with `refunds_pullable`, `adapter.refund_pull`): a cron enqueues
`pull_refunds` per due shop; the job reads the window after the shop's refund cursor page by page
and feeds every PlatformRefund through ingest into the after-sale intake. The cursor moves only
when the whole window was read (services.pulls.finish_pull); a failure leaves it for the next run.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from integrations import registry
from integrations.base import PlatformError
from integrations.contract import PullWindow
from integrations.ecommerce_contract import capability
from integrations.errors import plain_error
from qihang_app.domain.platform_order import EventKind, PlatformEvent, PlatformRefund
from qihang_app.models import utcnow
from qihang_app.services import pulls as pull_service
from qihang_app.services import refund_pulls
from qihang_app.services.inbox import RawMessage
from qihang_app.services.ingest import IngestItem
from qihang_app.services.shop_auth import ShopAuth, shop_auth
from workers import platforms
from workers.locks import RedisLock
from workers.publish import publish_changes
from workers.tasks.ingest import apply_items, client_for, run_db

log = logging.getLogger("workers.refund_pull")

LOCK_TTL_MS = 60_000  # extended after every page


async def schedule_refund_pulls(ctx: dict[str, Any]) -> dict:
    now = utcnow()
    due = await run_db(ctx, lambda s: refund_pulls.due_refund_pulls(s, now=now))
    queued = 0
    stamp = int(now.timestamp())
    for shop_id, interval in due:
        if await ctx["redis"].enqueue_job("pull_refunds", shop_id, _job_id=f"refunds:{shop_id}:{stamp // interval}"):
            queued += 1
    return {"queued": queued}


def refund_item(auth: ShopAuth, refund: PlatformRefund, *, source: str) -> IngestItem:
    """One pulled refund as ingest takes it (its raw fields kept when it changes something)."""
    event = PlatformEvent(
        kind=EventKind.REFUND,
        platform=refund.platform,
        platform_shop_id=auth.platform_shop_id,
        platform_order_id=refund.platform_order_id,
        raw_type="refund_pull",
        raw_status_code=refund.raw_status_code,
        occurred_at=refund.updated_at,
        refund=refund,
    )
    body = json.dumps(refund.raw or {}, ensure_ascii=False, default=str)
    raw = RawMessage(source=auth.platform, kind="refund_pull", body=body, shop_id=auth.id, headers={"via": source})
    return IngestItem(inbox_id=None, shop_id=auth.id, events=[event], raw=raw, source=source)


async def pull_refunds(ctx: dict[str, Any], shop_id: int) -> dict:
    lock = RedisLock(ctx["redis"], f"refunds:{shop_id}", LOCK_TTL_MS)
    if not await lock.acquire():
        return {"skipped": "another refund pull of this shop is running"}
    try:
        auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
        pull = capability(registry.find(auth.platform), "refund_pull") if auth else None
        if auth is None or not auth.enabled or pull is None:
            return {"skipped": "shop disabled or its platform has no refund pull"}
        job = await run_db(ctx, lambda s: refund_pulls.start_refund_pull(s, shop_id=shop_id))
        return await _run(ctx, auth, pull, job, lock)
    finally:
        await lock.release()


async def _run(ctx: dict[str, Any], auth: ShopAuth, pull, job, lock: RedisLock) -> dict:
    stats = {"pages": 0, "orders": 0, "changed": 0}
    source = f"refunds #{job.pull_id}"
    seen: list[tuple[str, object]] = []  # (order id, update time) of every refund read
    try:
        window = PullWindow(job.window_start, job.window_end, sweep=True)
        async for page in pull.pull(client_for(ctx, auth), auth, window):
            stats["pages"] += page.requests
            stats["orders"] += len(page.refunds)
            seen.extend((str(r.platform_order_id), r.updated_at) for r in page.refunds)
            if page.refunds:
                result = await apply_items(ctx, [refund_item(auth, r, source=source) for r in page.refunds])
                await publish_changes(ctx.get("redis"), result.changes)
                stats["changed"] += len(result.after_sales)
            await run_db(ctx, lambda s: pull_service.record_progress(s, pull_id=job.pull_id, **stats))
            await lock.extend()
    except Exception as exc:
        text = plain_error(exc)
        if isinstance(exc, PlatformError | httpx.HTTPError):
            log.warning("refund pull of shop %s failed: %s", auth.id, platforms.technical_error(exc))
        else:
            log.exception("refund pull of shop %s failed", auth.id)
        await run_db(ctx, lambda s: pull_service.finish_pull(s, pull_id=job.pull_id, ok=False, error=text, **stats))
        return {"ok": False, "error": text, **stats}

    def finish(session):
        cursor = refund_pulls.cursor_after(session, shop_id=auth.id, window_end=job.window_end, refunds=seen)
        pull_service.finish_pull(session, pull_id=job.pull_id, ok=True, cursor=cursor, **stats)

    await run_db(ctx, finish)
    return {"ok": True, **stats}
