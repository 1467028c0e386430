"""Fixtures and helpers for the ingest tests (tests/api, tests/workers): a loopback sandbox, the
real webhook routes under uvicorn, shops that exist on both sides, a worker context on a
dedicated Redis database, and "does the order center equal the sandbox truth" checks.

Import with `from tests.ingest_support import *` in a conftest.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
import redis as sync_redis
from arq import create_pool
from arq.connections import RedisSettings
from sqlmodel import Session, select

from integrations.base import RetryPolicy
from integrations.sandbox.app import create_app
from integrations.sandbox.server import ServerThread
from qihang_app.api.routes import build_api
from qihang_app.models import InboxMessage, Order, utcnow
from qihang_app.services import inbox as inbox_service
from qihang_app.services import stores as store_service
from tests.conftest import IN_CI
from tests.services.factories import make_actor

TEST_REDIS_DB = int(os.environ.get("QH_TEST_REDIS_DB", "11"))
REDIS_BASE = os.environ.get("QH_TEST_REDIS", "redis://127.0.0.1:6379")
FAST_RETRY = RetryPolicy(
    max_attempts=3, base_delay=0.02, max_delay=0.1, jitter=0.5, attempt_timeout=3.0, total_timeout=8.0
)

# Sandbox stage → the status the order center must end with. Meituan's detail answers 9
# ("cancelled") for a fully refunded order too, so when a refund push is lost and the sweep reads
# the detail first, a closed order shows as cancelled (terminal either way): both are accepted.
TRUTH = {
    "douyin_laike": {
        "awaiting_accept": {"awaiting_accept"},
        "accepted": {"to_ship"},
        "delivering": {"shipped"},
        "completed": {"completed"},
        "cancelled": {"cancelled"},
        "closed": {"closed"},
    },
    "meituan": {
        "awaiting_accept": {"awaiting_accept"},
        "accepted": {"to_ship"},
        "delivering": {"shipped"},
        "completed": {"completed"},
        "cancelled": {"cancelled"},
        "closed": {"closed", "cancelled"},
    },
}


def deadline_loop(seconds: float, step: float = 0.05):
    """for _ in deadline_loop(5): ... — yields until the time is up (every loop is bounded)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        yield
        time.sleep(step)


# -- Redis ------------------------------------------------------------------------------------


@pytest.fixture
def redis_url():
    """A Redis database of its own (QH_TEST_REDIS_DB, default 11), flushed before and after."""
    url = f"{REDIS_BASE}/{TEST_REDIS_DB}"
    client = sync_redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except sync_redis.exceptions.ConnectionError as exc:
        client.close()
        if IN_CI:
            pytest.fail(f"Redis unreachable at {url}: {exc}")
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
async def arq_redis(redis_url):
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    yield pool
    await pool.aclose()


@pytest.fixture
async def ctx(engine, arq_redis):
    """What arq hands a task, for calling tasks directly."""
    context = {
        "engine": engine,
        "redis": arq_redis,
        "retry_policy": FAST_RETRY,
        "worker_id": "test",
        "host": "test",
        "pid": os.getpid(),
        "jobs_done": 0,
    }
    yield context
    from integrations.http import close_http_client

    await close_http_client()


# -- sandbox and the OMS side -----------------------------------------------------------------


@dataclass
class Sandbox:
    url: str
    control: httpx.Client

    def stats(self) -> dict:
        return self.control.get("/stats").json()

    def wait_pushes(self, seconds: float = 15.0) -> None:
        """Until the push sender has nothing in flight (held/retried pushes included)."""
        quiet = 0
        for _ in deadline_loop(seconds, 0.05):
            quiet = quiet + 1 if self.stats()["pushes_in_flight"] == 0 else 0
            if quiet >= 3:
                return
        raise AssertionError("sandbox pushes still in flight")

    def orders(self, platform: str, shop_id: str) -> list[dict]:
        return self.control.get("/orders", params={"platform": platform, "shop_id": shop_id, "limit": 100000}).json()

    def fault(self, kind: str, **rule) -> None:
        response = self.control.post("/faults", json={"kind": kind, **rule})
        assert response.status_code == 201, response.text


@pytest.fixture(scope="session")
def sandbox():
    with ServerThread(create_app(seed=20261122)) as server:
        with httpx.Client(base_url=server.url + "/_control", timeout=10, trust_env=False) as control:
            yield Sandbox(server.url, control)


@pytest.fixture(autouse=True)
def _sandbox_clean(request):
    yield
    if "sandbox" in request.fixturenames:
        sb = request.getfixturevalue("sandbox")
        sb.control.delete("/faults")
        sb.control.post("/stream/stop")
        sb.control.post("/rate", json={"rate": 0})
        sb.control.post(
            "/timing",
            json={
                "time_scale": 1.0,
                "ratios": {"scheduled": 0.1, "cancel": 0.05, "refund": 0.05, "platform_delivery": 0.7, "pickup": 0.05},
            },
        )


@dataclass
class ShopPair:
    platform: str
    sandbox: dict  # the sandbox's view (shop_id, app_id, secret, ...)
    shop_id: int  # the OMS shop id
    store_id: int

    @property
    def platform_shop_id(self) -> str:
        return self.sandbox["shop_id"]


@dataclass
class Oms:
    engine: object
    api_url: str
    sandbox: Sandbox
    admin: object
    store_id: int
    shops: list[ShopPair] = field(default_factory=list)

    def add_shop(
        self, platform: str, *, secret: str | None = None, enabled: bool = True, **sandbox_settings
    ) -> ShopPair:
        response = self.sandbox.control.post(
            "/shops", json={"platform": platform, "callback_base": self.api_url, **sandbox_settings}
        )
        assert response.status_code == 201, response.text
        sb = response.json()
        base = self.sandbox.url + "/meituan/api/v1/" if platform == "meituan" else self.sandbox.url + "/douyin"
        with Session(self.engine) as session:
            view = store_service.create_shop(
                session,
                actor=self.admin,
                store_id=self.store_id,
                platform=platform,
                platform_shop_id=sb["shop_id"],
                name=sb["name"],
                enabled=enabled,
                credentials={"app_key": sb["app_id"], "app_secret": secret or sb["secret"], "base_url": base},
            )
            session.commit()
        pair = ShopPair(platform, sb, view.id, self.store_id)
        self.shops.append(pair)
        return pair

    def new_order(self, pair: ShopPair, **options) -> dict:
        response = self.sandbox.control.post(
            "/orders", json={"platform": pair.platform, "shop_id": pair.platform_shop_id, **options}
        )
        assert response.status_code == 201, response.text
        return response.json()

    def orders(self, pair: ShopPair | None = None) -> list[Order]:
        with Session(self.engine) as session:
            query = select(Order)
            if pair is not None:
                query = query.where(Order.shop_id == pair.shop_id)
            return list(session.exec(query.order_by(Order.id)).all())

    def inbox(self, **where) -> list[InboxMessage]:
        with Session(self.engine) as session:
            query = select(InboxMessage).order_by(InboxMessage.id)
            for name, value in where.items():
                query = query.where(getattr(InboxMessage, name) == value)
            return list(session.exec(query).all())

    def mismatches(self, pairs: list[ShopPair] | None = None) -> list[str]:
        """Differences between the order center and the sandbox truth ([] when equal)."""
        problems = []
        for pair in pairs or self.shops:
            truth = {o["order_id"]: o for o in self.sandbox.orders(pair.platform, pair.platform_shop_id)}
            stored = self.orders(pair)
            ids = [o.platform_order_id for o in stored]
            if len(ids) != len(set(ids)):
                problems.append(f"{pair.platform}: duplicated orders")
            seen = {o.platform_order_id: o for o in stored}
            for order_id, order in truth.items():
                mine = seen.get(order_id)
                if mine is None:
                    problems.append(f"{pair.platform} {order_id}: missing ({order['stage']})")
                    continue
                allowed = TRUTH[pair.platform][order["stage"]]
                if mine.status not in allowed:
                    problems.append(
                        f"{pair.platform} {order_id}: {mine.status}, truth {order['stage']} → {sorted(allowed)}"
                    )
                if mine.paid_fen != order["paid_fen"]:
                    problems.append(f"{pair.platform} {order_id}: paid {mine.paid_fen} != {order['paid_fen']}")
            extra = set(seen) - set(truth)
            if extra:
                problems.append(f"{pair.platform}: {len(extra)} orders the platform never had")
        return problems


@pytest.fixture
def oms(engine, redis_url, sandbox):
    app = build_api(engine=engine, redis_url=redis_url)
    with ServerThread(app) as server:
        with Session(engine) as session:
            admin = make_actor(session, "root", "admin")
            store = store_service.create_store(session, actor=admin, name="测试门店")
            session.commit()
            store_id = store.id
        yield Oms(engine=engine, api_url=server.url, sandbox=sandbox, admin=admin, store_id=store_id)
        app.state.webhooks.writer.close()


# -- running the worker's code in-process -----------------------------------------------------


async def drain_all(ctx: dict, *, seconds: float = 20.0) -> int:
    """Process every received inbox row (what ingest jobs + the drain cron do), until none is
    left or only rows waiting for a retry remain. Returns the rows processed."""
    from workers.tasks.ingest import process_rows

    done = 0
    end = time.monotonic() + seconds
    seen_retry: set[int] = set()
    while time.monotonic() < end:
        with Session(ctx["engine"]) as session:
            ids = inbox_service.pending_ids(session, older_than=utcnow() + timedelta(seconds=5), limit=1000)
        ids = [i for i in ids if i not in seen_retry]
        if not ids:
            return done
        result = await process_rows(ctx, ids)
        done += result.processed
        if result.processed == 0 and result.failed == 0 and result.rejected == 0:
            seen_retry.update(ids)
        await asyncio.sleep(0)
    raise AssertionError("inbox did not drain in time")


async def wait_until(predicate: Callable[[], bool], seconds: float = 10.0, step: float = 0.05) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()
