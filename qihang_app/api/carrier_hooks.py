"""Carrier status callbacks: POST /api/webhooks/carriers/<carrier>.

Verified against the store accounts of that carrier (a callback names no account, so each enabled
account's keys are tried), kept raw in the inbox (processed, failed or rejected, with the reason),
applied to the delivery in the same transaction (services.deliveries: repeats and late arrivals
change nothing), committed, then the boards of the store are told. A callback for a ride not
recorded yet is kept and applied when its booking is (services.deliveries_waiting). The carrier gets its own ack
body; a bad signature its refusal (it retries, and the raw copy shows what came).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations import registry
from integrations.base import PlatformError
from qihang_app import live
from qihang_app.db import session_scope
from qihang_app.services import carrier_accounts, deliveries, deliveries_waiting
from qihang_app.services.inbox import RawMessage, store_raw

log = logging.getLogger("qihang_app.api.carrier_hooks")

PATH = "/api/webhooks/carriers/{carrier}"
KIND = "carrier_callback"


def _verified_account(kind, accounts, body: bytes, headers, query):
    for account in accounts:
        try:
            if kind.connect(account).verify_callback(body, headers, query):
                return account
        except PlatformError:  # an account with missing keys cannot verify anything
            continue
    return None


def _handle(engine: Engine | None, carrier: str, body: bytes, headers: dict, query: dict) -> tuple[str, tuple | None]:
    """('ok' | 'rejected' | 'failed', (store id, order id) of a changed order)."""
    kind = registry.carrier(carrier)
    text = body.decode("utf-8", "replace")
    kept = {"content-type": headers.get("content-type", ""), "query": query}
    with session_scope(engine) as session:
        account = _verified_account(
            kind, carrier_accounts.accounts_of_carrier(session, carrier=carrier), body, headers, query
        )
        if account is None:
            store_raw(
                session,
                [
                    RawMessage(
                        carrier, KIND, text, headers=kept, status="rejected", error="bad signature or unknown account"
                    )
                ],
            )
            return "rejected", None
        kept["account_id"] = account.id
        try:
            update = kind.connect(account).parse_callback(body)
        except (ValueError, KeyError, TypeError) as exc:
            store_raw(
                session, [RawMessage(carrier, KIND, text, headers=kept, status="failed", error=f"unreadable: {exc}")]
            )
            return "failed", None
        row = deliveries.apply_update(session, carrier=carrier, update=update, account_id=account.id)
        if row is None:
            # A fast carrier can call back before our booking is recorded (create returns, then
            # the worker writes the ride): keep it; record_booking applies it.
            row = deliveries_waiting.keep(
                session, carrier=carrier, update=update, account_id=account.id, body=text, headers=kept
            )
        else:
            store_raw(session, [RawMessage(carrier, KIND, text, headers=kept, status="processed")])
        if row is not None:
            return "ok", (row.store_id, row.order_id, row.status)
    # SQLite: the booking's writer may have committed just before ours without seeing the kept
    # callback (PostgreSQL takes turns under a lock instead): look once more, now it is stored.
    with session_scope(engine) as session:
        if deliveries_waiting.apply_waiting(session, carrier=carrier, order_ref=update.order_ref):
            row = deliveries.find(session, carrier=carrier, order_ref=update.order_ref)
            return "ok", (row.store_id, row.order_id, row.status)
    return "ok", None  # acked: kept until its booking is recorded


async def receive(request: Request) -> Response:
    carrier = request.path_params["carrier"]
    try:
        kind = registry.carrier(carrier)
    except LookupError:
        return JSONResponse({"error": f"unknown carrier {carrier!r}"}, status_code=404)
    body = await request.body()
    engine = getattr(request.app.state, "carrier_engine", None)
    try:
        outcome, changed = await asyncio.to_thread(
            _handle, engine, carrier, body, dict(request.headers), dict(request.query_params)
        )
    except Exception:
        log.exception("%s callback could not be stored", carrier)
        return JSONResponse({"error": "storage unavailable, retry later"}, status_code=503)
    if outcome == "rejected":
        log.warning("%s callback rejected: bad signature", carrier)
        return JSONResponse(kind.callback_refused, status_code=403)
    if outcome == "failed":
        return JSONResponse(kind.callback_refused, status_code=400)
    if changed is not None:
        store_id, order_id, status = changed
        await asyncio.to_thread(
            live.publish_sync, store_id, live.note(order_id=order_id, store_id=store_id, status=status, kind="rider")
        )
    return JSONResponse(kind.callback_ack)


def build_routes() -> list[Route]:
    return [Route(PATH, receive, methods=["POST"])]
