"""Outbox relay: perform platform write-backs (accept, reject, ready, delivery status, …) and
ERP pushes (workers.tasks.erp).

Runs every second from cron and drains what is due; arq may run it twice at once on two
workers — claiming is row-level (SKIP LOCKED on PostgreSQL, one writer on SQLite). Each row
carries an idempotency key; the adapter sends it where the platform takes one. Where a platform
takes none, the call itself is idempotent there (confirming a confirmed order
is a no-op) and the sandbox twin counts repeats so tests can see them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from integrations import registry
from integrations.base import PlatformError
from integrations.contract import WriteRequest
from qihang_app import live, metrics
from qihang_app.services import erp_push, outbox
from qihang_app.services.shop_auth import shop_auth
from workers.tasks.erp import perform_erp
from workers.tasks.ingest import client_for, run_db

log = logging.getLogger("workers.outbox")
BATCH = 20
MAX_SECONDS = 20  # leave the cron slot well before the next run
ERP_CONCURRENCY = 8  # ERP calls in flight at once per relay


async def perform(client, platform: str, effect: outbox.Effect) -> None:
    """One write-back through the platform's adapter (undeclared actions raise Unsupported)."""
    request = WriteRequest.from_payload(effect.payload, effect.idempotency_key)
    await registry.platform(platform).write_back(client, request)


async def relay_outbox(ctx: dict[str, Any]) -> dict:
    started = time.monotonic()
    tally = {"done": 0, "failed": 0}
    try:  # orders now due for their ERP join the outbox (a clash with a second relay: next tick)
        await run_db(ctx, erp_push.queue_due)
    except Exception:
        log.exception("queueing ERP pushes failed; the relay goes on")
    conns: dict = {}  # ERP connections with their keys, read once per run
    gate = asyncio.Semaphore(ERP_CONCURRENCY)

    async def bounded(effect: outbox.Effect):
        async with gate:
            return await perform_erp(ctx, effect, conns)

    while time.monotonic() - started < MAX_SECONDS:
        effects = await run_db(ctx, lambda s: outbox.claim_due(s, limit=BATCH))
        if not effects:
            break
        # ERP pushes of one batch are for different orders (a cancel is queued only once its order
        # was accepted), so they go side by side and are recorded in one transaction.
        erp = [e for e in effects if erp_push.is_erp(e.kind)]

        outcomes = list(zip(erp, await asyncio.gather(*(bounded(e) for e in erp)), strict=True))
        if outcomes:
            await run_db(ctx, lambda s, o=outcomes: [_settle(s, e, *r) for e, r in o])
        for effect, (ok, error, retryable, _) in outcomes:
            await _after(ctx, effect, ok, error, tally)
            conn = conns.get(int(effect.payload.get("connection_id") or 0))
            result = "ok" if ok else "retry" if retryable and effect.attempts < outbox.MAX_ATTEMPTS else "dead"
            await metrics.count_erp_push(ctx.get("redis"), erp=conn.erp if conn else "unknown", result=result)
        # Platform write-backs one after the other: an order's accept goes before its ready.
        for effect in (e for e in effects if not erp_push.is_erp(e.kind)):
            ok, error, retryable = await _call(ctx, effect)
            await run_db(ctx, lambda s, e=effect, r=(ok, error, retryable, ""): _settle(s, e, *r))
            await _after(ctx, effect, ok, error, tally)
    return tally


def _settle(session, effect: outbox.Effect, ok: bool, error: str, retryable: bool, answer: str) -> None:
    if ok:
        outbox.mark_done(session, effect=effect, answer=answer)
    elif outbox.mark_failed(session, effect=effect, error=error, retryable=retryable):
        log.warning("outbox %s %s failed for good: %s", effect.id, effect.kind, error)
    else:
        log.warning("outbox %s %s failed (retry): %s", effect.id, effect.kind, error)


async def _after(ctx: dict[str, Any], effect: outbox.Effect, ok: bool, error: str, tally: dict) -> None:
    tally["done" if ok else "failed"] += 1
    if effect.store_id and ctx.get("redis") is not None:
        await live.publish(
            ctx["redis"],
            effect.store_id,
            live.note(order_id=effect.order_id or 0, store_id=effect.store_id, status="", kind="outbox"),
        )


async def _call(ctx: dict[str, Any], effect: outbox.Effect) -> tuple[bool, str, bool]:
    auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=effect.shop_id)) if effect.shop_id else None
    if auth is None or not auth.enabled:
        return False, "outbox.err.shop_unavailable", False  # a message key: the card shows it translated
    try:
        await perform(client_for(ctx, auth), auth.platform, effect)
        return True, "", False
    except LookupError as exc:  # no adapter for the shop's platform: retrying cannot help
        return False, str(exc), False
    except PlatformError as exc:
        # The platform's own words reach the card: code and message, not a stack trace.
        return False, f"{exc.message} ({exc.code})", exc.retryable
    except Exception as exc:  # a bug or a broken answer: retry, keep the reason
        log.exception("outbox %s crashed", effect.id)
        return False, f"{type(exc).__name__}: {exc}"[:300], True
