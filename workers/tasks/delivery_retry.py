"""Cron: the next try of carrier calls that failed for a passing reason (services.deliveries_retry).

Each due row runs the same job again with its retry_key, so a success closes the row, another
passing failure schedules the next try, and anything else (or the last try) ends in 异常.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from qihang_app.services import deliveries_retry as retries
from workers.tasks.delivery import book_delivery, cancel_delivery, tip_delivery
from workers.tasks.ingest import run_db

log = logging.getLogger("workers.delivery_retry")
JOBS = {"book": book_delivery, "tip": tip_delivery, "cancel": cancel_delivery}


async def retry_rides(ctx: dict[str, Any], now: datetime | None = None) -> dict:
    work = await run_db(ctx, lambda s: retries.due(s, now=now))
    outcomes: dict[str, int] = {"ok": 0, "retrying": 0, "ended": 0}
    for item in work:
        args = {k: v for k, v in item.args.items() if k != "retry_key"}
        try:
            answer = await JOBS[item.action](ctx, **args, retry_key=item.key)
        except Exception:  # one order's trouble must not stop the others; the lease brings it back
            log.exception("retry %s failed", item.key)
            continue
        outcome = "ok" if answer.get("ok") else "retrying" if answer.get("retrying") else "ended"
        outcomes[outcome] += 1
    return {"due": len(work), **outcomes}
