"""Benchmark of order ingestion: webhook ack and push → committed, linked, visible order.

    .venv/bin/python -m benchmarks.ingest --quick        # about a minute: SQLite + PostgreSQL
    .venv/bin/python -m benchmarks.ingest                # more orders per phase
    .venv/bin/python -m benchmarks.ingest --db sqlite --workers 2

What runs (all on 127.0.0.1; children in their own process groups, stopped at the end):

* the webhook routes under granian, the HTTP server the app runs on in production (`--server
  uvicorn` for the pure-Python h11 one) — the same Starlette api app the Reflex backend mounts
  (`qihang_app.api.routes.build_api`), plus one bare route `/bench/bare` on the same server;
* N arq workers (`arq workers.settings.WorkerSettings`) on the database under test and Redis
  db 12 (flushed);
* a tight loopback load generator in its own process: pre-rendered HTTP/1.1 requests on
  keep-alive connections, as fast as the server answers. The bodies are genuine Meituan paid-order
  pushes rendered and signed by the sandbox's own wire code (double-encoded JSON fields, 1–4 lines,
  discounts), for 4 shops whose SKUs exist as ERP SKUs, so every line gets auto-linked.

Per database (a fresh SQLite file, or a throwaway PostgreSQL database on 127.0.0.1:5432):

1. bare: the load generator against `/bench/bare` (same body, same server) → bare_route_per_s;
2. ack: pushes with no worker running → ack_per_s (each ack follows its own durable commit;
   concurrent requests share a commit) and ack_ratio = ack / bare;
3. e2e, per worker count: pushes with the workers running; an order counts when its "order
   changed" message arrives on Redis (`orders:store:<id>`, published after the commit): the
   order is committed, its lines linked, visible to every board. orders_per_s over the whole run
   (first push → last order committed), ratio = orders_per_s / bare_route_per_s, and push →
   committed latency p50/p99 per order;
4. raw: the database's own limit for the same rows (inbox row + order + its lines + one event per
   order) with batched executemany INSERTs in one connection, no parsing → raw_insert_per_s;
5. worker RSS (VmRSS) at the end of the e2e phase.

One `CONFIG {json}` line per (database, workers); the last line is `RESULT {json}`: the primary
configuration (PostgreSQL if it ran, else SQLite; the worker count with the most orders/s) plus
`configs`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import procs  # noqa: E402  (after the path fix when run as a script)

REDIS_DB = 12
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SHOPS = 4
CONNECTIONS = 64


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def r1(value):
    return None if value is None else round(value, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the server under test ------------------------------------------------------------------------


SERVER = "granian"  # --server


def bench_app():
    """uvicorn --factory benchmarks.ingest:bench_app — the api app plus a bare route."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from qihang_app.api.routes import build_api

    app = build_api()

    async def bare(request):
        await request.body()
        return JSONResponse({"data": "ok"})

    app.router.routes.append(Route("/bench/bare", bare, methods=["POST"]))
    return app


# -- load generator (runs in its own process) -----------------------------------------------------


def loadgen_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    requests = [bytes.fromhex(h) for h in json.loads(Path(spec["requests"]).read_text())]
    results: list = [None] * len(requests)
    counter = iter(range(len(requests)))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
        try:
            for index in counter:
                sent = time.time()
                writer.write(requests[index])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length) if length else b""
                results[index] = (sent, time.time(), status, body[:60].decode("utf-8", "replace"))
        finally:
            writer.close()

    async def run() -> None:
        await asyncio.gather(*(connection() for _ in range(spec["connections"])))

    started = time.time()
    asyncio.run(run())
    Path(spec["out"]).write_text(json.dumps({"started": started, "finished": time.time(), "results": results}))


def http_request(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded;charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


def run_load(work: Path, host: str, port: int, requests: list[bytes], name: str) -> dict:
    req_file, spec_file, out_file = (
        work / f"{name}.requests.json",
        work / f"{name}.spec.json",
        work / f"{name}.out.json",
    )
    req_file.write_text(json.dumps([r.hex() for r in requests]))
    spec_file.write_text(
        json.dumps(
            {"requests": str(req_file), "host": host, "port": port, "connections": CONNECTIONS, "out": str(out_file)}
        )
    )
    subprocess.run([sys.executable, "-m", "benchmarks.ingest", "--loadgen", str(spec_file)], cwd=ROOT, check=True)
    data = json.loads(out_file.read_text())
    results = [r for r in data["results"] if r is not None]
    sends = [r[0] for r in results]
    span = max(r[1] for r in results) - min(sends)
    bad = [r for r in results if r[2] != 200]
    return {
        "per_s": len(results) / span if span > 0 else 0.0,
        "span": span,
        "latency_ms": [(r[1] - r[0]) * 1000 for r in results],
        "sends": sends,
        "errors": len(bad),
        "sample_error": bad[0][3] if bad else "",
    }


# -- pushes rendered by the sandbox's own wire code -----------------------------------------------


def make_shops():
    from integrations.meituan.spec import PLATFORM as MEITUAN
    from integrations.sandbox.generator import Generator
    from integrations.sandbox.lifecycle import Lifecycle
    from integrations.sandbox.store import Shop, Store

    class Silent:
        def notify(self, *args, **kwargs) -> None:
            pass

    store = Store()
    generator = Generator(store, Lifecycle(store, Silent()), seed=42)
    generator.ratios.scheduled = 0.0
    shops = []
    for index in range(SHOPS):
        shop = Shop(
            platform=MEITUAN,
            shop_id=f"BENCH-{index + 1:02d}",
            name=f"压测店{index + 1}",
            app_id="9001",
            secret="bench-meituan-secret",
            lat=31.23,
            lng=121.47,
            double_encode=True,
        )
        store.add_shop(shop)
        generator.seed_catalog(shop, 30)
        shops.append(shop)
    return store, generator, shops


def render_pushes(generator, shops, count: int, host: str, port: int) -> tuple[list[bytes], list[str]]:
    from integrations.meituan import twin_wire as meituan_wire
    from integrations.meituan.spec import PushType

    path = "/api/webhooks/meituan/" + PushType.PAID.value
    url = f"http://{host}:{port}{path}"
    now = time.time()
    requests, order_ids = [], []
    for index in range(count):
        shop = shops[index % len(shops)]
        order = generator.create_order(shop, push=False, delivery_type="platform")
        body = meituan_wire.encode_push(url, meituan_wire.order_fields(order, shop), shop, now)
        requests.append(http_request(host, port, path, body))
        order_ids.append(order.order_id)
    return requests, order_ids


# -- databases ------------------------------------------------------------------------------------


class Database:
    def __init__(self, kind: str, work: Path) -> None:
        self.kind = kind
        self.work = work
        self._pg_name = None
        if kind == "sqlite":
            self.url = f"sqlite:///{work / 'bench.db'}"
        else:
            import sqlalchemy as sa

            self._pg_name = f"qihang_bench_{secrets.token_hex(4)}"
            self._server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            with self._server.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{self._pg_name}"'))
            self.url = PG_SERVER.rsplit("/", 1)[0] + "/" + self._pg_name

    def drop(self) -> None:
        if self._pg_name:
            import sqlalchemy as sa

            with self._server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)'))
            self._server.dispose()


def setup_schema(db: Database, shops) -> tuple[object, list[int], int]:
    from sqlmodel import Session

    from qihang_app.db import make_engine, upgrade_db
    from qihang_app.models import ErpSku, PullLog, User
    from qihang_app.services import stores
    from qihang_app.services.auth import actor_for_user

    upgrade_db(db.url)
    engine = make_engine(db.url)
    with Session(engine) as session:
        user = User(username="bench", password_hash="x", role="admin")
        session.add(user)
        session.flush()
        admin = actor_for_user(session, user)
        store_id = stores.create_store(session, actor=admin, name="压测门店").id
        shop_ids = []
        codes = set()
        for shop in shops:
            view = stores.create_shop(
                session,
                actor=admin,
                store_id=store_id,
                platform="meituan",
                platform_shop_id=shop.shop_id,
                name=shop.name,
                sweep_interval_seconds=86_400,
                credentials={"app_key": shop.app_id, "app_secret": shop.secret},
            )
            shop_ids.append(view.id)
            # counts as swept just now: no sweep (and no call to the real platform) during the run
            session.add(PullLog(shop_id=view.id, kind="sweep", status="ok"))
            for product in shop.products:
                if product.outer_code not in codes:
                    codes.add(product.outer_code)
                    session.add(ErpSku(code=product.outer_code, name=product.name, barcode=product.barcode))
        session.commit()
    return engine, shop_ids, store_id


def reset_inbox(engine) -> None:
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM inbox_messages"))


def raw_insert_limit(engine, shop_id: int, store_id: int, count: int) -> float:
    """Equivalent rows (inbox + order + lines + event), executemany batches, one connection,
    ids allocated the way ingest does it; no parsing, no logic: what the database can take."""
    from sqlmodel import Session

    from qihang_app.models import InboxMessage, Order, OrderEvent, OrderLine, utcnow
    from qihang_app.services.inbox import insert_returning_ids

    def session_for(conn):  # the same id allocation the ingest uses (sequence / RETURNING)
        return Session(bind=conn)

    inbox, orders, lines, events = (InboxMessage.__table__, Order.__table__, OrderLine.__table__, OrderEvent.__table__)
    body = "x" * 2400  # a paid-order push is about this long
    now = utcnow()
    batch = 500
    started = time.perf_counter()
    with engine.connect() as conn:
        for start in range(0, count, batch):
            n = min(batch, count - start)
            with conn.begin():
                conn.execute(
                    inbox.insert(),
                    [
                        {
                            "source": "meituan",
                            "shop_id": shop_id,
                            "kind": "order_paid",
                            "headers": "{}",
                            "body": body,
                            "received_at": now,
                            "status": "processed",
                            "attempts": 0,
                            "dedup_key": None,
                            "processed_at": now,
                        }
                        for _ in range(n)
                    ],
                )
                ids = insert_returning_ids(
                    session_for(conn),
                    orders,
                    [
                        {
                            "platform": "meituan",
                            "shop_id": shop_id,
                            "store_id": store_id,
                            "platform_order_id": f"RAW{start + i}-{secrets.token_hex(3)}",
                            "display_no": "x",
                            "status": "awaiting_accept",
                            "receiver_name": "张三",
                            "receiver_phone": "13800000000",
                            "receiver_phone_tail": "0000",
                            "receiver_address": "上海市",
                            "paid_fen": 1000,
                            "placed_at": now,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in range(n)
                    ],
                )
                conn.execute(
                    lines.insert(),
                    [
                        {
                            "order_id": order_id,
                            "line_no": no,
                            "platform_sku_id": "SKU00001",
                            "name": "农夫山泉",
                            "quantity": 1,
                            "unit_price_fen": 200,
                            "paid_fen": 200,
                        }
                        for order_id in ids
                        for no in (1, 2, 3)
                    ],
                )
                conn.execute(
                    events.insert(),
                    [
                        {
                            "order_id": order_id,
                            "at": now,
                            "actor": "platform:meituan",
                            "kind": "created",
                            "to_status": "awaiting_accept",
                            "note": "",
                        }
                        for order_id in ids
                    ],
                )
    return count / (time.perf_counter() - started)


# -- processes ------------------------------------------------------------------------------------


class Children:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "w")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text()[-3000:] if path.exists() else ""


def wait_workers(engine, count: int, since: float, seconds: float = 30.0) -> None:
    """Until `count` workers recorded a heartbeat (its cron runs at startup) after `since`."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from qihang_app.models import WorkerHeartbeat

    started = datetime.fromtimestamp(since, UTC)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            seen = conn.execute(
                sa.select(sa.func.count()).select_from(WorkerHeartbeat).where(WorkerHeartbeat.started_at >= started)
            ).scalar_one()
        if seen >= 1:  # the heartbeat cron is unique: one of N workers records each tick
            time.sleep(0.5 if count > 1 else 0)
            return
        time.sleep(0.1)
    raise RuntimeError("workers did not start")


def wait_http(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


# -- one database ---------------------------------------------------------------------------------


def bench_database(kind: str, worker_counts: list[int], n_orders: int, n_bare: int, n_raw: int) -> list[dict]:
    import redis

    work = Path(tempfile.mkdtemp(prefix=f"qh-bench-{kind}-"))
    db = Database(kind, work)
    children = Children(work)
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    rclient = redis.Redis.from_url(redis_url)
    rclient.flushdb()
    configs = []
    try:
        store, generator, shops = make_shops()
        engine, shop_ids, store_id = setup_schema(db, shops)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": db.url, "REDIS_URL": redis_url, "APP_ENV": "test", "PYTHONUNBUFFERED": "1"}
        if SERVER == "granian":  # what `reflex run --env prod` serves the app with
            server = [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asgi",
                "--factory",
                "--workers",
                "1",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
                "benchmarks.ingest:bench_app",
            ]
        else:
            server = [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "benchmarks.ingest:bench_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ]
        children.start("api", server, env)
        wait_http(f"http://127.0.0.1:{port}/api/version", 30)
        host = "127.0.0.1"

        warm, _ = render_pushes(generator, shops, 200, host, port)
        run_load(work, host, port, warm, "warmup")  # caches, connections, JIT-free warm-up
        bare_requests = [
            r.replace(b"POST /api/webhooks/meituan/order_paid", b"POST /bench/bare", 1)
            for r in render_pushes(generator, shops, n_bare, host, port)[0]
        ]
        bare_requests = [_fix_length(r) for r in bare_requests]
        bare = run_load(work, host, port, bare_requests, "bare")
        say(f"[{kind}] bare route: {bare['per_s']:.0f}/s")

        acks, _ = render_pushes(generator, shops, n_orders, host, port)
        ack = run_load(work, host, port, acks, "ack")
        say(f"[{kind}] ack, no worker: {ack['per_s']:.0f}/s (errors {ack['errors']} {ack['sample_error']})")
        reset_inbox(engine)
        rclient.flushdb()
        raw = raw_insert_limit(engine, shop_ids[0], store_id, n_raw)
        say(f"[{kind}] raw batched INSERT of equivalent rows: {raw:.0f} orders/s")

        for workers in worker_counts:
            configs.append(
                run_e2e(
                    kind,
                    workers,
                    children,
                    env,
                    engine,
                    rclient,
                    generator,
                    shops,
                    host,
                    port,
                    n_orders,
                    bare,
                    ack,
                    raw,
                    store_id,
                )
            )
    finally:
        children.stop_all()
        rclient.flushdb()
        rclient.close()
        try:
            engine.dispose()  # noqa: F821 (set when setup succeeded)
        except Exception:
            pass
        db.drop()
        if not os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1 keeps logs and the SQLite file
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"[{kind}] kept {work}")
    return configs


def _fix_length(request: bytes) -> bytes:
    head, body = request.split(b"\r\n\r\n", 1)
    lines = [
        line if not line.startswith(b"Content-Length:") else b"Content-Length: " + str(len(body)).encode()
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def run_e2e(
    kind, workers, children, env, engine, rclient, generator, shops, host, port, n_orders, bare, ack, raw, store_id
) -> dict:
    import threading

    import sqlalchemy as sa

    names = [f"worker{i}" for i in range(workers)]
    since = time.time() - 1
    for name in names:
        children.start(name, [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"], env)
    wait_workers(engine, len(names), since)
    arrivals: dict[int, float] = {}
    stop = threading.Event()
    pubsub = rclient.pubsub()
    pubsub.psubscribe("orders:store:*")

    def listen() -> None:
        while not stop.is_set():
            message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message and message["type"] == "pmessage":
                note = json.loads(message["data"])
                if note.get("kind") == "new":
                    arrivals.setdefault(int(note["order_id"]), time.time())

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    requests, order_ids = render_pushes(generator, shops, n_orders, host, port)
    pids = {"api": children.procs["api"].pid, **{n: children.procs[n].pid for n in names}}
    cpu_before = {name: procs.tree_cpu_seconds(pid) for name, pid in pids.items()}
    machine_before = procs.machine_cpu()
    load = run_load(children.work, host, port, requests, f"e2e{workers}")
    deadline = time.monotonic() + max(60, n_orders / 200)
    while len(arrivals) < n_orders and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    listener.join(2)
    pubsub.close()
    cpu = {name: procs.tree_cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    machine_after = procs.machine_cpu()
    machine_busy = (machine_after[0] - machine_before[0]) / max(1, machine_after[1] - machine_before[1])
    rss = [procs.tree_rss_mb(children.procs[name].pid) for name in names]
    for name in names:
        children.stop(name)
    with engine.connect() as conn:
        by_platform_id = dict(
            conn.execute(
                sa.text("SELECT platform_order_id, id FROM orders WHERE platform_order_id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": order_ids},
            ).all()
        )
        linked = conn.execute(
            sa.text("SELECT count(*), count(erp_sku_id) FROM order_lines WHERE order_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": list(by_platform_id.values()) or [0]},
        ).one()
    latencies = []
    for index, platform_id in enumerate(order_ids):
        order_id = by_platform_id.get(platform_id)
        if order_id in arrivals:
            latencies.append((arrivals[order_id] - load["sends"][index]) * 1000)
    done = len(latencies)
    first_send = min(load["sends"])
    last = max(arrivals.values()) if arrivals else time.time()
    orders_per_s = done / (last - first_send) if done else 0.0
    config = {
        "db": kind,
        "workers": workers,
        "orders": n_orders,
        "committed": done,
        "server": SERVER,
        "orders_per_s": r1(orders_per_s),
        "bare_route_per_s": r1(bare["per_s"]),
        "ratio": round(orders_per_s / bare["per_s"], 3) if bare["per_s"] else None,
        "ack_per_s": r1(ack["per_s"]),
        "ack_ratio": round(ack["per_s"] / bare["per_s"], 3),
        "ack_with_workers_per_s": r1(load["per_s"]),
        "ack_p50_ms": r1(pct(ack["latency_ms"], 50)),
        "ack_p99_ms": r1(pct(ack["latency_ms"], 99)),
        "p50_ms": r1(pct(latencies, 50)),
        "p99_ms": r1(pct(latencies, 99)),
        "raw_insert_per_s": r1(raw),
        "e2e_vs_raw": round(orders_per_s / raw, 3) if raw else None,
        "lines": linked[0],
        "lines_linked": linked[1],
        "worker_rss_mb": [r1(x) for x in rss],
        "errors": load["errors"],
        # share of all cores busy during the run (every process: load generator, server,
        # workers, PostgreSQL, anything else running on the machine)
        "machine_cpu_busy": round(machine_busy, 2),
        # CPU spent per committed order by the webhook server and by all workers together
        "api_cpu_ms_per_order": round(cpu["api"] * 1000 / max(1, done), 3),
        "worker_cpu_ms_per_order": round(sum(v for k, v in cpu.items() if k != "api") * 1000 / max(1, done), 3),
    }
    print("CONFIG " + json.dumps(config, ensure_ascii=False), flush=True)
    # leave the database as the next worker count expects it: no backlog
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM inbox_messages"))
    rclient.flushdb()
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small phases, about a minute")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", default="1,2", help="worker counts, e.g. 1,2")
    parser.add_argument("--orders", type=int, default=None)
    parser.add_argument(
        "--server",
        choices=["granian", "uvicorn"],
        default="granian",
        help="HTTP server for the webhook routes (production runs granian)",
    )
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.loadgen:
        loadgen_main(args.loadgen)
        return 0
    global SERVER
    SERVER = args.server
    n_orders = args.orders or (2000 if args.quick else 12000)
    n_bare = 2000 if args.quick else 10000
    n_raw = 3000 if args.quick else 20000
    worker_counts = [int(x) for x in args.workers.split(",") if x.strip()]
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = time.monotonic()
    configs = []
    for kind in kinds:
        configs += bench_database(kind, worker_counts, n_orders, n_bare, n_raw)
    primary_pool = [c for c in configs if c["db"] == "postgres"] or configs
    primary = max(primary_pool, key=lambda c: c["orders_per_s"] or 0)
    summary = {
        key: primary[key]
        for key in (
            "orders_per_s",
            "bare_route_per_s",
            "ratio",
            "ack_ratio",
            "raw_insert_per_s",
            "p99_ms",
            "db",
            "workers",
            "p50_ms",
            "ack_per_s",
            "e2e_vs_raw",
        )
    }
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["configs"] = configs
    print("RESULT " + json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
