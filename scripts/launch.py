"""Run the whole system for a newcomer: Redis (embedded if none answers), migrations, the first
admin, the sandbox, the arq worker and the Reflex app (production build).

A process that dies is started again (see scripts/supervisor.py); Ctrl-C or SIGTERM stops them
all. The console shows what a person needs (address, first admin password, warnings, restarts);
routine output (job lines, requests, sandbox chatter) goes to files under var/log/.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from qihang_app.config import (
    DEV_DATA_KEY,
    LOCAL_KEYS_FILE,
    ROOT,
    VAR_DIR,
    ensure_local_keys,
    get_settings,
)
from qihang_app.embedded_redis import embedded_redis_command, redis_answers
from scripts.console import box, say, warn
from scripts.supervisor import Supervisor

LOG_DIR = VAR_DIR / "log"


def run_quiet(command: list[str], log_file: Path) -> None:
    """Run a setup step with its output in log_file; on failure show its end and stop."""
    with open(log_file, "ab") as log:
        result = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = log_file.read_text(errors="replace").splitlines()[-15:]
        raise SystemExit("\n".join([f"failed: {' '.join(command[1:])}", *tail]))


def bootstrap_admin() -> str | None:
    from sqlmodel import Session

    from qihang_app.db import get_engine
    from qihang_app.services import auth

    with Session(get_engine()) as session:
        password = auth.bootstrap_admin(session, settings=get_settings())
        session.commit()
    return password


def move_dev_key_credentials() -> int:
    from sqlmodel import Session

    from qihang_app.db import get_engine
    from qihang_app.services.credential_keys import reencrypt_dev_key_credentials

    with Session(get_engine()) as session:
        moved = reencrypt_dev_key_credentials(session, settings=get_settings())
        session.commit()
    return moved


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status < 500
    except Exception:
        return False


def use_keys() -> None:
    """First run: generate SECRET_KEY / DATA_KEY (unless set) and say so once."""
    if ensure_local_keys(get_settings()):
        get_settings.cache_clear()
        say(
            f"first run: generated SECRET_KEY and DATA_KEY into {_rel(LOCAL_KEYS_FILE)} "
            "(readable only by you; reused from now on). Keep it with the database backups: "
            "without it the stored platform credentials cannot be read"
        )
    if get_settings().data_key.get_secret_value() in ("", DEV_DATA_KEY):
        warn("DATA_KEY is empty or the public development default: platform credentials are not protected at rest")


def announce(url: str, password: str | None) -> None:
    settings = get_settings()
    if password:
        box(
            [
                f"QiHang OMS: {url}",
                f"First run. Log in as '{settings.admin_username}' with password:",
                f"    {password}",
                "Shown only this once: change it under 用户 after logging in.",
            ]
        )
    else:
        say(
            f"log in as '{settings.admin_username}' (the password was shown on the first run; "
            "reset it with: .venv/bin/python -m scripts.reset_admin)"
        )
    say(f"QiHang OMS is running: {url}   (Ctrl-C stops everything)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-sandbox", action="store_true", help="do not start the platform sandbox")
    parser.add_argument("--rate", type=float, default=0.2, help="demo orders per second per sandbox shop")
    parser.add_argument(
        "--api-only",
        action="store_true",
        help="serve only the HTTP routes (webhooks, ERP API, health), no web pages: "
        "a headless ingest node, and a quick start for tests",
    )
    args = parser.parse_args()

    get_settings().check_for_production()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    say(
        f"routine output (jobs, requests, sandbox) goes to {_rel(LOG_DIR)}/: app.log, worker.log, "
        "sandbox.log, setup.log"
    )
    use_keys()
    settings = get_settings()
    supervisor = Supervisor(cwd=ROOT, env=dict(os.environ), say=say)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: supervisor.request_stop())
    py = sys.executable
    app_url = f"http://127.0.0.1:{settings.app_port}"
    try:
        if not redis_answers(settings.redis_url):
            say(f"no Redis answers at {settings.redis_url}; starting the embedded one (data in var/redis)")
            supervisor.start("redis", embedded_redis_command(settings.redis_url), LOG_DIR / "redis.log")
            if not _until(lambda: redis_answers(settings.redis_url), 10, supervisor):
                raise SystemExit("the embedded Redis did not start; see var/redis/redis.log")
        say("applying database migrations")
        run_quiet([py, "-m", "alembic", "upgrade", "head"], LOG_DIR / "setup.log")
        password = bootstrap_admin()
        moved = move_dev_key_credentials()
        if moved:
            say(f"re-encrypted the credentials of {moved} shop(s) stored under the development key")
        if not args.no_sandbox:
            supervisor.start(
                "sandbox",
                [
                    py,
                    "-m",
                    "integrations.sandbox",
                    "--port",
                    str(settings.sandbox_port),
                    "--rate",
                    str(args.rate),
                    "--callback-base",
                    app_url,
                ],
                LOG_DIR / "sandbox.log",
            )
            run_quiet(
                [py, "-m", "scripts.demo_seed", "--sandbox-url", f"http://127.0.0.1:{settings.sandbox_port}"],
                LOG_DIR / "setup.log",
            )
            say(
                f"platform sandbox on 127.0.0.1:{settings.sandbox_port}"
                + (f": a demo order every {1 / args.rate:g} s per shop" if args.rate > 0 else "")
            )
        worker = supervisor.start(
            "worker", [py, "-m", "arq", "workers.settings.WorkerSettings"], LOG_DIR / "worker.log"
        )
        say(f"worker started (pid {worker.proc.pid})")
        if args.api_only:
            supervisor.start(
                "app",
                [
                    py,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "qihang_app.api.routes:build_api",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(settings.app_port),
                ],
                LOG_DIR / "app.log",
            )
        else:
            say("building and starting the app (the first build takes a minute or two)")
            supervisor.start(
                "app",
                [
                    py,
                    "-m",
                    "reflex",
                    "run",
                    "--env",
                    "prod",
                    "--single-port",
                    "--frontend-port",
                    str(settings.app_port),
                ],
                LOG_DIR / "app.log",
            )
        if _until(lambda: answers(f"{app_url}/api/version"), 900, supervisor):
            announce(settings.public_url or app_url, password)
        elif not supervisor.stopping:
            warn(f"the app did not answer within 15 minutes; see {_rel(LOG_DIR / 'app.log')}")
        supervisor.run()
    finally:
        say("stopping every process …")
        supervisor.stop()
        say("stopped")
    return 0


def _until(predicate, seconds: float, supervisor: Supervisor) -> bool:
    """Wait for predicate while supervising (restarts go on); False on timeout or stop."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not supervisor.stopping:
        if predicate():
            return True
        supervisor.check()
        time.sleep(0.5)
    return False


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
