"""`refresh_tokens` (cron, every few minutes): refresh each OAuth token within its margin of expiry
(`adapter.oauth.refresh`), save it encrypted, audit it as the system. A refusal by the platform (or
a lapsed refresh token) marks the shop 需要重新授权; a network failure is retried at the next run.

A per-shop Redis lock keeps two workers from spending the same refresh token (several platforms
accept each refresh token once).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from integrations import registry
from integrations.base import PlatformError
from integrations.ecommerce_contract import capability
from qihang_app.models import utcnow
from qihang_app.services import shop_oauth
from qihang_app.services.shop_auth import shop_auth
from workers import platforms
from workers.locks import RedisLock
from workers.tasks.ingest import run_db

log = logging.getLogger("workers.tokens")

LOCK_TTL_MS = 60_000


def _refresh_lapsed(credentials: dict, now: float) -> bool:
    try:
        expires = float(credentials.get("refresh_token_expires") or 0)
    except (TypeError, ValueError):
        return False
    return bool(expires) and expires <= now


async def refresh_tokens(ctx: dict[str, Any]) -> dict:
    due = await run_db(ctx, lambda s: shop_oauth.tokens_due(s))
    counts = {"refreshed": 0, "refused": 0, "failed": 0, "skipped": 0}
    for shop_id in due:
        counts[await refresh_shop(ctx, shop_id)] += 1
    return counts


async def refresh_shop(ctx: dict[str, Any], shop_id: int) -> str:
    """One shop's refresh: "refreshed", "refused" (marked), "failed" (retry later) or "skipped"."""
    lock = RedisLock(ctx["redis"], f"token:{shop_id}", LOCK_TTL_MS)
    if not await lock.acquire():
        return "skipped"
    try:
        auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
        flow = capability(registry.find(auth.platform), "oauth") if auth else None
        if flow is None:
            return "skipped"
        if not auth.credentials.get("refresh_token"):
            await run_db(ctx, lambda s: shop_oauth.mark_reauth(s, shop_id=shop_id, reason="oauth.err.no_refresh"))
            return "refused"
        if _refresh_lapsed(auth.credentials, utcnow().timestamp()):
            await run_db(ctx, lambda s: shop_oauth.mark_reauth(s, shop_id=shop_id, reason="oauth.err.refresh_lapsed"))
            return "refused"
        try:
            grant = await flow.refresh(auth)
        except PlatformError as exc:
            if exc.retryable:  # busy or down: not a refusal
                log.warning("token refresh of shop %s failed: %s", shop_id, platforms.technical_error(exc))
                return "failed"
            log.warning("token refresh of shop %s refused: %s", shop_id, platforms.technical_error(exc))
            await run_db(ctx, lambda s: shop_oauth.mark_reauth(s, shop_id=shop_id, reason="oauth.err.refresh_refused"))
            return "refused"
        except (httpx.HTTPError, OSError) as exc:
            log.warning("token refresh of shop %s failed: %s", shop_id, platforms.technical_error(exc))
            return "failed"
        await run_db(
            ctx,
            lambda s: shop_oauth.save_refreshed(
                s,
                shop_id=shop_id,
                credentials=grant.credentials(),
                expires_at=grant.expires_at,
                refresh_expires_at=grant.refresh_expires_at,
            ),
        )
        return "refreshed"
    finally:
        await lock.release()
