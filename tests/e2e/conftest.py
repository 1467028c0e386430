"""Start the real app (production build) with a worker, on a free loopback port, for Chromium.

One app for the whole e2e session: the frontend build takes about a minute.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qihang_app.config import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROME_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(1)
    raise RuntimeError(f"app did not answer at {url} within {seconds}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def e2e_redis(tmp_path_factory):
    """A Redis database of its own (db QH_E2E_REDIS_DB of the local server, default 14, or an
    embedded server): several checkouts can run the browser tests side by side."""
    import redis as redis_client

    from qihang_app.embedded_redis import redis_answers, start_embedded_redis

    url = f"redis://127.0.0.1:6379/{int(os.environ.get('QH_E2E_REDIS_DB', '14'))}"
    proc = None
    if not redis_answers(url):
        url = f"redis://127.0.0.1:{_free_port()}/0"
        proc = start_embedded_redis(url, tmp_path_factory.mktemp("redis"))
    redis_client.Redis.from_url(url).flushdb()
    yield url
    if proc is not None:
        proc.terminate()


@pytest.fixture(scope="session")
def app_port() -> int:
    return _free_port()


@pytest.fixture(scope="session")
def sandbox(app_port):
    """The platform sandbox on loopback, pushing to the app under test; no streaming."""
    from integrations.sandbox.app import create_app
    from integrations.sandbox.server import ServerThread

    with ServerThread(create_app(callback_base=f"http://127.0.0.1:{app_port}", demo_shops=True, seed=7)) as server:
        yield server.url


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, app_port, sandbox, e2e_redis):
    """Yields (base_url, env) with an admin 'admin' whose password is in env['E2E_ADMIN_PASSWORD'];
    the sandbox's two demo shops are bound to two demo stores."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run scripts/test.sh (it installs Debian's chromium)")
    work = tmp_path_factory.mktemp("e2e")
    port = app_port
    password = secrets.token_urlsafe(12)
    env = dict(os.environ)
    env.update(
        REDIS_URL=e2e_redis,
        DATABASE_URL=f"sqlite:///{work / 'e2e.db'}",
        APP_PORT=str(port),
        APP_ENV="dev",
        ADMIN_PASSWORD=password,
        E2E_ADMIN_PASSWORD=password,
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        # test-only platforms (tests/e2e/app_plugins/sitecustomize.py): the app and the worker
        # register them (QH_E2E_TEST_PLATFORMS below); the seed scripts know only the real ones
        PYTHONPATH=os.pathsep.join(
            p for p in (str(ROOT / "tests/e2e/app_plugins"), str(ROOT), env.get("PYTHONPATH")) if p
        ),
    )
    env.setdefault("REFLEX_BUN_PATH", str(ROOT / ".tools/node_modules/bun/bin/bun.exe"))
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "-m", "scripts.bootstrap_admin"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "-m", "scripts.demo_seed", "--sandbox-url", sandbox], cwd=ROOT, env=env, check=True)
    log = work / "app.log"
    wlog = work / "worker.log"
    env_run = {**env, "QH_E2E_TEST_PLATFORMS": "1"}
    with open(log, "w") as out, open(wlog, "w") as wout:
        app = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)],
            cwd=ROOT,
            env=env_run,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"],
            cwd=ROOT,
            env=env_run,
            stdout=wout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/api/version", 600, app, log)
        _wait(f"{base}/login", 120, app, log)
        yield base, env
    finally:
        for proc in (worker, app):
            try:
                os.killpg(proc.pid, 15)
                proc.wait(timeout=20)
            except Exception:
                try:
                    os.killpg(proc.pid, 9)
                except Exception:
                    pass
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, ARTIFACTS / "e2e-app.log")
        shutil.copy(wlog, ARTIFACTS / "e2e-worker.log")


@pytest.fixture(scope="module")
def browser():
    """Per module: sync Playwright owns an event loop while it runs, which must be gone before
    any asyncio test of another folder starts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        yield b
        b.close()


def shot(page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(700)  # let drawers and toasts finish their animation
    page.screenshot(path=str(path), full_page=full_page)
    return path


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#login-submit").click()
    page.wait_for_url(f"{base}/board**", timeout=30_000)
