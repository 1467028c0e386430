"""Stock sync cron: queue the stock pushes that are due (batched per shop, debounced); the outbox
relay then performs them like any other write-back."""

from __future__ import annotations

from typing import Any

from qihang_app.services import stock_sync
from workers.tasks.ingest import run_db


async def sync_stock(ctx: dict[str, Any]) -> int:
    return await run_db(ctx, lambda s: stock_sync.flush_due(s))
