"""Reliability under our own processes failing: real arq worker processes killed with SIGKILL
again and again during a run of ~1.2k orders, and Redis flushed in the middle of a run (queue,
locks and cron marks gone). The order center ends equal to the sandbox's truth, every order
exactly once.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from integrations.meituan.client import MeituanClient
from qihang_app.config import ROOT
from qihang_app.models import InboxMessage, Shop
from tests.ingest_support import deadline_loop

# -- real worker processes ----------------------------------------------------------------------


class Workers:
    """`arq workers.settings.WorkerSettings` subprocesses pointed at the test database and Redis."""

    def __init__(self, db_url: str, redis_url: str, logs: Path, count: int) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "APP_ENV": "test",
            "PYTHONUNBUFFERED": "1",
            "HEARTBEAT_SECONDS": "5",
        }
        self.logs = logs
        self.procs: list[subprocess.Popen | None] = [None] * count
        self.kills = 0

    def start(self, index: int) -> None:
        log = open(self.logs / f"worker-{index}.log", "a")
        self.procs[index] = subprocess.Popen(
            [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def start_all(self) -> None:
        for index in range(len(self.procs)):
            self.start(index)

    def kill(self, index: int) -> None:
        proc = self.procs[index]
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            self.kills += 1

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            if proc is None:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def tail(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture
def workers(db_url, redis_url, tmp_path):
    created: list[Workers] = []

    def make(count: int) -> Workers:
        w = Workers(db_url, redis_url, tmp_path, count)
        created.append(w)
        return w

    yield make
    for w in created:
        w.stop_all()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def stack(engine, db_url, redis_url, tmp_path):
    """The sandbox and the webhook routes in processes of their own, as in production (one
    process would make them share one interpreter lock with the test)."""
    from qihang_app.services import stores as store_service
    from tests.ingest_support import Oms, Sandbox
    from tests.services.factories import make_actor

    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "APP_ENV": "test", "PYTHONUNBUFFERED": "1"}
    sandbox_port, api_port = _free_port(), _free_port()
    commands = {
        "sandbox": [
            sys.executable,
            "-m",
            "integrations.sandbox",
            "--port",
            str(sandbox_port),
            "--seed",
            "5",
            "--no-demo-shops",
        ],
        "api": [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "qihang_app.api.routes:build_api",
            "--host",
            "127.0.0.1",
            "--port",
            str(api_port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
    }
    procs = []
    for name, command in commands.items():
        with open(tmp_path / f"{name}.log", "w") as log:
            procs.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
    sandbox_url, api_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{api_port}"
    try:
        for url in (sandbox_url + "/_control/health", api_url + "/api/version"):
            for _ in deadline_loop(30, 0.1):
                try:
                    if httpx.get(url, trust_env=False, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            else:
                raise RuntimeError(f"{url} did not answer")
        with Session(engine) as session:
            admin = make_actor(session, "root", "admin")
            store_id = store_service.create_store(session, actor=admin, name="压测门店").id
            session.commit()
        with httpx.Client(base_url=sandbox_url + "/_control", timeout=30, trust_env=False) as control:
            yield Oms(
                engine=engine, api_url=api_url, sandbox=Sandbox(sandbox_url, control), admin=admin, store_id=store_id
            )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _fast_sweeps(engine, pairs, seconds: int = 5) -> None:
    """Test-only: sweep every few seconds (the UI allows ≥ 60 s)."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(Shop).where(Shop.id.in_([p.shop_id for p in pairs])).values(sweep_interval_seconds=seconds)
        )


def _stream(oms, pairs, *, rate: float, seconds: float, confirm_share: float) -> int:
    """Stream orders from the sandbox; merchants accept a share of them meanwhile."""
    control = oms.sandbox.control
    control.post("/timing", json={"time_scale": 0.02, "ratios": {"cancel": 0.1, "refund": 0.1}})
    for pair in pairs:
        control.post("/rate", json={"platform": pair.platform, "shop_id": pair.platform_shop_id, "rate": rate})
    control.post("/stream/start")
    rng = random.Random(7)
    confirmed: set[str] = set()
    end = time.monotonic() + seconds
    with httpx.Client(trust_env=False, timeout=10) as http:
        clients = _sync_confirmers(oms, pairs, http)
        while time.monotonic() < end:
            time.sleep(0.5)
            for pair in pairs:
                fresh = control.get(
                    "/orders",
                    params={
                        "platform": pair.platform,
                        "shop_id": pair.platform_shop_id,
                        "stage": "awaiting_accept",
                        "limit": 120,
                    },
                ).json()
                for order in fresh:
                    if order["order_id"] in confirmed:
                        continue
                    confirmed.add(order["order_id"])
                    if rng.random() < confirm_share:
                        clients[pair.platform_shop_id](order["order_id"])
    control.post("/stream/stop")
    total = sum(len(oms.sandbox.orders(p.platform, p.platform_shop_id)) for p in pairs)
    return total


def _sync_confirmers(oms, pairs, http):
    """Accept orders through the platform APIs (sync, from the streaming loop)."""
    confirmers = {}
    for pair in pairs:
        if pair.platform == "meituan":
            client = MeituanClient(
                pair.sandbox["app_id"], pair.sandbox["secret"], base_url=oms.sandbox.url + "/meituan/api/v1/"
            )

            def confirm(order_id, client=client):
                query, form = client.signed_params("order/confirm", {"order_id": order_id})
                http.post(client.base_url + "order/confirm", params=query, data=form)
        else:
            token = http.post(
                oms.sandbox.url + "/douyin/oauth/client_token/",
                json={
                    "client_key": pair.sandbox["app_id"],
                    "client_secret": pair.sandbox["secret"],
                    "grant_type": "client_credential",
                },
            ).json()["data"]["access_token"]

            def confirm(order_id, pair=pair, token=token):
                http.post(
                    oms.sandbox.url + "/douyin/goodlife/v1/trade/buy/merchant_confirm_order",
                    json={"order_id": order_id, "account_id": pair.platform_shop_id},
                    headers={"access-token": token},
                )

        confirmers[pair.platform_shop_id] = confirm
    return confirmers


def _wait_equal(oms, pairs, seconds: float, workers: Workers) -> None:
    problems: list[str] = ["pushes still in flight"]
    for _ in deadline_loop(seconds, 1.0):
        in_flight = oms.sandbox.stats()["pushes_in_flight"]
        if os.environ.get("QH_DEBUG"):
            print(round(time.monotonic(), 1), "in flight", in_flight, _inbox_settled(oms.engine))
        if in_flight:
            continue
        problems = oms.mismatches(pairs)
        if os.environ.get("QH_DEBUG"):
            print(round(time.monotonic(), 1), len(problems), problems[:2], _inbox_settled(oms.engine))
        if not problems:
            return
    raise AssertionError(
        f"{len(problems)} differences, e.g. {problems[:5]}\nsandbox: {oms.sandbox.stats()}\n{workers.tail()}"
    )


def _inbox_settled(engine) -> dict:
    with Session(engine) as session:
        rows = session.exec(select(InboxMessage.status, sa.func.count()).group_by(InboxMessage.status)).all()
    return dict(rows)


@pytest.mark.timeout(330)
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_workers_killed_with_sigkill_lose_and_duplicate_nothing(stack, workers, engine):
    oms = stack
    # four shops: the sandbox pushes each shop's messages one after another, so more shops
    # means more pushes in flight at once
    pairs = [oms.add_shop(p) for p in ("meituan", "douyin_laike", "meituan", "douyin_laike")]
    _fast_sweeps(engine, pairs)
    procs = workers(2)
    procs.start_all()
    stop = threading.Event()

    def killer() -> None:
        rng = random.Random(11)
        while not stop.wait(rng.uniform(0.8, 1.6)):
            index = rng.randrange(len(procs.procs))
            procs.kill(index)
            procs.start(index)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        total = _stream(oms, pairs, rate=30, seconds=9, confirm_share=0.3)
        time.sleep(2)  # rider and buyer moves still playing out, workers still dying
    finally:
        stop.set()
        thread.join(10)
    assert total >= 1000 and procs.kills >= 5, (total, procs.kills)
    started = time.monotonic()
    _wait_equal(oms, pairs, 180, procs)  # returns as soon as it converges; a loaded machine is slow
    print(
        f"\n{total} orders, {procs.kills} SIGKILLs, equal to the truth "
        f"{time.monotonic() - started:.1f} s after the stream; inbox {_inbox_settled(engine)}"
    )
    settled = _inbox_settled(engine)
    assert settled.get("failed", 0) == 0 and settled.get("rejected", 0) == 0, settled
    with Session(engine) as session:  # exactly once
        dupes = session.exec(
            sa.text("select platform_order_id from orders group by shop_id, platform_order_id having count(*) > 1")
        ).all()
    assert dupes == []


@pytest.mark.timeout(180)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_redis_flushed_mid_run_loses_no_order(stack, workers, engine, redis_url):
    import redis as sync_redis

    oms = stack
    pairs = [oms.add_shop(p) for p in ("meituan", "douyin_laike", "meituan", "douyin_laike")]
    _fast_sweeps(engine, pairs)
    for pair in pairs:  # some pushes never arrive: only the sweep can find those orders
        oms.sandbox.fault("drop_push", shop_id=pair.platform_shop_id, count=8)
    procs = workers(1)
    procs.start_all()
    client = sync_redis.Redis.from_url(redis_url)
    flusher = threading.Timer(3.0, client.flushdb)
    flusher.start()
    try:
        total = _stream(oms, pairs, rate=15, seconds=6, confirm_share=0.3)
    finally:
        flusher.join(10)
        client.close()
    assert total >= 300
    started = time.monotonic()
    _wait_equal(oms, pairs, 90, procs)
    print(
        f"\n{total} orders, Redis flushed mid-run, equal to the truth "
        f"{time.monotonic() - started:.1f} s after the stream; inbox {_inbox_settled(engine)}"
    )
    assert _inbox_settled(engine).get("failed", 0) == 0
