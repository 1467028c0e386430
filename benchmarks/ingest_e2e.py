"""The ingest benchmark's end-to-end phase: pushes with N workers running, each order timed from
its push to its "order changed" message on Redis; prints one `CONFIG {json}` line."""

from __future__ import annotations

import json
import sys
import time

from benchmarks import procs
from benchmarks.ingest_common import pct, r1
from benchmarks.ingest_load import run_load
from benchmarks.ingest_procs import wait_workers
from benchmarks.ingest_setup import render_pushes


def run_e2e(
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
    server,
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
        "server": server,
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
