"""Everything platform-specific the worker needs: API clients per shop (with token persistence)
and turning inbox rows into IngestItems with the adapters' verification and mapping.

Services never import integrations; this module is where the two meet.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from datetime import UTC, datetime

from integrations import registry
from integrations.base import PlatformError, RetryPolicy
from integrations.contract import TokenSaver
from qihang_app.domain.platform_order import PlatformEvent, PlatformOrder
from qihang_app.services.inbox import InboxRow, RawMessage
from qihang_app.services.ingest import IngestItem
from qihang_app.services.shop_auth import ShopAuth

log = logging.getLogger("workers.platforms")

PULL_KINDS = ("pull", "detail")


# -- clients ----------------------------------------------------------------------------------


def credentials_fingerprint(auth: ShopAuth) -> tuple:
    return (auth.platform, *registry.platform(auth.platform).credentials_fingerprint(auth))


def build_client(auth: ShopAuth, *, on_token: TokenSaver | None = None, retry: RetryPolicy | None = None):
    """An API client for the shop; credentials may carry `base_url` (e.g. the sandbox)."""
    adapter = registry.find(auth.platform)
    if adapter is None:
        raise ValueError(f"no API client for platform {auth.platform!r}")
    return adapter.client(auth, on_token=on_token, retry=retry)


async def fetch_order(client, auth: ShopAuth, order_id: str) -> tuple[dict, PlatformOrder]:
    """(raw detail, mapped order). Raises PlatformError (or ValueError when it cannot be mapped)."""
    adapter = registry.platform(auth.platform)
    raw = await adapter.fetch_order(client, order_id)
    return raw, adapter.map_order(raw)


def pulled_item(auth: ShopAuth, raw: dict, *, kind: str, source: str, headers: dict | None = None) -> IngestItem:
    """An item for one pulled order: stored raw in the ingest transaction, mapped (or failed)."""
    body = json.dumps(raw, ensure_ascii=False, separators=(",", ":"), default=str)
    message = RawMessage(
        source=auth.platform, kind=kind, body=body, shop_id=auth.id, headers={"via": source, **(headers or {})}
    )
    item = IngestItem(inbox_id=None, shop_id=auth.id, raw=message, source=source)
    try:
        item.orders.append(map_order(auth.platform, raw))
    except Exception as exc:
        item.error = _describe(exc)
    return item


def map_order(platform: str, raw: dict) -> PlatformOrder:
    adapter = registry.find(platform)
    if adapter is None:
        raise ValueError(f"unknown platform {platform!r}")
    return adapter.map_order(raw)


# -- inbox rows -------------------------------------------------------------------------------


def parse_row(row: InboxRow, auth: ShopAuth | None) -> IngestItem:
    """Verify (when the route could not) and map one inbox row; never raises."""
    item = IngestItem(inbox_id=row.id, shop_id=auth.id if auth else (row.shop_id or 0))
    if auth is None:
        item.rejected = "unknown shop"
        return item
    adapter = registry.find(row.source)
    if adapter is None:
        item.error = f"no parser for source {row.source!r}"
        return item
    try:
        if row.kind in PULL_KINDS:
            item.source = str(row.headers.get("via") or row.kind)
            item.orders.append(adapter.map_order(json.loads(row.body)))
            return item
        if not row.headers.get("verified", False):
            reason = _verify_again(adapter, row, auth)
            if reason:
                item.rejected = reason
                return item
        parsed = adapter.parse_push(row.kind, row.body)
        item.events.extend(parsed.events)
        item.source = parsed.source
        for event in item.events:
            if str(event.platform_shop_id) and str(event.platform_shop_id) != auth.platform_shop_id:
                item.rejected = f"payload is for shop {event.platform_shop_id}, signed by shop {auth.platform_shop_id}"
                item.events = []
    except Exception as exc:
        item.error = _describe(exc)
        item.events, item.orders = [], []
    return item


def _verify_again(adapter, row: InboxRow, auth: ShopAuth) -> str:
    """A replayed rejected row: check the signature with today's credentials (no time window:
    the platform's timestamp is as old as the row). The row's own endpoint verifies it."""
    specs = adapter.webhooks
    if not specs:
        return f"cannot verify source {row.source!r}"
    for spec in specs:
        reason = spec.reverify(row.body, row.headers, auth)
        if not reason:
            return ""
    return reason


def needs_detail(item: IngestItem) -> list[PlatformEvent]:
    return [e for e in item.events if e.needs_detail]


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-2:]
    where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames)
    return f"{type(exc).__name__}: {exc} ({where})"[:2000]


def platform_error_text(exc: PlatformError) -> str:
    return f"{exc.platform} {exc.code}: {exc.message}"[:500]


def technical_error(exc: BaseException) -> str:
    """A failure as developers need it (logs, job results); staff see integrations.errors'."""
    if isinstance(exc, PlatformError):
        return platform_error_text(exc)
    return f"{type(exc).__name__}: {exc}"[:500]


def now_utc() -> datetime:
    return datetime.now(UTC)


async def gather_limited(coros, limit: int = 16) -> list:
    """Run coroutines with at most `limit` at a time; exceptions are returned, not raised."""
    gate = asyncio.Semaphore(limit)

    async def run(coro):
        async with gate:
            return await coro

    return await asyncio.gather(*(run(c) for c in coros), return_exceptions=True)
