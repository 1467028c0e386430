"""GET /metrics: Prometheus text that prometheus-client's own parser reads, figures from every
process (counts in Redis, gauges read at scrape time), and who may read it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session
from starlette.requests import Request

from qihang_app.api.metrics import allowed
from qihang_app.models import OutboxMessage, utcnow
from qihang_app.services import system
from tests.ingest_support import drain_all
from workers.tasks.heartbeat import heartbeat

pytestmark = pytest.mark.timeout(120)

# Two other processes count, as an ERP relay and an app process holding boards would.
COUNTER_PROCESS = """
import asyncio, sys
import redis, redis.asyncio as aioredis
from qihang_app import metrics
url = sys.argv[1]
for _ in range(5):
    metrics.count_erp_push_sync(redis.Redis.from_url(url), erp="demo_erp", result="ok")
metrics.count_erp_push_sync(redis.Redis.from_url(url), erp="demo_erp", result="refused")
async def boards():
    client = aioredis.from_url(url)
    await metrics.report_boards(client, 2)
    await client.aclose()
asyncio.run(boards())
"""


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return out


async def test_metrics_count_what_every_process_did(oms, ctx, redis_url):
    pair = oms.add_shop("meituan")
    for _ in range(3):
        oms.new_order(pair)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    await heartbeat(ctx)
    with Session(oms.engine) as session:
        for n, status in enumerate(("pending", "dead", "dead")):
            session.add(OutboxMessage(kind="platform_accept", target="meituan", idempotency_key=f"k{n}", status=status))
        system.record_heartbeat(session, worker_id="old-worker", host="h", pid=1, now=utcnow() - timedelta(seconds=300))
        session.commit()
    env = {**os.environ, "REDIS_URL": redis_url}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNTER_PROCESS, redis_url], env=env, check=True, timeout=60)

    response = httpx.get(oms.api_url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    got = samples(response.text)
    assert got["qihang_orders_ingested_total", (("platform", "meituan"),)] == 3
    assert got["qihang_orders_ingested_total", (("platform", "douyin_laike"),)] == 0
    pushes = len(oms.inbox())
    assert got["qihang_ingest_latency_seconds_count", ()] == pushes >= 3
    assert got["qihang_ingest_latency_seconds_bucket", (("le", "+Inf"),)] == pushes
    assert 0 < got["qihang_ingest_latency_seconds_sum", ()] < 60 * pushes
    assert got["qihang_outbox_depth", (("status", "pending"),)] == 1
    assert got["qihang_outbox_dead", ()] == 2
    assert got["qihang_inbox_depth", (("status", "received"),)] == 0
    assert got["qihang_erp_push_results_total", (("erp", "demo_erp"), ("result", "ok"))] == 10
    assert got["qihang_erp_push_results_total", (("erp", "demo_erp"), ("result", "refused"))] == 2
    assert got["qihang_board_connections", ()] == 4  # 2 in each of the two processes
    assert got["qihang_worker_heartbeat_age_seconds", (("worker", "old-worker"),)] >= 300
    assert got["qihang_worker_newest_heartbeat_age_seconds", ()] < 60
    assert got["qihang_up", (("part", "database"),)] == got["qihang_up", (("part", "redis"),)] == 1


def test_an_outside_address_behind_the_proxy_is_refused(oms):
    assert httpx.get(oms.api_url + "/metrics", headers={"X-Forwarded-For": "8.8.8.8"}).status_code == 403
    assert httpx.get(oms.api_url + "/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200


def _request(client: str, headers: dict[str, str] | None = None, query: str = "") -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "headers": raw, "client": (client, 1234), "query_string": query.encode()})


def test_with_a_token_only_the_token_opens_it():
    assert allowed(_request("8.8.4.4", {"Authorization": "Bearer s3cret"}), "s3cret")
    assert allowed(_request("8.8.4.4", query="token=s3cret"), "s3cret")
    assert not allowed(_request("127.0.0.1"), "s3cret")  # loopback needs it too once it is set
    assert not allowed(_request("127.0.0.1", {"Authorization": "Bearer wrong"}), "s3cret")
    assert allowed(_request("192.168.1.5"), "")
    assert not allowed(_request("8.8.4.4"), "")


def test_the_sample_dashboard_asks_only_for_metrics_that_exist(oms):
    text = httpx.get(oms.api_url + "/metrics").text
    names = {name for name, _ in samples(text)}
    for family in text_string_to_metric_families(text):  # families without samples yet count too
        names |= {family.name, family.name + "_total", family.name + "_bucket"}
    dashboard = json.loads((Path(__file__).resolve().parents[2] / "docs/grafana-dashboard.json").read_text())
    asked = {m for p in dashboard["panels"] for t in p["targets"] for m in re.findall(r"qihang_[a-z_]+", t["expr"])}
    assert asked and asked <= names, asked - names
