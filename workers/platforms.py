"""Everything platform-specific the worker needs: API clients per shop (with token persistence)
and turning inbox rows into IngestItems with the adapters' verification and mapping.

Services never import integrations; this module is where the two meet.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from integrations.base import PlatformError, RetryPolicy, Token
from integrations.douyin_laike import mapping as dy_mapping
from integrations.douyin_laike.client import DouyinLaikeClient
from integrations.douyin_laike.spec import BASE_URL as DOUYIN_BASE_URL
from integrations.douyin_laike.webhook import douyin_signature, parse_webhook
from integrations.form import parse_form
from integrations.meituan import mapping as mt_mapping
from integrations.meituan.client import MeituanClient
from integrations.meituan.push import decode_push_fields, verify_push
from integrations.meituan.spec import BASE_URL as MEITUAN_BASE_URL
from integrations.meituan.spec import PushType
from qihang_app.domain.order_status import Platform
from qihang_app.domain.platform_order import PlatformEvent, PlatformOrder
from qihang_app.services.inbox import InboxRow, RawMessage
from qihang_app.services.shop_auth import ShopAuth
from qihang_app.services.ingest import IngestItem

log = logging.getLogger("workers.platforms")

MEITUAN = Platform.MEITUAN.value
DOUYIN = Platform.DOUYIN_LAIKE.value
PULL_KINDS = ("pull", "detail")

TokenSaver = Callable[[int, Token], Awaitable[None]]


# -- clients ----------------------------------------------------------------------------------


class PersistingDouyinClient(DouyinLaikeClient):
    """A Douyin client that starts from the stored token and saves every new one (encrypted, via
    services.stores.update_shop_credentials), so restarts and other workers reuse it."""

    def __init__(self, *args, stored: Token | None = None, shop_id: int = 0,
                 on_token: TokenSaver | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._stored = stored
        self._shop_id = shop_id
        self._on_token = on_token

    async def _fetch_token(self) -> Token:
        stored, self._stored = self._stored, None
        if stored is not None and self._clock() < stored.expires_at - 300:
            return stored
        token = await super()._fetch_token()
        if self._on_token is not None:
            try:
                await self._on_token(self._shop_id, token)
            except Exception:  # persisting is an optimisation; the token still works
                log.exception("could not save the new token of shop %s", self._shop_id)
        return token


def credentials_fingerprint(auth: ShopAuth) -> tuple:
    c = auth.credentials
    return (auth.app_key, auth.secret, c.get("base_url"), c.get("access_token"))


def build_client(auth: ShopAuth, *, on_token: TokenSaver | None = None,
                 retry: RetryPolicy | None = None):
    """An API client for the shop; credentials may carry `base_url` (e.g. the sandbox)."""
    c = auth.credentials
    if auth.platform == MEITUAN:
        return MeituanClient(auth.app_key, auth.secret,
                             base_url=c.get("base_url") or MEITUAN_BASE_URL,
                             access_token=c.get("isv_access_token") or None,
                             shop=auth.platform_shop_id, retry=retry)
    if auth.platform == DOUYIN:
        stored = None
        if c.get("access_token") and c.get("access_token_expires"):
            stored = Token(str(c["access_token"]), float(c["access_token_expires"]))
        return PersistingDouyinClient(auth.app_key, auth.secret, auth.platform_shop_id,
                                      base_url=c.get("base_url") or DOUYIN_BASE_URL,
                                      retry=retry, stored=stored, shop_id=auth.id,
                                      on_token=on_token)
    raise ValueError(f"no API client for platform {auth.platform!r}")


async def fetch_order(client, auth: ShopAuth, order_id: str) -> tuple[dict, PlatformOrder]:
    """(raw detail, mapped order). Raises PlatformError (or ValueError when it cannot be mapped)."""
    if auth.platform == MEITUAN:
        raw = await client.get_order_detail(order_id)
        return raw, mt_mapping.order_from_detail(raw)
    raw = await client.get_order_raw(order_id)
    return raw, dy_mapping.order_from_query(raw)


def pulled_item(auth: ShopAuth, raw: dict, *, kind: str, source: str,
                headers: dict | None = None) -> IngestItem:
    """An item for one pulled order: stored raw in the ingest transaction, mapped (or failed)."""
    body = json.dumps(raw, ensure_ascii=False, separators=(",", ":"), default=str)
    message = RawMessage(source=auth.platform, kind=kind, body=body, shop_id=auth.id,
                         headers={"via": source, **(headers or {})})
    item = IngestItem(inbox_id=None, shop_id=auth.id, raw=message, source=source)
    try:
        item.orders.append(map_order(auth.platform, raw))
    except Exception as exc:
        item.error = _describe(exc)
    return item


def map_order(platform: str, raw: dict) -> PlatformOrder:
    if platform == MEITUAN:
        return mt_mapping.order_from_detail(raw)
    if platform == DOUYIN:
        return dy_mapping.order_from_query(raw)
    raise ValueError(f"unknown platform {platform!r}")


# -- inbox rows -------------------------------------------------------------------------------


def parse_row(row: InboxRow, auth: ShopAuth | None) -> IngestItem:
    """Verify (when the route could not) and map one inbox row; never raises."""
    item = IngestItem(inbox_id=row.id, shop_id=auth.id if auth else (row.shop_id or 0))
    if auth is None:
        item.rejected = "unknown shop"
        return item
    try:
        if row.kind in PULL_KINDS:
            item.source = str(row.headers.get("via") or row.kind)
            item.orders.append(map_order(row.source, json.loads(row.body)))
            return item
        if not row.headers.get("verified", False):
            reason = _verify_again(row, auth)
            if reason:
                item.rejected = reason
                return item
        if row.source == MEITUAN:
            params = parse_form(row.body)
            event = mt_mapping.event_from_push(PushType(row.kind), decode_push_fields(params))
            item.events.append(event)
            item.source = f"push {row.kind}"
        elif row.source == DOUYIN:
            message = parse_webhook(row.body.encode("utf-8"))
            event = dy_mapping.event_from_webhook(message)
            if event is not None:
                item.events.append(event)
            item.source = f"push {message.event} {message.content.get('action', '')}".strip()
        else:
            item.error = f"no parser for source {row.source!r}"
            return item
        for event in item.events:
            if str(event.platform_shop_id) and str(event.platform_shop_id) != auth.platform_shop_id:
                item.rejected = (f"payload is for shop {event.platform_shop_id}, "
                                 f"signed by shop {auth.platform_shop_id}")
                item.events = []
    except Exception as exc:
        item.error = _describe(exc)
        item.events, item.orders = [], []
    return item


def _verify_again(row: InboxRow, auth: ShopAuth) -> str:
    """A replayed rejected row: check the signature with today's credentials (no time window:
    the platform's timestamp is as old as the row)."""
    if row.source == MEITUAN:
        params = parse_form(row.body)
        url = str(row.headers.get("url") or "")
        try:
            sent = float(params.get("timestamp", "0"))
        except ValueError:
            sent = 0.0
        check = verify_push(url, params, auth.secret,
                            expected_app_id=auth.app_key or None, now=sent)
        return "" if check.ok else check.reason
    if row.source == DOUYIN:
        signature = str(row.headers.get("signature") or "").strip().lower()
        expected = douyin_signature(auth.secret, row.body.encode("utf-8"))
        if not signature:
            return "missing signature"
        return "" if hmac.compare_digest(signature, expected) else "signature mismatch"
    return f"cannot verify source {row.source!r}"


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
