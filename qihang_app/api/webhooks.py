"""Platform webhooks: verify, store raw, commit, ack, enqueue. Nothing else happens here.

One generic route per receiving endpoint that a platform adapter declares (`adapter.webhooks`,
see integrations.contract.WebhookSpec); the spec says what is special (body format, where the
shop and the signature are, the platform's ack and error bodies).

* The shop is found by (platform, shop key / app key) among enabled shops (cached for a few
  seconds); its credentials come from services (decrypted, never logged).
* Verified payloads are stored `received`, committed (group commit: see inbox_writer), then
  acked with the platform's ack body; the ingest job is enqueued after the commit.
* A bad signature or unknown shop is stored `rejected` with the reason and answered with the
  platform's error; it is never processed unless replayed from 数据接收.
* A malformed body is stored `failed` (raw kept) and answered with the platform's 400.

Platforms that sign over the callback URL saved in their console get the candidates:
the shop's `callback_base`, else PUBLIC_URL, else the URL the request reached (what the sandbox
signs on loopback).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations import registry
from integrations.contract import Answer, Inspected, PlatformAdapter, WebhookRequest, WebhookSpec
from qihang_app.config import get_settings
from qihang_app.db import get_engine
from qihang_app.services.inbox import RawMessage
from qihang_app.services.shop_auth import ShopAuth, webhook_shops

from .inbox_writer import InboxWriter

log = logging.getLogger("qihang_app.api.webhooks")

KEPT_HEADERS = ("content-type", "user-agent", "x-forwarded-for", "x-real-ip", "msg-id")


def _answer(answer: Answer) -> Response:
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type)


# -- shops ------------------------------------------------------------------------------------


class ShopDirectory:
    """Shops with credentials per platform, reloaded every `ttl` seconds, and on a miss at most
    every `miss_refresh` seconds: a shop added a moment ago is found on the platform's first
    retry, and a flood of unknown shop ids cannot hammer the database."""

    def __init__(self, engine_getter, *, ttl: float = 10.0, miss_refresh: float = 0.25) -> None:
        self._engine_getter = engine_getter
        self.ttl = ttl
        self.miss_refresh = miss_refresh
        self._by_platform: dict[str, tuple[float, dict[str, ShopAuth], dict[str, ShopAuth]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _load(self, platform: str) -> list[ShopAuth]:
        with Session(self._engine_getter()) as session:
            return webhook_shops(session, platform=platform)

    async def _refresh(self, platform: str, *, force: bool) -> None:
        lock = self._locks.setdefault(platform, asyncio.Lock())
        async with lock:
            loaded_at = self._by_platform.get(platform, (0.0, {}, {}))[0]
            age = time.monotonic() - loaded_at
            if age < (self.miss_refresh if force else self.ttl):
                return
            shops = await asyncio.to_thread(self._load, platform)
            by_shop = {s.platform_shop_id: s for s in shops if s.enabled}
            by_app: dict[str, ShopAuth] = {}
            for shop in shops:
                if shop.enabled and shop.app_key:
                    by_app.setdefault(shop.app_key, shop)
            self._by_platform[platform] = (time.monotonic(), by_shop, by_app)

    async def find(self, platform: str, *, shop_key: str = "", app_key: str = "") -> ShopAuth | None:
        entry = self._by_platform.get(platform)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            await self._refresh(platform, force=False)
        found = self._lookup(platform, shop_key, app_key)
        if found is None:
            await self._refresh(platform, force=True)
            found = self._lookup(platform, shop_key, app_key)
        return found

    def _lookup(self, platform: str, shop_key: str, app_key: str) -> ShopAuth | None:
        _, by_shop, by_app = self._by_platform.get(platform, (0.0, {}, {}))
        if shop_key:
            return by_shop.get(shop_key)
        return by_app.get(app_key) if app_key else None

    def clear(self) -> None:
        self._by_platform.clear()


# -- shared context ---------------------------------------------------------------------------


@dataclass
class Webhooks:
    """Per-app state of the webhook routes (engine, group-commit writer, shop cache, enqueuer)."""

    engine: Engine | None = None
    redis_url: str | None = None
    enqueue: bool = True
    writer: InboxWriter = field(init=False)
    shops: ShopDirectory = field(init=False)
    enqueuer: object | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.writer = InboxWriter(self._engine, on_commit=self._committed)
        self.shops = ShopDirectory(self._engine)
        if self.enqueue:
            from workers.enqueue import Enqueuer  # the enqueue helper lives with the workers

            self.enqueuer = Enqueuer(self.redis_url or get_settings().redis_url)

    def _engine(self) -> Engine:
        return self.engine or get_engine()

    def _committed(self, inbox_ids: list[int]) -> None:
        if self.enqueuer is not None:
            self.enqueuer.submit(inbox_ids)

    async def close(self) -> None:
        self.writer.close()
        if self.enqueuer is not None:
            await self.enqueuer.close()


def _webhooks(request: Request) -> Webhooks:
    return request.app.state.webhooks


# -- helpers ----------------------------------------------------------------------------------


def _body_text(body: bytes) -> tuple[str, dict]:
    """The raw body as stored: UTF-8 text, or base64 when it is not UTF-8."""
    try:
        return body.decode("utf-8"), {}
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), {"body_encoding": "base64"}


def _headers(request: Request, extra: dict) -> dict:
    kept = {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}
    if request.client is not None:
        kept["remote"] = request.client.host
    kept.update(extra)
    return kept


async def _store(request: Request, message: RawMessage) -> int | None:
    try:
        return await _webhooks(request).writer.write(message)
    except Exception:
        return None


def _unavailable() -> JSONResponse:
    return JSONResponse({"error": "storage unavailable, retry later"}, status_code=503)


def _callback_urls(request: Request, shop: ShopAuth) -> list[str]:
    """Candidate URLs the platform may have signed (configured first, then what we saw)."""
    path = request.url.path
    bases = [
        str(shop.credentials.get("callback_base") or ""),
        get_settings().public_url,
        f"{request.url.scheme}://{request.url.netloc}",
    ]
    urls = []
    for base in bases:
        if base:
            url = base.rstrip("/") + path
            if url not in urls:
                urls.append(url)
    return urls


# -- the generic route ------------------------------------------------------------------------


def endpoint(adapter: PlatformAdapter, spec: WebhookSpec):
    platform = adapter.profile.code

    async def receive(request: Request) -> Response:
        body = await request.body()
        text, encoding = _body_text(body)
        hook = WebhookRequest(
            body=body, text=text, headers=request.headers, path_params=request.path_params, not_utf8=bool(encoding)
        )
        seen = spec.inspect(hook)
        if seen.immediate is not None:
            return _answer(seen.immediate)
        if seen.error:
            inbox_id = await _store(
                request,
                RawMessage(
                    source=platform,
                    kind=seen.kind,
                    body=text,
                    headers=_headers(request, {**seen.headers, **encoding}),
                    status="failed",
                    error=seen.error,
                ),
            )
            return _unavailable() if inbox_id is None else _answer(spec.bad_request(seen.error))
        if seen.refuse:
            return await _reject(request, spec, platform, text, seen, None, seen.refuse, False)
        shops = _webhooks(request).shops
        shop = await shops.find(platform, shop_key=seen.shop_key, app_key=seen.app_key)
        if shop is None and seen.app_only_lookup:
            shop = await shops.find(platform, app_key=seen.app_key)
        if shop is None:
            reason = f"unknown shop {seen.shop_key or seen.app_key!r}"
            return await _reject(request, spec, platform, text, seen, None, reason, True)
        check = spec.verify(hook, seen, shop, _callback_urls(request, shop))
        seen.headers.update(check.headers)
        if not check.ok:
            return await _reject(request, spec, platform, text, seen, shop.id, check.reason, False)
        if check.immediate is not None:
            return _answer(check.immediate)
        inbox_id = await _store(
            request,
            RawMessage(
                source=platform,
                kind=seen.kind,
                body=text,
                shop_id=shop.id,
                headers=_headers(request, {**seen.headers, "verified": True}),
                dedup_key=seen.dedup_key or None,
            ),
        )
        return _unavailable() if inbox_id is None else _answer(spec.ack())

    return receive


async def _reject(
    request: Request,
    spec: WebhookSpec,
    platform: str,
    text: str,
    seen: Inspected,
    shop_id: int | None,
    reason: str,
    unknown_shop: bool,
) -> Response:
    inbox_id = await _store(
        request,
        RawMessage(
            source=platform,
            kind=seen.kind,
            body=text,
            shop_id=shop_id,
            headers=_headers(request, {**seen.headers, "verified": False}),
            status="rejected",
            error=reason,
        ),
    )
    if inbox_id is None:
        return _unavailable()
    log.warning("%s push rejected (inbox %s): %s", platform, inbox_id, reason)
    return _answer(spec.rejected(reason, unknown_shop=unknown_shop))


def build_routes() -> list[Route]:
    """A route for every endpoint of every registered platform (read at app start)."""
    return [
        Route(spec.path, endpoint(adapter, spec), methods=list(spec.methods))
        for adapter in registry.platforms()
        for spec in adapter.webhooks
    ]
