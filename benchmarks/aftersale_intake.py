"""Benchmark of refund intake: what the after-sale center adds to ingesting refund messages.

    .venv/bin/python -m benchmarks.aftersale_intake                 # 400 orders, SQLite file
    .venv/bin/python -m benchmarks.aftersale_intake --orders 200 --db postgresql+psycopg://…/scratch

`--db` must name a throwaway database: it is migrated and filled.

On a fresh migrated database, N paid orders are ingested; then, in batches of 50 like the
ingest worker:

1. limit: N thin order events (a platform "confirmed" message) through `apply_batch` — the same
   inbox claim, order load and write, without an after-sale → events_per_s (the raw limit);
2. refunds: N refund requests → one after-sale record each (lines, timeline, the order's
   after-sale state) → refunds_per_s, ratio = refunds_per_s / events_per_s;
3. repeat: the same N refund messages again (duplicates: nothing may change) → repeats_per_s.

Prints `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import integrations.registry  # noqa: E402,F401  (profiles)
from benchmarks.ingest_common import say  # noqa: E402
from qihang_app.db import make_engine, upgrade_db  # noqa: E402
from qihang_app.domain.order_status import OrderStatus, Platform  # noqa: E402
from qihang_app.domain.platform_order import (  # noqa: E402
    EventKind,
    PlatformEvent,
    PlatformOrder,
    PlatformOrderLine,
    PlatformRefund,
    RefundKind,
    RefundStatus,
)
from qihang_app.services import inbox, stores  # noqa: E402
from qihang_app.services.inbox import RawMessage  # noqa: E402
from qihang_app.services.ingest import IngestItem, apply_batch  # noqa: E402
from tests.services.factories import make_actor  # noqa: E402

T0 = datetime(2026, 11, 27, 2, tzinfo=UTC)
BATCH = 50


def _order(no: str) -> PlatformOrder:
    lines = [PlatformOrderLine(f"I{i}", f"S{i}", f"商品{i}", 1 + i % 2, 500, 500 * (1 + i % 2)) for i in range(3)]
    return PlatformOrder(Platform.MEITUAN, "mt-b", no, OrderStatus.TO_SHIP, "4", T0, T0, paid_fen=2000, lines=lines)


def _event(no: str, kind: str, at: datetime) -> PlatformEvent:
    refund = None
    if kind == "refund":
        refund = PlatformRefund(Platform.MEITUAN, "mt-b", f"R{no}", no, RefundKind.FULL, RefundStatus.APPLIED, 2000,
                                reason="不想要了", updated_at=at, deadline_at=at + timedelta(hours=24))  # fmt: skip
    return PlatformEvent(
        kind=EventKind.REFUND if refund else EventKind.CONFIRMED,
        platform=Platform.MEITUAN,
        platform_shop_id="mt-b",
        platform_order_id=no,
        raw_type=kind,
        occurred_at=at,
        refund=refund,
    )


def _run(session, shop_id: int, payloads: list) -> float:
    started = time.perf_counter()
    for start in range(0, len(payloads), BATCH):
        chunk = payloads[start : start + BATCH]
        ids = inbox.store_raw(
            session, [RawMessage(source="meituan", kind="b", body="{}", shop_id=shop_id) for _ in chunk]
        )
        items = []
        for inbox_id, payload in zip(ids, chunk):
            item = IngestItem(inbox_id=inbox_id, shop_id=shop_id, source="bench")
            (item.orders if isinstance(payload, PlatformOrder) else item.events).append(payload)
            items.append(item)
        apply_batch(session, items=items)
        session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_db(url)
    engine = make_engine(url)
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        admin = make_actor(session, "bench", "admin")
        store = stores.create_store(session, actor=admin, name="压测店")
        shop = stores.create_shop(session, actor=admin, store_id=store.id, platform="meituan", platform_shop_id="mt-b",
                                  name="美团压测", credentials={"app_secret": "s"})  # fmt: skip
        session.commit()
        nos = [f"B{i:06d}" for i in range(args.orders)]
        say(f"ingesting {len(nos)} orders")
        _run(session, shop.id, [_order(no) for no in nos])
        limit = _run(session, shop.id, [_event(no, "confirmed", T0 + timedelta(minutes=1)) for no in nos])
        refunds = _run(session, shop.id, [_event(no, "refund", T0 + timedelta(minutes=2)) for no in nos])
        repeats = _run(session, shop.id, [_event(no, "refund", T0 + timedelta(minutes=2)) for no in nos])
    n = len(nos)
    result = {
        "db": engine.dialect.name,
        "orders": n,
        "events_per_s": round(n / limit, 1),
        "refunds_per_s": round(n / refunds, 1),
        "ratio": round(limit / refunds, 3),
        "repeats_per_s": round(n / repeats, 1),
    }
    engine.dispose()
    print("RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
