"""`scripts/run.sh` keeps serving when a process dies. The real launcher runs the real sandbox
(streaming demo orders) and the real arq worker; only the web pages are left out (--api-only
serves the same HTTP routes without the minutes-long frontend build). The worker is killed with
SIGKILL mid-stream: it must come back, and every order the sandbox created must end in the
database. SIGTERM then stops everything, leaving no process behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
import sqlalchemy as sa

from integrations import registry
from integrations.sandbox.app import DEMO_SHOPS
from qihang_app.config import ROOT

from .processes import free_port, kill_all, processes_with


class Console:
    """The launcher's console, read line by line in a thread."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, seconds: float, start: int = 0) -> re.Match:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for line in self.lines[start:]:
                if found := re.search(pattern, line):
                    return found
            time.sleep(0.1)
        raise AssertionError(f"no console line matching {pattern!r}:\n" + "\n".join(self.lines))


# The shops whose orders are pushed: this test is about pushes surviving a killed worker. Shops of
# poll-only platforms get theirs from the minute sweep (tests/workers/test_sweep.py and each
# platform's sweep test), too slow for this test's clock.
PUSHED_SHOPS = [shop for shop in DEMO_SHOPS if registry.platform(shop["platform"]).webhooks]


def _stored_ids(db_url: str) -> set[str]:
    engine = sa.create_engine(db_url)
    platforms = sorted({shop["platform"] for shop in PUSHED_SHOPS})
    try:
        with engine.connect() as conn:
            query = sa.text("select platform_order_id from orders where platform in :p").bindparams(
                sa.bindparam("p", expanding=True)
            )
            return set(conn.execute(query, {"p": platforms}).scalars())
    finally:
        engine.dispose()


def _sandbox_ids(control: httpx.Client) -> set[str]:
    ids: set[str] = set()
    for shop in PUSHED_SHOPS:
        orders = control.get(
            "/orders", params={"platform": shop["platform"], "shop_id": shop["shop_id"], "limit": 100000}
        ).json()
        ids.update(order["order_id"] for order in orders)
    return ids


def _until(predicate, seconds: float, step: float = 0.25) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_killed_worker_is_restarted_and_no_order_is_lost(db_url, redis_url, tmp_path):
    marker = str(tmp_path / "var")  # every process of this run carries it in VAR_DIR
    app_port, sandbox_port = free_port(), free_port()
    env = {
        **os.environ,
        "VAR_DIR": marker,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "APP_ENV": "dev",
        "APP_PORT": str(app_port),
        "SANDBOX_PORT": str(sandbox_port),
        "PYTHONUNBUFFERED": "1",
        "HEARTBEAT_SECONDS": "5",
    }
    for name in ("SECRET_KEY", "DATA_KEY", "PUBLIC_URL"):
        env.pop(name, None)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "scripts.launch", "--api-only", "--rate", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    console = Console(launcher)
    control = httpx.Client(base_url=f"http://127.0.0.1:{sandbox_port}/_control", timeout=10, trust_env=False)
    try:
        console.wait_for(r"QiHang OMS is running", 45)
        first_pid = int(console.wait_for(r"worker started \(pid (\d+)\)", 1).group(1))
        assert _until(lambda: len(_stored_ids(db_url)) >= 4, 20), "no orders arrive"

        os.kill(first_pid, signal.SIGKILL)
        killed_at = len(_sandbox_ids(control))
        console.wait_for(r"worker stopped unexpectedly \(killed by SIGKILL\); restarting in 1 s", 5)
        second_pid = int(console.wait_for(r"worker started again \(pid (\d+), restart #1\)", 10).group(1))
        assert second_pid != first_pid and second_pid in processes_with(marker)
        assert _until(lambda: len(_sandbox_ids(control)) >= killed_at + 8, 15)  # still streaming

        control.post("/stream/stop")
        assert _until(lambda: control.get("/stats").json()["pushes_in_flight"] == 0, 15)
        truth = _sandbox_ids(control)
        assert _until(lambda: truth <= _stored_ids(db_url), 45), (
            f"{len(truth - _stored_ids(db_url))} of {len(truth)} orders missing"
        )
        assert _stored_ids(db_url) == truth  # and none the platform never had
        assert not any(
            "stopped unexpectedly" in line for line in console.lines if "worker" not in line
        )  # the sandbox and the app kept serving

        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=30) == 0
        console.wait_for(r"\bstopped$", 2)
        assert _until(lambda: processes_with(marker) == [], 5), "processes left behind"
    finally:
        control.close()
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
        kill_all(marker)
