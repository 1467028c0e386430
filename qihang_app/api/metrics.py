"""GET /metrics in the Prometheus text format.

Every figure is read when scraped — database gauges, Redis counters (qihang_app/metrics.py) — so
any app process answers for all processes. Access: with METRICS_TOKEN set, a bearer token (or
?token=); without it, only internal addresses (loopback and private networks, the forwarded
client included when a proxy says who it was).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress

import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from qihang_app import metrics
from qihang_app.config import get_settings
from qihang_app.db import get_engine
from qihang_app.domain.order_status import Platform
from qihang_app.models import INBOX_STATUSES, OUTBOX_STATUSES
from qihang_app.services.ops_metrics import DbFigures, read_figures
from qihang_app.services.system import QUEUE_KEY


def _internal(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private


def allowed(request: Request, token: str) -> bool:
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        given = given or request.query_params.get("token", "")
        return bool(given) and hmac.compare_digest(given.encode(), token.encode())
    hops = [request.client.host if request.client else ""]
    hops += [h for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    hops += [request.headers.get("x-real-ip", "")] if request.headers.get("x-real-ip") else []
    return all(_internal(h) for h in hops)


class _Figures:
    """A one-shot collector over figures already read (prometheus_client calls collect())."""

    def __init__(self, db: DbFigures | None, counters: dict | None, queue_depth: int | None) -> None:
        self.db, self.counters, self.queue_depth = db, counters, queue_depth

    def collect(self):
        up = GaugeMetricFamily("qihang_up", "1 when that part answered this scrape", labels=["part"])
        up.add_metric(["database"], 1 if self.db else 0)
        up.add_metric(["redis"], 1 if self.counters is not None else 0)
        yield up
        if self.db:
            yield from self._database(self.db)
        if self.counters is not None:
            yield from self._redis(self.counters)

    def _database(self, db: DbFigures):
        orders = CounterMetricFamily(
            "qihang_orders_ingested", "Orders in the order center by platform", labels=["platform"]
        )
        for platform in sorted(set(db.orders_by_platform) | {p.value for p in Platform}):
            orders.add_metric([platform], db.orders_by_platform.get(platform, 0))
        yield orders
        inbox = GaugeMetricFamily("qihang_inbox_depth", "Inbox rows not processed, by status", labels=["status"])
        for status in INBOX_STATUSES:
            if status != "processed":
                inbox.add_metric([status], db.inbox_by_status.get(status, 0))
        yield inbox
        outbox = GaugeMetricFamily("qihang_outbox_depth", "Outbox rows not done, by status", labels=["status"])
        for status in OUTBOX_STATUSES:
            if status != "done":
                outbox.add_metric([status], db.outbox_by_status.get(status, 0))
        yield outbox
        yield GaugeMetricFamily(
            "qihang_outbox_dead", "Outbox rows that gave up", value=db.outbox_by_status.get("dead", 0)
        )
        ages = GaugeMetricFamily(
            "qihang_worker_heartbeat_age_seconds", "Seconds since each worker's heartbeat", labels=["worker"]
        )
        for worker, age in sorted(db.worker_ages.items()):
            ages.add_metric([worker], age)
        yield ages
        newest = min(db.worker_ages.values()) if db.worker_ages else float("inf")
        yield GaugeMetricFamily(
            "qihang_worker_newest_heartbeat_age_seconds", "Age of the freshest heartbeat", value=newest
        )
        alerts = GaugeMetricFamily("qihang_alerts_open", "Open alert problems by rule", labels=["rule"])
        for rule, count in sorted(db.alerts_open.items()):
            alerts.add_metric([rule], count)
        yield alerts

    def _redis(self, counters: dict):
        erp = CounterMetricFamily("qihang_erp_push_results", "ERP push results", labels=["erp", "result"])
        for field, count in sorted(counters["erp_push"].items()):
            name, _, result = field.partition("|")
            erp.add_metric([name, result], float(count))
        yield erp
        raw = counters["latency"]
        buckets = [(str(b), float(raw.get(f"le:{b}", 0))) for b in metrics.LATENCY_BUCKETS]
        buckets.append(("+Inf", float(raw.get("le:+Inf", 0))))
        yield HistogramMetricFamily(
            "qihang_ingest_latency_seconds",
            "Push received to order committed",
            buckets=buckets,
            sum_value=float(raw.get("sum", 0)),
        )
        yield GaugeMetricFamily(
            "qihang_board_connections", "Open dispatch boards in every app process", value=counters["boards"]
        )
        if self.queue_depth is not None:
            yield GaugeMetricFamily("qihang_queue_depth", "Jobs waiting in the arq queue", value=self.queue_depth)


def _read_db(engine) -> DbFigures:
    with Session(engine) as session:
        return read_figures(session)


async def _read_redis(url: str) -> tuple[dict, int]:
    client = aioredis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        return await metrics.read_counters(client), int(await client.zcard(QUEUE_KEY))
    finally:
        await client.aclose()


async def render(*, engine=None, redis_url: str | None = None) -> bytes:
    try:
        db = await asyncio.to_thread(_read_db, engine or get_engine())
    except Exception:
        db = None
    try:
        counters, depth = await _read_redis(redis_url or get_settings().redis_url)
    except Exception:
        counters, depth = None, None
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Figures(db, counters, depth))
    return generate_latest(registry)


async def endpoint(request: Request) -> Response:
    settings = get_settings()
    if not allowed(request, settings.metrics_token.get_secret_value()):
        return PlainTextResponse("forbidden\n", status_code=403)
    state = request.app.state
    body = await render(
        engine=getattr(state, "metrics_engine", None), redis_url=getattr(state, "metrics_redis_url", None)
    )
    return Response(body, media_type=CONTENT_TYPE_LATEST)
