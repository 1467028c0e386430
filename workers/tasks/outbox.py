"""Outbox relay: perform platform write-backs (accept, reject, ready, delivery status).

Runs every second from cron and drains what is due; arq may run it twice at once on two
workers — claiming is row-level (SKIP LOCKED on PostgreSQL, one writer on SQLite) and every
call is idempotent on the platform side (confirming a confirmed order is a no-op there).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from integrations.base import PlatformError
from qihang_app import live
from qihang_app.domain.order_status import Platform
from qihang_app.services import inbox as inbox_service
from qihang_app.services import outbox
from workers.tasks.ingest import client_for, run_db

log = logging.getLogger("workers.outbox")
BATCH = 20
MAX_SECONDS = 20  # leave the cron slot well before the next run


async def perform(client, platform: str, effect: outbox.Effect) -> None:
    p = effect.payload
    order_id = p["platform_order_id"]
    action = p.get("action")
    if platform == Platform.MEITUAN.value:
        if action == "accept":
            await client.confirm_order(order_id)
        elif action == "reject":
            await client.cancel_order(order_id, p.get("reason_code", "1001"), p.get("reason", ""))
        elif action == "ready":
            await client.preparation_meal_complete(order_id)
        elif action in ("dispatch_self", "delivered"):
            await client.logistics_sync(order_id, int(p["logistics_status"]), courier_name=p.get("courier_name") or None,
                                        courier_phone=p.get("courier_phone") or None)
        else:
            raise PlatformError(platform, "unsupported", f"no Meituan call for {action}")
    elif platform == Platform.DOUYIN_LAIKE.value:
        if action == "accept":
            await client.merchant_confirm_order(order_id)
        elif action in ("dispatch_self", "delivered"):
            await client.sync_delivery_status(order_id, int(p["logistics_status"]))
        elif action in ("ready", "reject"):
            return  # 抖音来客 has no such call: the state lives in the OMS only
        else:
            raise PlatformError(platform, "unsupported", f"no Douyin call for {action}")
    else:
        raise PlatformError(platform, "unsupported", f"no client for platform {platform}")


async def relay_outbox(ctx: dict[str, Any]) -> dict:
    started = time.monotonic()
    done = failed = 0
    while time.monotonic() - started < MAX_SECONDS:
        effects = await run_db(ctx, lambda s: outbox.claim_due(s, limit=BATCH))
        if not effects:
            break
        for effect in effects:
            ok, error, retryable = await _call(ctx, effect)
            if ok:
                await run_db(ctx, lambda s, e=effect: outbox.mark_done(s, effect=e))
                done += 1
            else:
                dead = await run_db(ctx, lambda s, e=effect: outbox.mark_failed(s, effect=e, error=error, retryable=retryable))
                failed += 1
                log.warning("outbox %s %s failed (%s): %s", effect.id, effect.kind, "dead" if dead else "retry", error)
            if effect.store_id and ctx.get("redis") is not None:
                await live.publish(ctx["redis"], effect.store_id, live.note(order_id=effect.order_id or 0, store_id=effect.store_id, status="", kind="outbox"))
    return {"done": done, "failed": failed}


async def _call(ctx: dict[str, Any], effect: outbox.Effect) -> tuple[bool, str, bool]:
    auth = await run_db(ctx, lambda s: inbox_service.shop_auth(s, shop_id=effect.shop_id)) if effect.shop_id else None
    if auth is None or not auth.enabled:
        return False, "outbox.err.shop_unavailable", False  # a message key: the card shows it translated
    try:
        await perform(client_for(ctx, auth), auth.platform, effect)
        return True, "", False
    except PlatformError as exc:
        # The platform's own words reach the card: code and message, not a stack trace.
        return False, f"{exc.message} ({exc.code})", exc.retryable
    except Exception as exc:  # a bug or a broken answer: retry, keep the reason
        log.exception("outbox %s crashed", effect.id)
        return False, f"{type(exc).__name__}: {exc}"[:300], True
