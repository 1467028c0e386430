"""Benchmark of the carrier callback route: signed 达达 callbacks (each state of each ride, half of
them sent twice, shuffled) through POST /api/webhooks/carriers/dada on loopback, against the raw
limit of the same client hitting GET /api/version on the same server.

    .venv/bin/python -m benchmarks.rider_callbacks            # 200 rides, 8 at a time

Each callback is verified, kept raw, applied through rider_state.winner (the order follows, the
platform's outbox row is written) and committed before it is answered. The last line is
`RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlmodel import Session, select

import integrations.registry  # noqa: F401  (the carriers)
from integrations.dada import wire
from integrations.sandbox.server import ServerThread
from qihang_app.api.routes import build_api
from qihang_app.db import make_engine, upgrade_db
from qihang_app.models import Order, Shop, User
from qihang_app.services import auth, carrier_accounts, deliveries, stores
from qihang_app.services.crypto import hash_password

STEPS = ((2, "rider_accepted"), (100, "at_store"), (3, "delivering"), (4, "delivered"))


def seed(engine, rides: int) -> list[str]:
    with Session(engine, expire_on_commit=False) as session:
        user = User(username="bench", password_hash=hash_password("bench-pass-123"), role="admin")
        session.add(user)
        session.flush()
        actor = auth.actor_for_user(session, user)
        store = stores.create_store(session, actor=actor, name="压测门店", lat=31.229, lng=121.448)
        shop = Shop(store_id=store.id, platform="offline", platform_shop_id="bench", name="bench")
        session.add(shop)
        session.flush()
        keys = {"app_key": "k", "app_secret": "s", "source_id": "1", "shop_no": "1"}
        account = carrier_accounts.save_account(session, actor=actor, store_id=store.id, carrier="dada", keys=keys)
        refs = []
        for n in range(rides):
            order = Order(platform="offline", shop_id=shop.id, store_id=store.id, platform_order_id=f"B{n}",
                          status="to_ship", delivery_type="self")  # fmt: skip
            session.add(order)
            session.flush()
            ref = f"QH{order.id}"
            deliveries.record_booking(session, order_id=order.id, carrier="dada", order_ref=ref,
                                      carrier_order_id=ref, fee_fen=700, account_id=account.id)  # fmt: skip
            refs.append(ref)
        session.commit()
        return refs


def callbacks(refs: list[str], rng: random.Random) -> list[bytes]:
    bodies = []
    start = int(time.time())
    for ref in refs:
        for i, (code, _) in enumerate(STEPS):
            fields = {"client_id": f"D{ref}", "order_id": ref, "order_status": code, "update_time": start + i,
                      "dm_name": "周杰", "dm_mobile": "13077777868"}  # fmt: skip
            fields["signature"] = wire.callback_signature(fields)
            bodies.append(json.dumps(fields).encode())
    bodies += rng.sample(bodies, len(bodies) // 2)
    rng.shuffle(bodies)
    return bodies


async def fire(url: str, bodies: list[bytes] | None, count: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = list(range(count))
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:

        async def worker():
            while queue:
                i = queue.pop()
                t0 = time.perf_counter()
                if bodies is None:
                    answer = await client.get(url)
                else:
                    answer = await client.post(url, content=bodies[i], headers={"content-type": "application/json"})
                assert answer.status_code == 200, answer.text
                latencies.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rides", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade_db(url)
        engine = make_engine(url)
        refs = seed(engine, args.rides)
        bodies = callbacks(refs, random.Random(7))
        with ServerThread(build_api(engine=engine, enqueue=False)) as server:
            raw_s, raw_ms = asyncio.run(fire(f"{server.url}/api/version", None, len(bodies), args.concurrency))
            cb_s, cb_ms = asyncio.run(
                fire(f"{server.url}/api/webhooks/carriers/dada", bodies, len(bodies), args.concurrency)
            )
        with Session(engine) as session:
            done = len(session.exec(select(Order.id).where(Order.status == "completed")).all())
        engine.dispose()
    result = {
        "callbacks": len(bodies),
        "rides": args.rides,
        "completed": done,
        "callbacks_per_s": round(len(bodies) / cb_s, 1),
        "raw_requests_per_s": round(len(bodies) / raw_s, 1),
        "ratio_to_raw": round(raw_s / cb_s, 3),
        "p50_ms": round(statistics.median(cb_ms), 1),
        "p95_ms": round(statistics.quantiles(cb_ms, n=20)[-1], 1),
        "raw_p50_ms": round(statistics.median(raw_ms), 1),
    }
    print(f"{len(bodies)} callbacks of {args.rides} rides: {result['callbacks_per_s']}/s "
          f"({result['ratio_to_raw']:.0%} of the raw {result['raw_requests_per_s']}/s), "
          f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms; {done} orders completed")  # fmt: skip
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
