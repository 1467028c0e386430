"""Benchmark of the ERP push path: orders → outbox → the QiHang ERP twin over loopback HTTP (the
adapters alone against their twins: benchmarks/erp_push.py).

    .venv/bin/python -m benchmarks.erp_outbox            # 600 orders, then 15 s of steady arrivals
    .venv/bin/python -m benchmarks.erp_outbox --quick    # 200 orders, 6 s

What runs, in one process on 127.0.0.1 (SQLite in a temporary file):

1. raw: signed POSTs of the same bodies straight to the twin, one after the other on one
   keep-alive client → raw_posts_per_s and raw p50/p99 (the loopback + twin limit);
2. drain: N linked orders due at once; the outbox relay (`workers.tasks.outbox.relay_outbox`,
   what the worker's cron runs every second) queues and pushes them → pushes_per_s, and
   ratio = pushes_per_s / raw_posts_per_s;
3. steady: orders become due at a fixed rate while the relay runs back to back; push latency per
   order = the ERP accepted it (outbox done_at) − the order became due (its created_at) → p50/p99,
   and from the moment it was queued in the outbox → p50/p99_from_outbox.

The last line is `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

import integrations.registry  # noqa: E402,F401
from integrations.qihang_erp import sign  # noqa: E402
from integrations.qihang_erp.twin import CONTROL, PUSH_PATH  # noqa: E402
from integrations.sandbox.app import create_app  # noqa: E402
from integrations.sandbox.server import ServerThread  # noqa: E402
from qihang_app.db import make_engine, upgrade_db  # noqa: E402
from qihang_app.models import ErpSku, Order, OrderLine, OutboxMessage, User  # noqa: E402
from qihang_app.services import erp_connections, stores  # noqa: E402
from qihang_app.services.auth import actor_for_user  # noqa: E402

KEY, SECRET = "bench-key", "bench-secret"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def setup(engine, url: str):
    with Session(engine, expire_on_commit=False) as session:
        user = User(username="bench", password_hash="x", role="admin")
        session.add(user)
        session.flush()
        admin = actor_for_user(session, user)
        store = stores.create_store(session, actor=admin, name="压测门店")
        shop = stores.create_shop(
            session, actor=admin, store_id=store.id, platform="meituan", platform_shop_id="bench", name="美团压测"
        )
        sku = ErpSku(code="BENCH-1", name="压测商品")
        session.add(sku)
        erp_connections.create_connection(
            session,
            actor=admin,
            name="压测 ERP",
            erp="qihang",
            base_url=url + PUSH_PATH,
            keys={"key": KEY, "secret": SECRET},
        )
        session.commit()
        return shop.id, store.id, sku.id


def add_orders(engine, shop_id: int, store_id: int, sku_id: int, start: int, count: int) -> None:
    with Session(engine) as session:
        for n in range(start, start + count):
            order = Order(
                platform="meituan", shop_id=shop_id, store_id=store_id, platform_order_id=f"B{n}", display_no=f"B{n}",
                status="to_ship", receiver_name="压测", receiver_phone="138****0000", paid_fen=1990,
            )  # fmt: skip
            session.add(order)
            session.flush()
            session.add(
                OrderLine(order_id=order.id, line_no=1, name="压测商品", quantity=1, paid_fen=1990, erp_sku_id=sku_id)
            )
        session.commit()


async def raw_phase(url: str, count: int) -> dict:
    body = json.dumps({"event": "order.created", "idempotency_key": "", "data": {"order_no": "QH0"}}).encode()
    latencies = []
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        started = time.perf_counter()
        for n in range(count):
            key = f"raw-{n}"
            payload = body.replace(b'"idempotency_key": ""', f'"idempotency_key": "{key}"'.encode())
            headers = {**sign.signed_headers(KEY, SECRET, payload), sign.IDEMPOTENCY_HEADER: key}
            t0 = time.perf_counter()
            response = await client.post(url + PUSH_PATH, content=payload, headers=headers)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.text
        seconds = time.perf_counter() - started
    return {
        "raw_posts_per_s": round(count / seconds, 1),
        "raw_p50_ms": round(pct(latencies, 0.5), 2),
        "raw_p99_ms": round(pct(latencies, 0.99), 2),
    }


async def drain(ctx: dict, engine, expected: int, seconds: float) -> None:
    from workers.tasks.outbox import relay_outbox

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await relay_outbox(ctx)
        with Session(engine) as session:
            done = session.exec(
                select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "done")
            ).one()
        if done >= expected:
            return
    raise RuntimeError(f"only {done} of {expected} pushes done")


async def steady_phase(
    ctx: dict, engine, ids, rate: float, seconds: float, first: int
) -> tuple[list[float], list[float]]:
    """(due → accepted by the ERP, queued in the outbox → accepted) per order, in ms."""
    from workers.tasks.outbox import relay_outbox

    with Session(engine) as session:
        before = session.exec(select(sa.func.max(Order.id))).one() or 0
    stop = time.monotonic() + seconds
    made = 0

    async def produce():
        nonlocal made
        while time.monotonic() < stop:
            await asyncio.to_thread(add_orders, engine, *ids, first + made, 1)
            made += 1
            await asyncio.sleep(1 / rate)

    async def relay():
        while time.monotonic() < stop + 3:
            await relay_outbox(ctx)
            await asyncio.sleep(0.01)

    await asyncio.gather(produce(), relay())
    with Session(engine) as session:
        rows = session.exec(
            select(Order.created_at, OutboxMessage.created_at, OutboxMessage.done_at)
            .join(OutboxMessage, OutboxMessage.order_id == Order.id)
            .where(Order.id > before, OutboxMessage.status == "done")
        ).all()
    due = [(done - created).total_seconds() * 1000 for created, _, done in rows]
    queued = [(done - queued).total_seconds() * 1000 for _, queued, done in rows]
    return due, queued


async def main_async(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="erp-bench-"))
    db = f"sqlite:///{folder / 'bench.db'}"
    upgrade_db(db)
    engine = make_engine(db)
    with ServerThread(create_app(seed=1)) as server:
        httpx.post(server.url + CONTROL, json={"keys": {KEY: SECRET}}, trust_env=False)
        ids = setup(engine, server.url)
        result = await raw_phase(server.url, args.orders)
        ctx = {"engine": engine, "redis": None}
        add_orders(engine, *ids, 0, args.orders)
        started = time.perf_counter()
        await drain(ctx, engine, args.orders, 300)
        seconds = time.perf_counter() - started
        result["pushes_per_s"] = round(args.orders / seconds, 1)
        result["ratio"] = round(result["pushes_per_s"] / result["raw_posts_per_s"], 3)
        latencies, from_queue = await steady_phase(ctx, engine, ids, args.rate, args.seconds, 10**6)
        result.update(
            steady_rate_per_s=args.rate,
            steady_pushes=len(latencies),
            p50_push_ms=round(statistics.median(latencies), 1) if latencies else None,
            p99_push_ms=round(pct(latencies, 0.99), 1) if latencies else None,
            p50_from_outbox_ms=round(statistics.median(from_queue), 1) if from_queue else None,
            p99_from_outbox_ms=round(pct(from_queue, 0.99), 1) if from_queue else None,
        )
        truth = httpx.get(server.url + CONTROL + "/deliveries", trust_env=False).json()
        oms_keys = [k for k in truth["deliveries"] if k.startswith("erp:")]
        result["twin_deliveries_once"] = all(truth["deliveries"][k] == 1 for k in oms_keys)
        result["orders"] = args.orders
    engine.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.erp_outbox")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--rate", type=float, default=20.0, help="steady phase: orders due per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    if args.quick:
        args.orders, args.seconds = 200, 6.0
    result = asyncio.run(main_async(args))
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
