"""Fixtures: one sandbox and one push receiver per session, both on 127.0.0.1 in threads.

Every test makes its own shops (unique ids), so tests do not see each other's orders; faults are
cleared after each test. Each test is capped at 30 s so a hang fails fast instead of blocking.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations.base import RetryPolicy
from integrations.douyin_laike.client import DouyinLaikeClient
from integrations.douyin_laike.spec import ACK_BODY
from integrations.meituan.client import MeituanClient
from integrations.sandbox.app import create_app
from integrations.sandbox.server import ServerThread

# Small backoff so retry tests take milliseconds, yet every attempt and the total stay bounded.
FAST_RETRY = RetryPolicy(
    max_attempts=3, base_delay=0.01, max_delay=0.05, jitter=0.5, attempt_timeout=2.0, total_timeout=8.0
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integrations" in str(item.fspath).replace("\\", "/") and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(30))


# ---- push receiver: a tiny stand-in for the OMS webhook routes ---------------------------------


@dataclass
class ReceivedPush:
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)  # decoded once, like a web framework
    query: str = ""  # the URL's query string (some carriers sign there)


class Receiver:
    def __init__(self) -> None:
        self.pushes: list[ReceivedPush] = []
        self._lock = threading.Lock()
        self.url = ""

    async def endpoint(self, request: Request) -> JSONResponse:
        body = await request.body()
        form = {}
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        with self._lock:
            self.pushes.append(ReceivedPush(request.url.path, dict(request.headers), body, form, request.url.query))
        if request.url.path.startswith("/api/webhooks/meituan/"):
            return JSONResponse({"data": "ok"})
        return JSONResponse(ACK_BODY)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.endpoint, methods=["POST"])])

    def matching(self, predicate: Callable[[ReceivedPush], bool]) -> list[ReceivedPush]:
        with self._lock:
            return [p for p in self.pushes if predicate(p)]

    async def wait_for(
        self, predicate: Callable[[ReceivedPush], bool], count: int = 1, timeout: float = 5.0
    ) -> list[ReceivedPush]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.matching(predicate)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.02)


@pytest.fixture(scope="session")
def receiver():
    recv = Receiver()
    with ServerThread(recv.app()) as server:
        recv.url = server.url
        yield recv


@pytest.fixture(scope="session")
def sandbox_url(receiver):
    with ServerThread(create_app(seed=20240501, callback_base=receiver.url)) as server:
        yield server.url


@pytest.fixture(scope="session")
def control(sandbox_url):
    with httpx.Client(base_url=sandbox_url + "/_control", timeout=10, trust_env=False) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean_faults(request):
    yield
    if "control" in request.fixturenames:
        request.getfixturevalue("control").delete("/faults")


@pytest.fixture
async def http():
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


# ---- shops and clients -------------------------------------------------------------------------


@pytest.fixture
def make_shop(control):
    def make(platform: str, **settings) -> dict:
        response = control.post("/shops", json={"platform": platform, **settings})
        assert response.status_code == 201, response.text
        return response.json()

    return make


@pytest.fixture
def meituan_shop(make_shop):
    return make_shop("meituan")


@pytest.fixture
def douyin_shop(make_shop):
    return make_shop("douyin_laike")


@pytest.fixture
def meituan_for(sandbox_url, http):
    def build(
        shop: dict, *, secret: str | None = None, app_id: str | None = None, retry: RetryPolicy = FAST_RETRY
    ) -> MeituanClient:
        return MeituanClient(
            app_id or shop["app_id"],
            secret or shop["secret"],
            base_url=sandbox_url + "/meituan/api/v1/",
            http=http,
            retry=retry,
            shop=shop["shop_id"],
        )

    return build


@pytest.fixture
def douyin_for(sandbox_url, http):
    def build(
        shop: dict,
        *,
        secret: str | None = None,
        account_id: str | None = None,
        retry: RetryPolicy = FAST_RETRY,
        **kwargs,
    ) -> DouyinLaikeClient:
        return DouyinLaikeClient(
            shop["app_id"],
            secret or shop["secret"],
            account_id or shop["shop_id"],
            base_url=sandbox_url + "/douyin",
            http=http,
            retry=retry,
            **kwargs,
        )

    return build


@pytest.fixture
def new_order(control):
    def create(shop: dict, **options) -> dict:
        response = control.post("/orders", json={"platform": shop["platform"], "shop_id": shop["shop_id"], **options})
        assert response.status_code == 201, response.text
        return response.json()

    return create


@pytest.fixture
def truth(control):
    def read(platform: str, order_id: str) -> dict:
        response = control.get(f"/orders/{platform}/{order_id}")
        assert response.status_code == 200, response.text
        return response.json()

    return read
