"""ERP work of the worker: perform an ERP outbox row through its kind's adapter, poll shipments
for kinds that need it, and answer 测试连接. The kinds plug in through integrations.registry.ERPS."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx

from integrations import registry
from integrations.base import PlatformError
from qihang_app.domain.messages import encode
from qihang_app.models import utcnow
from qihang_app.services import erp_connections, erp_inbound, erp_push, outbox, shipments
from workers.tasks.ingest import run_db

log = logging.getLogger("workers.erp")
POLL_LOOKBACK = timedelta(hours=1)  # first poll of a connection reads this far back


def erp_words(exc: BaseException) -> str:
    """The ERP's answer in plain words (encoded for the reader's language), its own words kept."""
    if isinstance(exc, PlatformError):
        said = f"{exc.code} {' '.join(exc.message.split())[:200]}".strip()
        if exc.code == "timeout":
            return encode("erp_err.timeout")
        if exc.code == "network":
            return encode("erp_err.network")
        if exc.code in ("http_401", "http_403"):
            return encode("erp_err.credentials", said=said)
        if exc.code == "http_429" or exc.code in getattr(registry.ERPS.get(exc.platform), "rate_limit_codes", ()):
            return encode("erp_err.rate_limited", said=said)
        if exc.code.startswith("http_5"):
            return encode("erp_err.unavailable", said=said)
        return encode("erp_err.said", said=said)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return encode("erp_err.timeout")
    return encode("erp_err.unexpected")


def erp_order(data: dict) -> dict:
    """The outbox's JSON order as the contract's ErpOrder: its times are datetimes again."""
    order = dict(data)
    for name in ("created_at", "paid_at"):
        if isinstance(order.get(name), str):
            order[name] = datetime.fromisoformat(order[name])
    return order


async def perform_erp(
    ctx: dict[str, Any], effect: outbox.Effect, conns: dict | None = None
) -> tuple[bool, str, bool, str]:
    """(ok, error, retryable, erp document number) of one ERP row; `conns` caches connections."""
    conn_id = int(effect.payload.get("connection_id") or 0)
    conns = {} if conns is None else conns
    if conn_id not in conns:
        conns[conn_id] = await run_db(ctx, lambda s: erp_connections.connection_keys(s, connection_id=conn_id))
    conn = conns[conn_id]
    kind = registry.ERPS.get(conn.erp) if conn is not None else None
    if conn is None or kind is None or not conn.enabled:
        return False, encode("erp_err.no_connection"), False, ""
    adapter = kind.connect(conn)
    data, key = effect.payload.get("data") or {}, effect.idempotency_key
    try:
        event = erp_push.KINDS[effect.kind]
        if event is erp_push.ErpEvent.ORDER:
            return True, "", False, await adapter.push_order(erp_order(data), idempotency_key=key)
        if event is erp_push.ErpEvent.CANCEL:
            pushed = erp_order(data["order"]) if data.get("order") else None
            await adapter.cancel_order(
                str(data.get("order_no", "")), reason=str(data.get("reason", "")), idempotency_key=key, order=pushed
            )
            return True, "", False, ""
        return True, "", False, await adapter.push_after_sale(data, idempotency_key=key)
    except PlatformError as exc:
        return False, erp_words(exc), exc.retryable, ""
    except Exception as exc:  # a bug or a broken answer: retry, keep the reason in the log
        log.exception("erp outbox %s crashed", effect.id)
        return False, erp_words(exc), True, ""


async def poll_erp_shipments(ctx: dict[str, Any]) -> dict:
    """Shipments of the kinds that are polled (fetch_shipments, then ack_shipments)."""
    conns = await run_db(ctx, erp_connections.polled_connections)
    recorded = 0
    for conn, since in conns:
        kind = registry.ERPS.get(conn.erp)
        if kind is None:
            continue
        started = utcnow()
        try:
            found = await kind.connect(conn).fetch_shipments(since or started - POLL_LOOKBACK)
        except PlatformError as exc:
            log.warning("erp %s shipment poll failed: %s", conn.id, exc)
            continue
        results = await run_db(
            ctx,
            lambda s, c=conn, f=found: [
                shipments.record_from_erp(s, connection_id=c.id, shipment=x, source="poll") for x in f
            ],
        )
        recorded += sum(1 for r in results if r.created)
        taken = [x for x, r in zip(found, results, strict=True) if r.order_id is not None]
        if taken:
            await kind.ack_shipments(conn, taken)
        await _after_sale_results(ctx, kind.connect(conn), conn.id, since or started - POLL_LOOKBACK)
        await run_db(ctx, lambda s, c=conn, at=started: erp_connections.polled(s, connection_id=c.id, at=at))
    return {"recorded": recorded}


async def _after_sale_results(ctx: dict[str, Any], adapter: Any, conn_id: int, since) -> None:
    """Kinds whose after-sale outcomes come by polling (聚水潭's 补发 / 换货 orders) offer
    fetch_after_sale_results; what they report is kept for the after-sales center."""
    fetch = getattr(adapter, "fetch_after_sale_results", None)
    if fetch is None:
        return
    try:
        found = await fetch(since)
    except PlatformError as exc:
        log.warning("erp %s after-sale poll failed: %s", conn_id, exc)
        return
    for result in found:
        await run_db(ctx, lambda s, r=result: erp_inbound.polled_after_sale(s, connection_id=conn_id, result=r))


async def test_erp_connection(ctx: dict[str, Any], connection_id: int) -> str:
    """测试连接: the kind's own cheap call; the answer is stored on the connection in plain words."""
    conn = await run_db(ctx, lambda s: erp_connections.connection_keys(s, connection_id=connection_id))
    kind = registry.ERPS.get(conn.erp) if conn is not None else None
    if kind is None:
        message = encode("erp_err.no_connection")
    else:
        key, params = await kind.check_connection(conn)
        message = encode(key, **params)
    await run_db(ctx, lambda s: erp_connections.record_check(s, connection_id=connection_id, message=message))
    return message
