"""Run the whole system for a newcomer: Redis (embedded if none answers), migrations, the first
admin, the sandbox, the arq worker and the Reflex app (production build). Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request

from qihang_app.config import ROOT, VAR_DIR, get_settings
from qihang_app.embedded_redis import redis_answers, start_embedded_redis


def log(msg: str) -> None:
    print(f"\033[1;32m[qihang]\033[0m {msg}", flush=True)


def migrate() -> None:
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True)


def bootstrap_admin() -> str | None:
    from sqlmodel import Session

    from qihang_app.db import get_engine
    from qihang_app.services import auth

    settings = get_settings()
    with Session(get_engine()) as session:
        password = auth.bootstrap_admin(session, settings=settings)
        session.commit()
    return password


def wait_http(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return True
        except Exception:
            pass
        time.sleep(1)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-sandbox", action="store_true", help="do not start the platform sandbox")
    parser.add_argument("--rate", type=float, default=0.2, help="demo orders per second per sandbox shop")
    args = parser.parse_args()

    settings = get_settings()
    settings.check_for_production()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen] = []

    if not redis_answers(settings.redis_url):
        log(f"no Redis answers at {settings.redis_url}; starting the embedded one (data in var/redis)")
        children.append(start_embedded_redis(settings.redis_url))

    log("applying database migrations")
    migrate()
    password = bootstrap_admin()

    env = dict(os.environ)
    app_url = f"http://127.0.0.1:{settings.app_port}"
    if not args.no_sandbox:
        log(f"starting the platform sandbox on 127.0.0.1:{settings.sandbox_port}")
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "integrations.sandbox", "--port", str(settings.sandbox_port),
                 "--rate", str(args.rate), "--callback-base", app_url],
                cwd=ROOT, env=env,
            )
        )
    if not args.no_sandbox:
        subprocess.run([sys.executable, "-m", "scripts.demo_seed", "--sandbox-url", f"http://127.0.0.1:{settings.sandbox_port}"],
                       cwd=ROOT, env=env, check=True)
    log("starting the worker")
    children.append(subprocess.Popen([sys.executable, "-m", "arq", "workers.settings.WorkerSettings"], cwd=ROOT, env=env))
    log("building and starting the app (the first build takes a minute or two)")
    children.append(
        subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
             "--frontend-port", str(settings.app_port)],
            cwd=ROOT, env=env,
        )
    )

    def stop(*_: object) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if wait_http(f"{app_url}/api/health", 600):
        log(f"QiHang OMS is running: {settings.public_url or app_url}")
        if password:
            log(f"first run: log in as '{settings.admin_username}' with password: {password}")
            log("this password is shown only once; change it under 用户 after logging in")
        else:
            log(f"log in as '{settings.admin_username}' (password shown on the first run; "
                "reset it with: .venv/bin/python -m scripts.reset_admin)")
    else:
        log("the app did not answer within 10 minutes; see the output above")
    while True:
        for child in children:
            if child.poll() is not None:
                log(f"a process exited ({child.args[2] if len(child.args) > 2 else child.args}); stopping")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
