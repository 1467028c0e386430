"""deploy/ as it runs in production, on loopback: Debian's nginx in front of two Reflex backend
processes (tab state in Redis), two arq workers, PostgreSQL, APP_ENV=prod with real keys.

A board connected through each app process sees a pushed order; one app process stops and its
board reconnects through nginx to the other and keeps working; the two workers share the queue;
every order the platform sent is in the order center exactly once. Figures are printed (-s)."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import httpx
import pytest
import redis
import sqlalchemy as sa
from playwright.sync_api import expect
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from integrations.sandbox.app import DEMO_SHOPS, create_app
from integrations.sandbox.server import ServerThread
from qihang_app import metrics
from tests.conftest import IN_CI, TEST_POSTGRES_URL
from tests.e2e.conftest import PHONE, browser, e2e_redis, login  # noqa: F401  (fixtures)
from tests.ops.layout import NGINX, Layout, prod_env
from tests.ops.processes import free_port

pytestmark = pytest.mark.timeout(1800)
MEITUAN = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
FIGURES: dict[str, float] = {}


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the production layout test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def layout(postgres_server, e2e_redis, tmp_path_factory):  # noqa: F811
    if not Path(NGINX).exists():
        _missing("nginx is not installed (scripts/setup.sh --test installs Debian's nginx)")
    if isinstance(postgres_server, str):
        _missing(postgres_server)
    name = f"qihang_layout_{secrets.token_hex(4)}"
    with postgres_server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    work = tmp_path_factory.mktemp("layout")
    marker = f"qh-layout-{secrets.token_hex(6)}"
    nginx_port = free_port()
    env = prod_env(
        database_url=database_url,
        redis_url=e2e_redis,
        work=work,
        public_url=f"http://127.0.0.1:{nginx_port}",
        marker=marker,
    )
    lay = Layout(work=work, env=env, marker=marker, nginx_port=nginx_port)
    sandbox = ServerThread(create_app(callback_base=lay.url, demo_shops=True, seed=16)).start()
    try:
        lay.run("-m", "alembic", "upgrade", "head")
        lay.run("-m", "scripts.bootstrap_admin")
        lay.run("-m", "scripts.demo_seed", "--sandbox-url", sandbox.url)
        started = time.monotonic()
        lay.run("-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod")
        FIGURES["frontend build s"] = time.monotonic() - started
        lay.app_ports = [free_port(), free_port()]
        apps = [lay.start_app(n, p) for n, p in zip(("app-a", "app-b"), lay.app_ports, strict=True)]
        workers = [lay.start_worker("worker-1"), lay.start_worker("worker-2")]
        proxy = lay.start_nginx()
        for app, port in zip(apps, lay.app_ports, strict=True):
            FIGURES[f"{app.name} start s"] = lay.wait(f"http://127.0.0.1:{port}/api/version", app)
        lay.wait(f"{lay.url}/api/version", proxy, 30)
        lay.wait(f"{lay.url}/login", proxy, 30)
        assert all(w.popen.poll() is None for w in workers)
        yield lay, sandbox.url
    finally:
        lay.close()
        sandbox.stop()
        # the browser tests share this Redis database later: leave no job, state or count behind
        redis.Redis.from_url(e2e_redis).flushdb()
        with postgres_server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print("\nproduction layout figures:", json.dumps({k: round(v, 2) for k, v in FIGURES.items()}))


def board_counts(lay: Layout, client: redis.Redis) -> dict[str, int]:
    """Open boards per app process, as each process reports them for /metrics."""
    counts = dict.fromkeys(("app-a", "app-b"), 0)
    for key in client.scan_iter(match=metrics.BOARDS + "*"):
        app = lay.app_of(int(key.decode().rsplit(":", 1)[-1]))
        if app in counts:
            counts[app] += int(client.get(key) or 0)
    return counts


def wait_counts(lay: Layout, client: redis.Redis, predicate, seconds: float = 30) -> dict[str, int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts = board_counts(lay, client)
        if predicate(counts):
            return counts
        time.sleep(0.2)
    raise AssertionError(f"board counts never matched: {board_counts(lay, client)}")


def push_order(sandbox: str) -> dict:
    response = httpx.post(
        f"{sandbox}/_control/orders",
        json={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "delivery_type": "platform"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def card(page, order: dict):
    return page.locator("#board-list .qh-card", has_text=f"#{order['day_seq']}").filter(has_text="美团")


def test_two_app_processes_behind_nginx_share_the_boards_and_survive_one_stopping(layout, browser):  # noqa: F811
    lay, sandbox = layout
    client = redis.Redis.from_url(lay.env["REDIS_URL"])
    pages: dict[str, object] = {}
    for _ in range(4):  # least_conn sends the second websocket to the other process
        before = board_counts(lay, client)
        page = browser.new_context(viewport=PHONE).new_page()
        login(page, lay.url, "admin", lay.env["ADMIN_PASSWORD"])
        after = wait_counts(lay, client, lambda c, b=before: sum(c.values()) > sum(b.values()))
        app = next(name for name in after if after[name] > before[name])
        pages.setdefault(app, page)
        if len(pages) == 2:
            break
    assert set(pages) == {"app-a", "app-b"}, board_counts(lay, client)

    first = push_order(sandbox)
    started = time.monotonic()
    for app, page in pages.items():
        expect(card(page, first)).to_be_visible(timeout=30_000)
        FIGURES[f"push → card via {app} s"] = time.monotonic() - started

    # app-a stops: its board reconnects through nginx to app-b and keeps working
    stopped = time.monotonic()
    lay.stop("app-a")
    wait_counts(lay, client, lambda c: c["app-b"] >= 2, seconds=60)
    FIGURES["board back on app-b after app-a stopped s"] = time.monotonic() - stopped
    second = push_order(sandbox)
    started = time.monotonic()
    for page in pages.values():
        expect(card(page, second)).to_be_visible(timeout=30_000)
    FIGURES["push → card on both boards after failover s"] = time.monotonic() - started
    expect(card(pages["app-a"], first)).to_be_visible()  # what it showed before is still there

    # a burst through nginx and the remaining app process: both workers take jobs, none is lost
    burst = [push_order(sandbox) for _ in range(20)]
    started = time.monotonic()
    truth = _sandbox_orders(sandbox)
    assert {o["order_id"] for o in burst} <= truth
    stored = _wait_for_orders(lay, truth)
    FIGURES["burst of 20 stored s"] = time.monotonic() - started
    assert sorted(stored) == sorted(truth)  # each exactly once
    # /metrics through nginx (from loopback: allowed) counts for every process
    scraped = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(httpx.get(f"{lay.url}/metrics", timeout=10).text)
        for s in family.samples
    }
    assert scraped["qihang_orders_ingested_total", (("platform", "meituan"),)] == len(truth)
    assert scraped["qihang_board_connections", ()] >= 2
    assert scraped["qihang_ingest_latency_seconds_count", ()] >= len(truth)
    jobs = {name: lay.procs[name].log.read_text().count(":ingest_inbox(") for name in ("worker-1", "worker-2")}
    FIGURES.update({f"{name} ingest jobs": n for name, n in jobs.items()})
    assert all(n > 0 for n in jobs.values()), jobs
    expect(card(pages["app-b"], burst[-1])).to_be_visible(timeout=30_000)


def _sandbox_orders(sandbox: str) -> set[str]:
    rows = httpx.get(
        f"{sandbox}/_control/orders", params={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "limit": 100000}
    ).json()
    return {row["order_id"] for row in rows}


def _wait_for_orders(lay: Layout, truth: set[str], seconds: float = 90) -> list[str]:
    engine = sa.create_engine(lay.env["DATABASE_URL"])
    try:
        deadline = time.monotonic() + seconds
        while True:
            with engine.connect() as conn:
                stored = (
                    conn.execute(sa.text("select platform_order_id from orders where platform = 'meituan'"))
                    .scalars()
                    .all()
                )
            if set(stored) >= truth or time.monotonic() > deadline:
                return list(stored)
            time.sleep(0.5)
    finally:
        engine.dispose()
