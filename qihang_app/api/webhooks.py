"""Platform webhooks: verify, store raw, commit, ack, enqueue. Nothing else happens here.

    POST /api/webhooks/meituan/{push_type}   form body, Meituan `sig` over our callback URL
    POST /api/webhooks/douyin_laike          JSON envelope, X-Douyin-Signature

* The shop is found by (platform, app_poi_code / account id) among enabled shops (cached for
  a few seconds); its credentials come from services (decrypted, never logged).
* Verified payloads are stored `received`, committed (group commit: see inbox_writer), then
  acked with the platform's ack body; the ingest job is enqueued after the commit.
* A bad signature or unknown shop is stored `rejected` with the reason and answered with the
  platform's error (Meituan 703 / 702); it is never processed unless replayed from 数据接收.
* A malformed body is stored `failed` (raw kept) and answered 400.

Meituan signs pushes over the callback URL saved in its console: the shop's credentials may
name it (`callback_base`), else PUBLIC_URL, else the URL the request reached (what the sandbox
signs on loopback).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.douyin_laike.spec import ACK_BODY as DOUYIN_ACK
from integrations.douyin_laike.spec import SIGNATURE_HEADER as DOUYIN_SIGNATURE
from integrations.douyin_laike.spec import VERIFY_EVENT
from integrations.douyin_laike.webhook import verify_webhook
from integrations.form import parse_form
from integrations.meituan.push import verify_push
from integrations.meituan.spec import ACK_OK as MEITUAN_ACK
from integrations.meituan.spec import PUSH_PATH_TEMPLATE, ErrorCode, PushType, error_body
from qihang_app.config import get_settings
from qihang_app.db import get_engine
from qihang_app.services.inbox import RawMessage
from qihang_app.services.shop_auth import ShopAuth, webhook_shops

from .inbox_writer import InboxWriter

log = logging.getLogger("qihang_app.api.webhooks")

MEITUAN = "meituan"
DOUYIN = "douyin_laike"
MEITUAN_PATH = PUSH_PATH_TEMPLATE.replace("{push_type}", "{push_type:str}")
DOUYIN_PATH = "/api/webhooks/douyin_laike"
KEPT_HEADERS = ("content-type", "user-agent", "x-forwarded-for", "x-real-ip", "msg-id")
PUSH_TYPES = frozenset(p.value for p in PushType)
_MEITUAN_ACK = json.dumps(MEITUAN_ACK).encode()  # rendered once: acks are the hot path
_DOUYIN_ACK = json.dumps(DOUYIN_ACK, ensure_ascii=False).encode()


def _ack(body: bytes) -> Response:
    return Response(body, media_type="application/json")


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

    async def find(self, platform: str, *, shop_key: str = "", app_key: str = ""
                   ) -> ShopAuth | None:
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
    bases = [str(shop.credentials.get("callback_base") or ""), get_settings().public_url,
             f"{request.url.scheme}://{request.url.netloc}"]
    urls = []
    for base in bases:
        if base:
            url = base.rstrip("/") + path
            if url not in urls:
                urls.append(url)
    return urls


# -- Meituan ----------------------------------------------------------------------------------


async def meituan_push(request: Request) -> Response:
    push_type = request.path_params["push_type"]
    body = await request.body()
    if not body.strip():  # Meituan checks a callback URL with an empty request when it is saved
        return JSONResponse(MEITUAN_ACK)
    text, encoding = _body_text(body)
    try:
        if encoding:
            raise ValueError("body is not UTF-8")
        params = parse_form(text, strict=True)
    except ValueError as exc:
        inbox_id = await _store(request, RawMessage(
            source=MEITUAN, kind=push_type, body=text, headers=_headers(request, encoding),
            status="failed", error=f"malformed form body: {exc}"))
        if inbox_id is None:
            return _unavailable()
        return JSONResponse(error_body(ErrorCode.MISSING_PARAM, "malformed form body"),
                            status_code=400)
    shop_key = params.get("app_poi_code", "")
    headers = {"shop_key": shop_key}
    if push_type not in PUSH_TYPES:
        return await _meituan_reject(request, text, push_type, None, headers,
                                     f"unknown push type {push_type!r}", ErrorCode.SYSTEM, 404)
    shop = await _webhooks(request).shops.find(MEITUAN, shop_key=shop_key,
                                               app_key=params.get("app_id", ""))
    if shop is None:
        return await _meituan_reject(request, text, push_type, None, headers,
                                     f"unknown shop {shop_key or params.get('app_id', '')!r}",
                                     ErrorCode.BAD_APP_ID)
    check = None
    for url in _callback_urls(request, shop):
        check = verify_push(url, params, shop.secret, expected_app_id=shop.app_key or None)
        headers["url"] = url
        if check.ok or check.reason != "sig mismatch":
            break
    if not check.ok:
        return await _meituan_reject(request, text, push_type, shop.id, headers, check.reason,
                                     ErrorCode.BAD_SIG)
    inbox_id = await _store(request, RawMessage(
        source=MEITUAN, kind=push_type, body=text, shop_id=shop.id,
        headers=_headers(request, {**headers, "verified": True}),
        dedup_key=f"meituan:{params.get('sig', '')}"))
    if inbox_id is None:
        return _unavailable()
    return _ack(_MEITUAN_ACK)


async def _meituan_reject(request: Request, text: str, push_type: str, shop_id: int | None,
                          headers: dict, reason: str, code: int, status: int = 200) -> Response:
    inbox_id = await _store(request, RawMessage(
        source=MEITUAN, kind=push_type, body=text, shop_id=shop_id,
        headers=_headers(request, {**headers, "verified": False}), status="rejected",
        error=reason))
    if inbox_id is None:
        return _unavailable()
    log.warning("meituan push rejected (inbox %s): %s", inbox_id, reason)
    # Meituan's own error envelope (HTTP 200, data "ng"): the platform retries, then gives up.
    return JSONResponse(error_body(code, reason), status_code=status)


# -- Douyin Laike -----------------------------------------------------------------------------


async def douyin_webhook(request: Request) -> Response:
    body = await request.body()
    text, encoding = _body_text(body)
    signature = request.headers.get(DOUYIN_SIGNATURE, "")
    try:
        if encoding:
            raise ValueError("body is not UTF-8")
        envelope = json.loads(text)
        if not isinstance(envelope, dict):
            raise ValueError("body is not a JSON object")
    except ValueError as exc:
        inbox_id = await _store(request, RawMessage(
            source=DOUYIN, kind="", body=text, headers=_headers(request, {
                "signature": signature, **encoding}),
            status="failed", error=f"malformed JSON body: {exc}"))
        if inbox_id is None:
            return _unavailable()
        return JSONResponse({"err_no": 400, "err_tips": "malformed JSON body"}, status_code=400)
    event = str(envelope.get("event") or "")
    account_id = str(envelope.get("from_user_id") or "")
    client_key = str(envelope.get("client_key") or "")
    headers = {"shop_key": account_id, "signature": signature, "client_key": client_key}
    shop = await _webhooks(request).shops.find(DOUYIN, shop_key=account_id, app_key=client_key)
    if shop is None and event == VERIFY_EVENT:  # URL checks may name no account
        shop = await _webhooks(request).shops.find(DOUYIN, app_key=client_key)
    if shop is None:
        return await _douyin_reject(request, text, event, None, headers,
                                    f"unknown shop {account_id or client_key!r}", 404)
    check = verify_webhook(shop.secret, body, signature)
    if not check.ok:
        return await _douyin_reject(request, text, event, shop.id, headers, check.reason, 403)
    if check.message is not None and check.message.is_url_check:
        return JSONResponse(check.message.challenge_answer())
    inbox_id = await _store(request, RawMessage(
        source=DOUYIN, kind=event, body=text, shop_id=shop.id,
        headers=_headers(request, {**headers, "verified": True}),
        dedup_key=f"douyin:{envelope.get('log_id') or request.headers.get('msg-id', '')}"))
    if inbox_id is None:
        return _unavailable()
    return _ack(_DOUYIN_ACK)


async def _douyin_reject(request: Request, text: str, event: str, shop_id: int | None,
                         headers: dict, reason: str, status: int) -> Response:
    inbox_id = await _store(request, RawMessage(
        source=DOUYIN, kind=event, body=text, shop_id=shop_id,
        headers=_headers(request, {**headers, "verified": False}), status="rejected",
        error=reason))
    if inbox_id is None:
        return _unavailable()
    log.warning("douyin webhook rejected (inbox %s): %s", inbox_id, reason)
    return JSONResponse({"err_no": status, "err_tips": reason}, status_code=status)


routes = [
    Route(MEITUAN_PATH, meituan_push, methods=["POST", "GET"]),
    Route(DOUYIN_PATH, douyin_webhook, methods=["POST"]),
]
