"""Benchmark of the 报表 page on a year of orders: rollup reports against the raw GROUP BY.

    .venv/bin/python -m benchmarks.reports --quick                 # 100,000 orders, SQLite
    .venv/bin/python -m benchmarks.reports                         # 1,000,000 orders, SQLite
    .venv/bin/python -m benchmarks.reports --db postgres           # throwaway database on 127.0.0.1

What runs: a fresh database migrated by alembic; N orders (one line each, 10 stores × 2 shops,
two platforms, spread over the 365 days before today in Shanghai, ~8 % cancelled, accept /
ready / pick-up / delivery times) inserted with batched executemany; the rollups filled by the
rebuild command (timed: it is also what an upgrade runs once). Then:

* report — what the page computes for the whole year, admin scope: overview with the previous
  period, sales by day / platform / store, the heat map, top SKUs, fulfilment by store, cancel
  reasons (registry tables, cells formatted, as the page shows them); `--repeat` times, p95;
* raw limit — one GROUP BY (day, store, shop, platform) with the same sums straight over the
  orders of the same year (services/reports/raw.py), the cheapest query that could answer the
  sales report without rollups; best of 3.

The last line is `RESULT {json}` with orders, report_p95_ms, raw_group_by_ms, ratio (report p95 /
raw), db, plus the build and rebuild times and what recomputing one (store, day) bucket costs
(the work each commit that changes an order adds).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from qihang_app.db import make_engine, upgrade_db  # noqa: E402
from qihang_app.domain.clock import SHANGHAI  # noqa: E402
from qihang_app.domain.report_period import Period  # noqa: E402
from qihang_app.models import Order, OrderLine, Shop, Store  # noqa: E402
from qihang_app.services.reports import rebuild, registry, rollups  # noqa: E402
from qihang_app.services.reports.query import ReportQuery  # noqa: E402
from qihang_app.services.reports.raw import raw_daily  # noqa: E402
from qihang_app.services.scope import Actor  # noqa: E402

PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PAGE_REPORTS = (
    "summary",
    "sales_day",
    "sales_platform",
    "sales_store",
    "heatmap",
    "top_quantity",
    "fulfil_store",
    "cancels",
)
STORES, SHOPS_PER_STORE, SKUS = 10, 2, 400
CHUNK = 20_000


def _database(kind: str) -> tuple[str, callable]:
    """(url, drop) of a fresh database."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="qh-bench-reports-")
        path = Path(folder) / "bench.db"

        def drop() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.rmdir(folder)

        return f"sqlite:///{path}", drop
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    name = f"qh_bench_reports_{secrets.token_hex(4)}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop_pg() -> None:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), drop_pg


def _stores(session: Session) -> list[tuple[int, int, str]]:
    """(store id, shop id, platform) of every shop."""
    now = datetime.now(UTC)
    shops = []
    for s in range(STORES):
        store = Store(name=f"门店{s + 1}", created_at=now, updated_at=now)
        session.add(store)
        session.flush()
        for k, platform in enumerate(("meituan", "douyin_laike")[:SHOPS_PER_STORE]):
            shop = Shop(store_id=store.id, platform=platform, platform_shop_id=f"b{s}-{k}", name=f"店铺{s + 1}-{k + 1}")
            session.add(shop)
            session.flush()
            shops.append((store.id, shop.id, platform))
    session.commit()
    return shops


def _order_rows(n: int, start: int, shops: list, first: datetime, rng: random.Random) -> tuple[list, list]:
    orders, lines = [], []
    span = 365 * 86400
    for i in range(start, start + n):
        store_id, shop_id, platform = shops[rng.randrange(len(shops))]
        # busier at lunch and dinner: a triangular hour of day
        day = rng.randrange(365)
        second = int(rng.triangular(7 * 3600, 23 * 3600, 18 * 3600))
        placed = first + timedelta(seconds=min(span - 1, day * 86400 + second))
        cancelled = rng.random() < 0.08
        goods = rng.randrange(500, 30_000)
        pdis, mdis = rng.randrange(0, 500), rng.randrange(0, 800)
        accepted = placed + timedelta(seconds=rng.randrange(5, 600))
        ready = accepted + timedelta(seconds=rng.randrange(60, 1200))
        shipped = ready + timedelta(seconds=rng.randrange(30, 900))
        delivered = shipped + timedelta(seconds=rng.randrange(300, 3600))
        orders.append(
            {
                "id": i, "platform": platform, "shop_id": shop_id, "store_id": store_id,
                "platform_order_id": f"B{i}", "status": "cancelled" if cancelled else "completed",
                "goods_fen": goods, "freight_fen": 300, "packing_fen": 100,
                "platform_discount_fen": pdis, "merchant_discount_fen": mdis,
                "paid_fen": goods + 400 - pdis - mdis, "merchant_receivable_fen": goods - mdis,
                "placed_at": placed, "accepted_at": accepted, "accept_deadline_at": placed + timedelta(seconds=300),
                "ready_at": None if cancelled else ready, "shipped_at": None if cancelled else shipped,
                "delivered_at": None if cancelled else delivered,
                "cancelled_by": "user" if cancelled else None, "cancel_reason": "不想要了" if cancelled else None,
                "created_at": placed, "updated_at": placed,
            }
        )  # fmt: skip
        sku = rng.randrange(SKUS)
        qty = rng.randrange(1, 4)
        lines.append(
            {
                "order_id": i,
                "line_no": 1,
                "platform_sku_id": f"S{sku}",
                "name": f"商品{sku}",
                "quantity": qty,
                "paid_fen": goods - mdis,
                "unit_price_fen": goods // qty,
            }  # fmt: skip
        )
    return orders, lines


def build(engine, n: int, seed: int = 7) -> tuple[float, Period]:
    """Insert n orders; returns (seconds, the year they cover)."""
    today = datetime.now(SHANGHAI).date()
    year = Period(today - timedelta(days=364), today)
    first = datetime.combine(year.first, datetime.min.time(), SHANGHAI).astimezone(UTC)
    rng = random.Random(seed)
    started = time.perf_counter()
    with Session(engine) as session:
        shops = _stores(session)
    with engine.connect() as conn:
        for start in range(1, n + 1, CHUNK):
            orders, lines = _order_rows(min(CHUNK, n + 1 - start), start, shops, first, rng)
            with conn.begin():
                conn.execute(Order.__table__.insert(), orders)
                conn.execute(OrderLine.__table__.insert(), lines)
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))"))
            conn.commit()
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
    return time.perf_counter() - started, year


def page(engine, actor: Actor, year: Period) -> float:
    """Milliseconds to compute every table the page shows for the year."""
    started = time.perf_counter()
    with Session(engine) as session:
        q = ReportQuery(actor=actor, period=year)
        for key in PAGE_REPORTS:
            registry.table(session, key, q)
        session.rollback()
    return (time.perf_counter() - started) * 1000


def raw(engine, year: Period) -> float:
    started = time.perf_counter()
    with Session(engine) as session:
        rows = raw_daily(session, year.first, year.last)
        session.rollback()
    assert rows
    return (time.perf_counter() - started) * 1000


def bucket_cost(engine, year: Period, samples: int = 20) -> tuple[float, float]:
    """(p95 ms, mean orders) of recomputing one random (store, day) bucket: what every commit
    that changes an order of that store-day adds to its transaction."""
    rng = random.Random(3)
    times, sizes = [], []
    with Session(engine) as session:
        stores = list(session.execute(sa.select(Store.id)).scalars())
        for _ in range(samples):
            store_id, day = rng.choice(stores), year.first + timedelta(days=rng.randrange(year.days))
            started = time.perf_counter()
            rollups.recompute(session, [(store_id, day)])  # the write path: the day, then its month's delta
            session.commit()
            times.append((time.perf_counter() - started) * 1000)
            sizes.append(rollups.rewrite(session, store_id, day, day))  # (again, to count its orders)
            session.rollback()
    return p95(times), sum(sizes) / len(sizes)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def run(args: argparse.Namespace) -> dict:
    url, drop = _database(args.db)
    try:
        upgrade_db(url)
        engine = make_engine(url)
        build_s, year = build(engine, args.orders)
        print(f"built {args.orders} orders in {build_s:.1f} s", flush=True)
        started = time.perf_counter()
        with Session(engine) as session:
            read = rebuild.rebuild(session, commit=True)
            session.commit()
        rebuild_s = time.perf_counter() - started
        print(f"rebuilt rollups from {read} orders in {rebuild_s:.1f} s", flush=True)
        admin = Actor(user_id=0, username="bench", role="admin", all_stores=True)
        page(engine, admin, year)  # warm the caches once, like a page that was opened before
        times = [page(engine, admin, year) for _ in range(args.repeat)]
        raws = [raw(engine, year) for _ in range(3)]
        bucket_p95, bucket_orders = bucket_cost(engine, year)
        engine.dispose()
        report_p95, raw_ms = p95(times), min(raws)
        return {
            "orders": args.orders,
            "report_p95_ms": round(report_p95, 1),
            "report_median_ms": round(sorted(times)[len(times) // 2], 1),
            "raw_group_by_ms": round(raw_ms, 1),
            "ratio": round(report_p95 / raw_ms, 4),
            "db": args.db,
            "repeat": args.repeat,
            "reports_per_page": len(PAGE_REPORTS),
            "build_s": round(build_s, 1),
            "rebuild_s": round(rebuild_s, 1),
            "bucket_recompute_p95_ms": round(bucket_p95, 1),
            "orders_per_bucket": round(bucket_orders),
            "cpu_count": os.cpu_count(),
        }
    finally:
        drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=None, help="orders to build (default 1,000,000; quick 100,000)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=20, help="page computations timed")
    args = parser.parse_args(argv)
    args.orders = args.orders or (100_000 if args.quick else 1_000_000)
    result = run(args)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
