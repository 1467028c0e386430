"""Benchmark of order pushes to the ERP twins: each real-ERP adapter against its sandbox twin.

    .venv/bin/python -m benchmarks.erp_push              # 600 orders per ERP, 8 in flight
    .venv/bin/python -m benchmarks.erp_push --orders 200 --concurrency 4

The sandbox runs in its own process on 127.0.0.1 (uvicorn), its ERP twins without rate limits
and without shipping. Per ERP, the same connection pool drives:

1. bare: GET /_control/health on the same server, as fast as it answers → bare_per_s (the limit);
2. push: `push_order` of distinct orders (signing, form/JSON encoding, the twin's signature
   check and upsert, answer parsing) → pushes_per_s, ratio = pushes_per_s / bare_per_s, and
   push latency p50 / p99. 金蝶 makes two calls per push (look up the FBillNo, then Save).

One `CONFIG {json}` line per ERP, then `RESULT {json}` with all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.ingest_common import free_port, say  # noqa: E402
from benchmarks.procs import child_setup  # noqa: E402
from integrations import registry  # noqa: E402
from integrations.base import RetryPolicy  # noqa: E402
from integrations.erp_base import ErpConnection  # noqa: E402
from tests.integrations.erp_support import order  # noqa: E402

PREFIXES = {"jushuitan": "/jushuitan", "wdt": "/wdt/openapi2", "kingdee": "/kingdee/k3cloud"}


async def _drive(count: int, concurrency: int, one) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(count))

    async def lane() -> None:
        for n in queue:
            started = time.perf_counter()
            await one(n)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return count / (time.perf_counter() - started), latencies


def _p(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1] * 1000, 2)


async def run(url: str, erp: str, count: int, concurrency: int) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(trust_env=False, limits=limits, timeout=30) as http:
        await http.post(f"{url}/_control/erp/{erp}/settings", json={"per_second": 0, "per_minute": 0, "ship_delay": -1})
        kind = registry.erp(erp)
        conn = ErpConnection(erp, url + PREFIXES[erp], dict(kind.twin().demo_keys))
        adapter = kind.connect(conn, http, RetryPolicy(max_attempts=1, attempt_timeout=30, total_timeout=30))
        await _drive(50, concurrency, lambda n: http.get(f"{url}/_control/health"))  # warm the pool
        bare, _ = await _drive(count, concurrency, lambda n: http.get(f"{url}/_control/health"))
        stamp = time.time_ns()
        pushes, latencies = await _drive(
            count, concurrency, lambda n: adapter.push_order(order(f"B{stamp}-{n}"), idempotency_key=str(n))
        )
    return {
        "erp": erp,
        "orders": count,
        "concurrency": concurrency,
        "bare_per_s": round(bare, 1),
        "pushes_per_s": round(pushes, 1),
        "ratio": round(pushes / bare, 3),
        "push_p50_ms": _p(latencies, 50),
        "push_p99_ms": _p(latencies, 99),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.erp_push")
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    port = free_port()
    command = [sys.executable, "-m", "integrations.sandbox", "--port", str(port), "--no-demo-shops"]
    sandbox = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, preexec_fn=child_setup)  # noqa: PLW1509
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/_control/health", trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the sandbox did not start")
            time.sleep(0.1)
        configs = []
        for erp in PREFIXES:
            result = asyncio.run(run(url, erp, args.orders, args.concurrency))
            say("CONFIG " + json.dumps(result, ensure_ascii=False))
            configs.append(result)
        say("RESULT " + json.dumps({"configs": configs}, ensure_ascii=False))
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
