"""Cron: ask carriers about rides whose callbacks may be lost, and where riders on their way are.

Which rides, and how an answer is applied (as a callback would be), is services.deliveries_poll.
A carrier without a status query, or one that fails this tick, is simply asked again next tick.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from integrations.base import PlatformError
from integrations.contract import Unsupported
from qihang_app.services import carrier_accounts, deliveries_poll
from qihang_app.services.errors import ServiceError
from workers.tasks.delivery import _adapter, _note
from workers.tasks.ingest import run_db

log = logging.getLogger("workers.delivery_poll")
AT_ONCE = 8  # carriers asked at the same time
ASK_SECONDS = 10.0


async def poll_rides(ctx: dict[str, Any], now: datetime | None = None) -> dict:
    items = await run_db(ctx, lambda s: deliveries_poll.rides_to_poll(s, now=now))
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(item: deliveries_poll.PollItem) -> str:
        async with gate:
            try:
                return await _poll_one(ctx, item)
            except Exception:  # one ride's trouble must not stop the others
                log.exception("status query of delivery %s failed", item.delivery_id)
                return "error"

    outcomes = await asyncio.gather(*(one(i) for i in items))
    return {"rides": len(items), "changed": outcomes.count("changed"), "failed": outcomes.count("failed")}


async def _poll_one(ctx: dict[str, Any], item: deliveries_poll.PollItem) -> str:
    try:
        account = await run_db(ctx, lambda s: carrier_accounts.account_keys(s, account_id=item.account_id))
    except ServiceError:
        return "skipped"
    adapter = _adapter(ctx, account)
    try:
        update = await asyncio.wait_for(adapter.status(item.carrier_order_id), ASK_SECONDS)
    except Unsupported:
        return "skipped"
    except (PlatformError, TimeoutError, ValueError) as exc:
        log.info("status query of delivery %s: %s", item.delivery_id, exc)
        return "failed"
    row, changed = await run_db(ctx, lambda s: deliveries_poll.apply_polled(s, item=item, update=update))
    if row is None or not changed:
        return "same"
    await _note(ctx, row.store_id, row.order_id, row.status)
    return "changed"
