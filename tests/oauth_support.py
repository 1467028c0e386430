"""A small test-only e-commerce platform ("oauthtest") for the OAuth / stream / refund-pull tests:
its adapter offers only the optional capabilities of integrations.ecommerce_contract, and each of
them talks over real HTTP to a tiny Starlette app on 127.0.0.1 (PlatformServer) that plays the
platform: authorize page, token endpoint, a message stream with confirm, a paged refund list.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from integrations import registry
from integrations.base import PlatformError
from integrations.ecommerce_contract import Grant, RefundPage, StreamMessage
from integrations.sandbox.server import ServerThread
from qihang_app.domain.partners import PlatformProfile
from qihang_app.domain.platform_order import PlatformRefund, RefundKind, RefundStatus

CODE = "oauthtest"
PROFILE = PlatformProfile(
    code=CODE,
    name_zh="测试电商",
    name_en="Test shop platform",
    write_backs=frozenset(),
    instant_retail=False,
    pullable=False,
    authorizes=True,
    streams=True,
    refunds_pullable=True,
)


@dataclass
class PlatformServer:
    """The platform's side: what it issued, what it holds for the stream, what it was asked."""

    shop_id: str = "seller-1"
    access_seconds: int = 3600
    refresh_seconds: int = 30 * 86400
    refuse_refresh: bool = False
    ask: bool = False  # show an authorize page with a button (the browser test) instead of approving
    codes: dict[str, str] = field(default_factory=dict)  # code → shop id
    issued: int = 0
    pending: list[dict] = field(default_factory=list)  # stream messages not yet confirmed
    confirmed: list[str] = field(default_factory=list)
    refunds: list[dict] = field(default_factory=list)
    fail_refund_page: int = 0  # answer 500 on this page (1-based); 0 = never
    refund_windows: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    async def authorize(self, request: Request):
        """The platform's authorize page: approves at once, or (`ask`) shows a 同意授权 button."""
        q = request.query_params
        code = f"code-{len(self.codes) + 1}"
        with self.lock:
            self.codes[code] = self.shop_id
        back = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"
        if not self.ask:
            return RedirectResponse(back, 302)
        page = (
            '<!doctype html><meta name="viewport" content="width=device-width"><title>测试电商 授权</title>'
            f"<h3>测试电商 · 授权给 {html.escape(q.get('client_id', ''))}</h3>"
            f'<a id="approve" href="{html.escape(back)}">同意授权</a>'
        )
        return HTMLResponse(page)

    async def token(self, request: Request):
        form = await request.form()
        with self.lock:
            if form.get("grant_type") == "authorization_code":
                shop = self.codes.pop(str(form.get("code")), None)
                if shop is None:
                    return JSONResponse({"error": "invalid_grant"}, status_code=400)
            else:
                if self.refuse_refresh or not str(form.get("refresh_token", "")).startswith("refresh-"):
                    return JSONResponse({"error": "invalid_grant"}, status_code=400)
                shop = self.shop_id
            self.issued += 1
            n = self.issued
        return JSONResponse(
            {
                "access_token": f"access-{n}",
                "expires_in": self.access_seconds,
                "refresh_token": f"refresh-{n}",
                "refresh_expires_in": self.refresh_seconds,
                "shop_id": shop,
            }
        )

    async def stream(self, request: Request):
        with self.lock:
            batch = [m for m in self.pending if m["id"] not in self.confirmed][:3]
        return JSONResponse({"messages": batch})

    async def confirm(self, request: Request):
        ids = (await request.json())["ids"]
        with self.lock:
            self.confirmed.extend(ids)
        return JSONResponse({"ok": True})

    async def refund_list(self, request: Request):
        q = request.query_params
        page = int(q.get("page", "1"))
        with self.lock:
            self.refund_windows.append((q["start"], q["end"]))
        if page == self.fail_refund_page:
            return JSONResponse({"error": "busy"}, status_code=500)
        rows = self.refunds[(page - 1) * 2 : page * 2]
        return JSONResponse({"refunds": rows, "has_next": page * 2 < len(self.refunds)})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/stream", self.stream),
                Route("/confirm", self.confirm, methods=["POST"]),
                Route("/refunds", self.refund_list),
            ]
        )


def _grant(body: dict) -> Grant:
    now = datetime.now(UTC)
    return Grant(
        access_token=body["access_token"],
        expires_at=now + timedelta(seconds=int(body["expires_in"])),
        refresh_token=body.get("refresh_token", ""),
        refresh_expires_at=now + timedelta(seconds=int(body["refresh_expires_in"])),
        platform_shop_id=body.get("shop_id", ""),
    )


async def _token_call(shop, data: dict) -> Grant:
    async with httpx.AsyncClient(base_url=shop.credentials["base_url"], timeout=5, trust_env=False) as http:
        response = await http.post("/token", data=data)
    if response.status_code != 200:
        raise PlatformError(CODE, response.json().get("error", "error"), "token refused")
    return _grant(response.json())


class OAuth:
    def authorize_url(self, shop, redirect_uri: str, state: str) -> str:
        query = {"client_id": shop.app_key, "redirect_uri": redirect_uri, "state": state}
        return f"{shop.credentials['auth_url']}?{urlencode(query)}"

    async def exchange_code(self, shop, code: str, redirect_uri: str) -> Grant:
        return await _token_call(shop, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    async def refresh(self, shop) -> Grant:
        refresh = shop.credentials.get("refresh_token", "")
        return await _token_call(shop, {"grant_type": "refresh_token", "refresh_token": refresh})


class Stream:
    def __init__(self) -> None:
        self.crash_before_confirm = False

    async def messages(self, client, shop):
        while True:
            response = await client.get("/stream")
            batch = response.json()["messages"]
            if not batch:
                return  # the connection closed
            yield [StreamMessage("order", m["body"], m["id"], m.get("shop", ""), m["id"]) for m in batch]

    async def confirm(self, client, shop, confirm_ids: list[str]) -> None:
        if self.crash_before_confirm:
            raise ConnectionResetError("dropped before confirm")
        await client.post("/confirm", json={"ids": confirm_ids})


class RefundPull:
    async def pull(self, client, shop, window):
        page = 1
        while True:
            params = {"start": window.start.isoformat(), "end": window.end.isoformat(), "page": page}
            response = await client.get("/refunds", params=params)
            if response.status_code != 200:
                raise PlatformError(CODE, "500", "refund list failed", retryable=True)
            body = response.json()
            yield RefundPage([_refund(shop, r) for r in body["refunds"]])
            if not body["has_next"]:
                return
            page += 1


def _refund(shop, r: dict) -> PlatformRefund:
    return PlatformRefund(
        platform=CODE,
        platform_shop_id=shop.platform_shop_id,
        platform_refund_id=r["id"],
        platform_order_id=r["order"],
        kind=RefundKind.FULL,
        status=RefundStatus(r["status"]),
        amount_fen=r["fen"],
        updated_at=datetime.fromisoformat(r["at"]),
        raw=r,
    )


class Adapter:
    profile = PROFILE
    webhooks = ()
    rate_limit_codes = frozenset()
    credential_codes = frozenset()

    def __init__(self) -> None:
        self.oauth, self.stream, self.refund_pull = OAuth(), Stream(), RefundPull()

    def client(self, shop, *, on_token=None, retry=None):
        return httpx.AsyncClient(base_url=shop.credentials["base_url"], timeout=5, trust_env=False)

    def credentials_fingerprint(self, shop) -> tuple:
        return (shop.credentials.get("base_url"), shop.credentials.get("access_token"))

    def parse_push(self, kind: str, body: str):
        from integrations.contract import ParsedPush

        return ParsedPush(events=[], source=f"stream {kind}")


@pytest.fixture
def platform_server():
    server = PlatformServer()
    with ServerThread(server.app()) as thread:
        server.url = thread.url
        yield server


@pytest.fixture
def test_platform():
    adapter = registry.register(Adapter())
    yield adapter
    registry.unregister(CODE)


def shop_credentials(server: PlatformServer) -> dict:
    return {"app_key": "app-1", "app_secret": "s3cret", "base_url": server.url, "auth_url": server.url + "/authorize"}
