"""Product pulls (店铺商品): the shop's product list read page by page through its adapter,
stored as shop SKUs, then auto-linked to ERP SKUs by outer code, then barcode. Progress goes to
the pull's `PullLog` row after every page, so the page that queued it can be left and reopened.
Runs under the shop's pull lock (workers.tasks.sweep.run_pull), like an order pull.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from integrations import registry
from integrations.base import PlatformError
from integrations.errors import plain_error
from qihang_app.services import pulls as pull_service
from qihang_app.services import shop_skus, sku_links
from qihang_app.services.pulls import PullJob
from qihang_app.services.shop_auth import ShopAuth
from workers import platforms
from workers.locks import RedisLock
from workers.tasks.ingest import client_for, run_db

log = logging.getLogger("workers.products")


def _row(sku) -> dict:
    return {
        "platform_item_id": sku.platform_item_id,
        "platform_sku_id": sku.platform_sku_id,
        "outer_sku_code": sku.outer_sku_code,
        "barcode": sku.barcode,
        "name": sku.name,
        "spec": sku.spec,
        "price_fen": sku.price_fen,
    }


def _store_page(session, shop_id: int, pull_id: int, rows: list[dict], pages: int, read: int) -> None:
    """One page's SKUs and the pull's progress, in one transaction."""
    shop_skus.upsert_pulled(session, shop_id=shop_id, skus=rows)
    pull_service.record_progress(session, pull_id=pull_id, pages=pages, orders=read, changed=0)


async def pull_products(ctx: dict[str, Any], auth: ShopAuth, job: PullJob, lock: RedisLock) -> dict:
    pages = read = 0
    try:
        adapter = registry.platform(auth.platform)
        async for page in adapter.pull_products(client_for(ctx, auth), auth):
            rows = [_row(sku) for sku in page.skus if sku.platform_sku_id]
            pages += page.requests
            read += len(rows)
            await run_db(ctx, _store_page, auth.id, job.pull_id, rows, pages, read)
            await lock.extend()
        linked = await run_db(ctx, lambda s: sku_links.auto_link_shop(s, shop_id=auth.id))
    except Exception as exc:
        text = plain_error(exc)
        if isinstance(exc, PlatformError | httpx.HTTPError):
            log.warning("product pull %s of shop %s failed: %s", job.pull_id, auth.id, platforms.technical_error(exc))
        else:
            log.exception("product pull %s of shop %s failed", job.pull_id, auth.id)
        await run_db(
            ctx,
            lambda s: pull_service.finish_pull(
                s, pull_id=job.pull_id, ok=False, error=text, pages=pages, orders=read, changed=0
            ),
        )
        return {"ok": False, "error": text, "pages": pages, "skus": read}
    await run_db(
        ctx,
        lambda s: pull_service.finish_pull(
            s, pull_id=job.pull_id, ok=True, pages=pages, orders=read, changed=linked.skus
        ),
    )
    return {"ok": True, "pages": pages, "skus": read, "linked": linked.skus, "backfilled_orders": linked.order_ids}
