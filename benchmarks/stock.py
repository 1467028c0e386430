"""Benchmark of stock reservations under contention, beside raw single-row updates.

    .venv/bin/python -m benchmarks.stock                    # SQLite file
    .venv/bin/python -m benchmarks.stock --db postgres      # throwaway database on TEST_POSTGRES_URL

One store, two shops selling from its shelf, 1 hot SKU and 1,000 cold SKUs. Every order has two
lines: one unit of the hot SKU and 1-3 units of a random cold SKU. The orders are written first;
then `--workers` processes reserve them (`services.stock.sync_orders`, one transaction per order,
as the accept path does), all at once. The hot SKU has stock for a third of the orders, so most
of the run is a race for a row that runs dry.

Beside it, in the same run and database, the same number of processes each commit the same
number of raw transactions `UPDATE bench_raw SET n = n + 1 WHERE id = 1` (one hot row): the
database's own limit for one-row write transactions here.

reservations_per_s counts order lines reserved or refused per second; raw_updates_per_s counts
raw transactions per second; ratio = reservations_per_s / raw_updates_per_s. oversold is the
units reserved beyond on hand over every level (must be 0); the ledger is checked against the
levels too. The last line is `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from qihang_app.db import make_engine, normalise_url, session_scope, upgrade_db  # noqa: E402

COLD = 1_000
PG_URL = normalise_url(os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))


def _database(kind: str, work: Path) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{work / 'stock_bench.db'}", lambda: None
    server = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"qihang_bench_{secrets.token_hex(4)}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False), drop


def _seed(url: str, orders: int) -> dict:
    from qihang_app.domain.stock import Delta
    from qihang_app.models import ErpSku, Order, OrderLine, Shop, Store, utcnow
    from qihang_app.services.stock_levels import add_move, change_level, ensure_level, store_location

    engine = make_engine(url)
    rng = random.Random(11)
    with session_scope(engine) as session:
        store = Store(name="压测门店")
        session.add(store)
        session.flush()
        shops = []
        for n in range(2):
            shop = Shop(store_id=store.id, platform="meituan", platform_shop_id=f"bench-{n}", name=f"店铺{n}")
            session.add(shop)
            shops.append(shop)
        skus = [ErpSku(code=f"B{i:05d}", name=f"商品{i}") for i in range(COLD + 1)]
        session.add_all(skus)
        session.flush()
        location = store_location(session, store.id)
        hot_stock = max(1, orders // 3)
        for i, sku in enumerate(skus):
            quantity = hot_stock if i == 0 else 10 * orders
            ensure_level(session, location, sku.id)
            change_level(session, location, sku.id, Delta(on_hand=quantity))
            add_move(
                session, location_id=location, sku_id=sku.id, kind="receive", delta=Delta(on_hand=quantity),
                actor="bench", reason="purchase",
            )  # fmt: skip
        ids = []
        for n in range(orders):
            order = Order(
                platform="meituan", shop_id=shops[n % 2].id, store_id=store.id, platform_order_id=f"BO{n}",
                status="to_ship", placed_at=utcnow(),
            )  # fmt: skip
            session.add(order)
            session.flush()
            cold = skus[rng.randint(1, COLD)]
            session.add(OrderLine(order_id=order.id, line_no=1, name="hot", quantity=1, erp_sku_id=skus[0].id))
            session.add(
                OrderLine(order_id=order.id, line_no=2, name=cold.name, quantity=rng.randint(1, 3), erp_sku_id=cold.id)
            )
            ids.append(order.id)
        session.execute(sa.text("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        session.execute(sa.text("INSERT INTO bench_raw (id, n) VALUES (1, 0)"))
        hot_id = skus[0].id
    engine.dispose()
    return {"orders": ids, "location": location, "hot": hot_id, "hot_stock": hot_stock}


def _reserve(url: str, order_ids: list[int], start) -> int:
    from qihang_app.services import stock

    engine = make_engine(url)
    lines = 0
    start.wait(60)
    for order_id in order_ids:
        with session_scope(engine) as session:
            stock.sync_orders(session, [order_id])
        lines += 2
    engine.dispose()
    return lines


def _raw(url: str, count: int, start) -> int:
    engine = make_engine(url)
    start.wait(60)
    for _ in range(count):
        with session_scope(engine) as session:
            session.execute(sa.text("UPDATE bench_raw SET n = n + 1 WHERE id = 1"))
    engine.dispose()
    return count


def _race(fn, jobs: list[tuple], workers: int) -> tuple[int, float]:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Manager().Event()
    with ctx.Pool(workers) as pool:
        pending = [pool.apply_async(fn, job + (start,)) for job in jobs]
        time.sleep(1.0)  # every process has imported and connected
        began = time.perf_counter()
        start.set()
        done = sum(p.get(timeout=1800) for p in pending)
        return done, time.perf_counter() - began


def _check(url: str, seed: dict) -> dict:
    engine = make_engine(url)
    with engine.connect() as conn:
        oversold = conn.execute(
            sa.text(
                "SELECT COALESCE(SUM(CASE WHEN reserved > on_hand THEN reserved - on_hand ELSE 0 END), 0) FROM stock_levels"
            )
        ).scalar()
        drift = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM stock_levels l JOIN (SELECT location_id, erp_sku_id, SUM(on_hand_delta) h,"
                " SUM(reserved_delta) r FROM stock_moves GROUP BY location_id, erp_sku_id) m"
                " ON m.location_id = l.location_id AND m.erp_sku_id = l.erp_sku_id WHERE m.h != l.on_hand OR m.r != l.reserved"
            )
        ).scalar()
        hot_reserved = conn.execute(
            sa.text("SELECT reserved FROM stock_levels WHERE erp_sku_id = :s"), {"s": seed["hot"]}
        ).scalar()
        short = conn.execute(sa.text("SELECT COUNT(*) FROM stock_shortages")).scalar()
    engine.dispose()
    return {
        "oversold": int(oversold),
        "ledger_drift": int(drift),
        "hot_reserved": int(hot_reserved),
        "short_lines": int(short),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--orders", type=int, default=1500, help="orders per worker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _database(args.db, Path(tmp))
        try:
            upgrade_db(url)
            total = args.orders * args.workers
            seed = _seed(url, total)
            print(f"seeded {total} orders, hot stock {seed['hot_stock']}, {COLD} cold SKUs ({args.db})", flush=True)
            ids = seed["orders"]
            jobs = [(url, ids[w :: args.workers]) for w in range(args.workers)]
            lines, reserve_s = _race(_reserve, jobs, args.workers)
            raw, raw_s = _race(_raw, [(url, args.orders) for _ in range(args.workers)], args.workers)
            checked = _check(url, seed)
        finally:
            drop()
    result = {
        "db": args.db,
        "workers": args.workers,
        "orders": total,
        "reservations_per_s": round(lines / reserve_s, 1),
        "orders_per_s": round(total / reserve_s, 1),
        "raw_updates_per_s": round(raw / raw_s, 1),
        "ratio": round((lines / reserve_s) / (raw / raw_s), 3),
        **checked,
        "hot_stock": seed["hot_stock"],
    }
    print(f"reserve: {lines} lines in {reserve_s:.2f} s; raw: {raw} updates in {raw_s:.2f} s", flush=True)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
