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

Modules: `ingest_setup` (shops and their pushes, the database, schema, raw INSERT limit),
`ingest_load` (the load generator and its requests), `ingest_procs` (child processes, waits),
`ingest_e2e` (the end-to-end phase), `ingest_common`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# (after the path fix when run as a script)
from benchmarks.ingest_common import free_port, say  # noqa: E402
from benchmarks.ingest_e2e import run_e2e  # noqa: E402
from benchmarks.ingest_load import fix_length, loadgen_main, run_load  # noqa: E402
from benchmarks.ingest_procs import Children, wait_http  # noqa: E402
from benchmarks.ingest_setup import Database, make_shops, raw_insert_limit, render_pushes, reset_inbox, setup_schema  # noqa: E402

REDIS_DB = 12


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
        bare_requests = [fix_length(r) for r in bare_requests]
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
                    SERVER,
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
