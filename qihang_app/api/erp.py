"""QiHang's inbound ERP API under /api/erp/v1/ (documented at /api/docs, /api/openapi.json).

Every call: signature first (key, timestamp window, HMAC), then the body, then one transaction
that remembers the signature (a replay is refused) and applies the change. Answers are JSON:
200 with what changed, or 4xx {"error": {"code", "message"}} with a stable code.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic import ValidationError as BodyInvalid
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations.qihang_erp import sign
from qihang_app import live
from qihang_app.db import get_engine
from qihang_app.models import Order
from qihang_app.services import erp_inbound
from qihang_app.services.erp_payload import order_id_of

from .erp_schema import AftersaleResultIn, CancelResultIn, ShipmentIn

log = logging.getLogger("qihang_app.api.erp")
PREFIX = "/api/erp/v1"
MAX_BODY = 256 * 1024


@dataclass
class ErpApi:
    engine: Engine | None = None

    def db(self) -> Engine:
        return self.engine or get_engine()


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _first_problem(exc: BodyInvalid) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    return f"{where}: {first.get('msg', 'invalid')}"


def endpoint(model: type[BaseModel], action: Callable) -> Callable:
    async def handle(request: Request) -> JSONResponse:
        api: ErpApi = request.app.state.erp_api
        body = await request.body()
        if len(body) > MAX_BODY:
            return error(413, "too_large", f"the body is over {MAX_BODY} bytes")
        try:
            key = sign.key_of(request.headers)
        except sign.SignatureRefused as exc:
            return error(401, exc.code, exc.message)
        try:
            address = request.client.host if request.client else None
            answer = await asyncio.to_thread(_work, api.db(), key, request.headers, body, model, action, address)
            return JSONResponse(answer)
        except erp_inbound.InboundRefused as exc:
            return error(exc.status, exc.code, exc.message)
        except sign.SignatureRefused as exc:
            return error(401, exc.code, exc.message)
        except Exception:  # a bug: the ERP retries; the log has the trace
            log.exception("erp inbound %s failed", request.url.path)
            return error(500, "internal", "the OMS could not take this call; retry later")

    return handle


def _work(
    engine: Engine, key: str, headers, body: bytes, model: type[BaseModel], action: Callable, address: str | None
) -> dict:
    with Session(engine, expire_on_commit=False) as session:
        conn = erp_inbound.caller(session, inbound_key=key)
        signature = sign.verify(headers, body, conn.keys.get("secret", ""))
        try:
            raw = json.loads(body)
        except ValueError:
            raise erp_inbound.InboundRefused(400, "bad_json", "the body is not JSON") from None
        if not isinstance(raw, dict):
            raise erp_inbound.InboundRefused(400, "bad_json", "the body must be a JSON object")
        try:
            data = model.model_validate(raw).model_dump()
        except BodyInvalid as exc:
            raise erp_inbound.InboundRefused(422, "invalid", _first_problem(exc)) from None
        erp_inbound.remember_signature(session, signature=signature)
        answer = action(session, conn=conn, data=data, address=address)  # the key is the audit actor
        session.commit()
        if answer.get("status_changed"):  # the boards move the card without waiting for their timer
            order = session.get(Order, order_id_of(answer["order_no"]))
            live.publish_sync(
                order.store_id,
                live.note(order_id=order.id, store_id=order.store_id, status=order.status, kind="shipped"),
            )
        return answer


def build_routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/shipments", endpoint(ShipmentIn, erp_inbound.shipment), methods=["POST"]),
        Route(f"{PREFIX}/cancel-results", endpoint(CancelResultIn, erp_inbound.cancel_result), methods=["POST"]),
        Route(
            f"{PREFIX}/aftersale-results", endpoint(AftersaleResultIn, erp_inbound.aftersale_result), methods=["POST"]
        ),
    ]
