"""The board benchmark's infrastructure and set-up phases: Redis, the database, the sandbox with its
shops, the app and one worker as child processes (each in its own process group), the prefill,
and the clean-up that stops all of it."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import procs
from benchmarks.board_common import ROOT, free_port, say, wait_http

REDIS_DB = 13
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class SetupMixin:
    """Starts and stops what the benchmark runs against; keeps what later phases need on `self`."""

    def start_redis(self) -> str:
        from qihang_app.embedded_redis import redis_answers, start_embedded_redis

        url = f"redis://127.0.0.1:6379/{REDIS_DB}"
        if not redis_answers(url):
            url = f"redis://127.0.0.1:{free_port()}/0"
            self.redis_proc = start_embedded_redis(url, self.work / "redis")
            say(f"no Redis on 6379: embedded redis-server at {url}")
        import redis as redis_client

        redis_client.Redis.from_url(url).flushdb()
        return url

    def database_url(self) -> str:
        if self.args.db == "sqlite":
            return f"sqlite:///{self.work / 'board.db'}"
        import sqlalchemy as sa

        self.pg_db = f"qihang_board_bench_{os.getpid()}_{secrets.token_hex(3)}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.pg_db}"')
        admin.dispose()
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.pg_db

    def drop_pg(self) -> None:
        if not self.pg_db:
            return
        import sqlalchemy as sa

        try:
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.pg_db}" WITH (FORCE)')
            admin.dispose()
        except Exception as exc:  # pragma: no cover - best effort
            say(f"could not drop {self.pg_db}: {exc}")
        self.pg_db = None

    def spawn(self, argv: list[str], log: Path, env: dict) -> subprocess.Popen:
        out = open(log, "w")
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=procs.child_setup,
        )
        out.close()
        self.children.append(proc)
        return proc

    def cleanup(self, *, from_watchdog: bool = False) -> None:
        with self._lock:
            if self._cleaned:
                return
            self._cleaned = True
        if self.sampler is not None:
            self.sampler.stop()
        # Playwright objects belong to the main thread; after a timeout the driver (our child,
        # reading our stdout pipe) exits with this process and takes Chromium with it.
        if self.browser is not None and not from_watchdog:
            try:
                self.browser.close()
            except Exception:
                pass
        if self.pw is not None and not from_watchdog:
            try:
                self.pw.stop()
            except Exception:
                pass
        for proc in reversed(self.children):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in reversed(self.children):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:  # whatever is left in the group (the backend the CLI started, bun…)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.sandbox is not None:
            try:
                self.sandbox.stop(timeout=5)
            except Exception:
                pass
        if self.redis_proc is not None:
            self.redis_proc.terminate()
            try:
                self.redis_proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.redis_proc.kill()
        self.drop_pg()
        if self.args.keep:
            say(f"logs and database kept in {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # ---- set-up phases ---------------------------------------------------------------------------

    def start_sandbox_and_database(self) -> None:
        """Redis, a fresh database with the demo data, and the sandbox with `--shops` Meituan shops
        of the board's store; sets `port`, `base`, `env`, `db_url`, `password`, `store_id`."""
        a = self.args
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        password = secrets.token_urlsafe(12)

        self.redis_url = self.start_redis()
        db_url = self.database_url()
        env = dict(os.environ)
        env.update(
            REDIS_URL=self.redis_url,
            DATABASE_URL=db_url,
            APP_PORT=str(port),
            APP_ENV="dev",
            ADMIN_PASSWORD=password,
            REFLEX_TELEMETRY_ENABLED="false",
            REFLEX_CHECK_LATEST_VERSION="false",
            PYTHONUNBUFFERED="1",
            # Frozen boards answer no socket.io ping: keep them connected for the whole run
            # (Reflex's default drops a silent client after 25 + 120 s).
            REFLEX_SOCKET_TIMEOUT="900",
        )
        env.setdefault("REFLEX_BUN_PATH", str(ROOT / ".tools/node_modules/bun/bin/bun.exe"))
        for key in ("REDIS_URL", "DATABASE_URL", "APP_PORT", "APP_ENV", "ADMIN_PASSWORD"):
            os.environ[key] = env[key]  # this process reads the same settings

        from sqlmodel import select

        from integrations.sandbox.app import DEMO_SHOPS, create_app
        from integrations.sandbox.server import ServerThread
        from qihang_app.config import get_settings
        from qihang_app.db import session_scope, upgrade_db
        from qihang_app.models import Shop, User
        from qihang_app.services import auth, stores
        from scripts import demo_seed

        get_settings.cache_clear()
        self.sandbox = ServerThread(create_app(callback_base=base, demo_shops=True, seed=7)).start()
        self.sandbox_url = self.sandbox.url
        self.sb = self.sandbox._server.config.app.state.sandbox  # in-process: the push queue size
        # The sandbox pushes each shop's orders one at a time, in order; the offered rate is
        # spread over `--shops` Meituan shops of the same store so the pushes arrive concurrently.
        meituan = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
        extra = [
            dict(meituan, shop_id=f"MT-SH-B{i:02d}", name=f"启航便利店(压测{i:02d})") for i in range(2, a.shops + 1)
        ]
        for spec in extra:
            self.control(
                "POST",
                "shops",
                {k: spec[k] for k in ("platform", "shop_id", "name", "app_id", "secret", "lat", "lng")}
                | {"callback_base": base, "rate": 0},
            )
        self.control("POST", "rate", {"rate": 0})
        self.control("POST", "rate", {"rate": a.rate / a.shops, "platform": "meituan"})
        # nothing leaves 新订单 during the run: no buyer cancels or refunds
        self.control("POST", "timing", {"ratios": {"cancel": 0, "refund": 0}})

        started = time.monotonic()
        upgrade_db(db_url)
        with session_scope() as session:
            auth.bootstrap_admin(session, settings=get_settings())
        demo_seed.seed(self.sandbox_url)
        with session_scope() as session:
            admin = session.exec(select(User).where(User.username == "admin")).one()
            actor = auth.actor_for_user(session, admin)
            store_id = session.exec(
                select(Shop.store_id).where(Shop.platform == "meituan", Shop.platform_shop_id == meituan["shop_id"])
            ).one()
            for spec in extra:
                stores.create_shop(
                    session,
                    actor=actor,
                    store_id=store_id,
                    platform="meituan",
                    platform_shop_id=spec["shop_id"],
                    name=spec["name"],
                    credentials=demo_seed.credentials(spec, self.sandbox_url),
                )
        say(
            f"database ready ({a.db}) in {time.monotonic() - started:.1f}s; sandbox at {self.sandbox_url}; "
            f"{a.shops} Meituan shops on the board's store, {a.rate / a.shops:g} orders/s each"
        )
        self.port, self.base, self.env, self.db_url = port, base, env, db_url
        self.password, self.store_id = password, store_id

    def start_app_and_prefill(self) -> None:
        """`reflex run` and one arq worker as children; meanwhile `--live` orders go into the
        database; then wait until the app answers. Sets `app_proc`, `worker_proc`, `engine`,
        `reader`."""
        import sqlalchemy as sa

        from qihang_app.db import make_engine, normalise_url

        a, res, base, env, db_url = self.args, self.result, self.base, self.env, self.db_url
        app_log, worker_log = self.work / "app.log", self.work / "worker.log"
        app = self.spawn(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(self.port),
            ],
            app_log,
            env,
        )
        worker = self.spawn([sys.executable, "-m", "arq", "workers.settings.WorkerSettings"], worker_log, env)
        self.app_proc, self.worker_proc = app, worker
        app_started = time.monotonic()

        engine = make_engine(db_url)  # the app's engine settings (BEGIN IMMEDIATE on SQLite)
        self.reader = sa.create_engine(normalise_url(db_url))  # plain reads: no write lock
        started = time.monotonic()
        self.engine = engine
        self.prefill(engine, a.live)
        say(
            f"prefilled {a.live} live orders in {time.monotonic() - started:.1f}s: {self.count_orders(self.reader, self.store_id)}"
        )

        wait_http(f"{base}/api/version", a.app_wait, app, app_log)
        wait_http(f"{base}/login", 60, app, app_log)
        res["app_start_s"] = round(time.monotonic() - app_started, 1)
        say(
            f"app answers at {base} {res['app_start_s']}s after `reflex run` (compile + cached production build + backend)"
        )
