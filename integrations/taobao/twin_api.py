"""TOP's router as the sandbox serves it: POST /taobao/router/rest (form), signature and timestamp
checked, session required for seller data, `error_response` on refusal, faults from the sandbox."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from integrations.sandbox.faults import FaultKind
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import Shop, SimError
from integrations.taobao.sign import verify
from integrations.taobao.spec import (
    API_LIMIT_SUB_CODE,
    PLATFORM,
    SESSION_EXPIRED_SUB_CODE,
    TIME_FORMAT,
    ErrorCode,
    response_key,
)
from integrations.taobao.twin_state import STATE, read_token
from qihang_app.domain.clock import SHANGHAI

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

PREFIX = "/taobao"
GATEWAY_PATH = "/router/rest"
CLOCK_SKEW = 600  # seconds a request's timestamp may be off


class TopError(Exception):
    def __init__(self, code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> None:
        super().__init__(msg)
        self.code, self.msg, self.sub_code, self.sub_msg = code, msg, sub_code, sub_msg


def isv(sub_code: str, sub_msg: str) -> TopError:
    """A business refusal: code 15 with an isv.* sub code."""
    return TopError(ErrorCode.REMOTE_SERVICE_ERROR, "Remote service error", f"isv.{sub_code}", sub_msg)


@dataclass
class Call:
    sandbox: Sandbox
    app_key: str
    method: str
    params: dict[str, str]
    shop: Shop | None  # the seller the session belongs to (None for app-level calls)

    @property
    def seller(self) -> Shop:
        if self.shop is None:
            raise TopError(ErrorCode.MISSING_SESSION, "Missing session")
        return self.shop

    def need(self, *names: str) -> list[str]:
        missing = [n for n in names if not self.params.get(n)]
        if missing:
            raise TopError(ErrorCode.MISSING_ARGUMENTS, "Missing required arguments:" + ",".join(missing))
        return [self.params[n] for n in names]

    def record(self, order_id: str, idempotency_key: str = "") -> None:
        self.sandbox.store.record_writeback(
            PLATFORM, self.seller.shop_id, self.method, order_id, dict(self.params), idempotency_key
        )


def error_response(error: TopError, status: int = 200) -> JSONResponse:
    body: dict[str, Any] = {"code": error.code, "msg": error.msg, "request_id": f"{time.time_ns():x}"}
    if error.sub_code:
        body.update(sub_code=error.sub_code, sub_msg=error.sub_msg)
    return JSONResponse({"error_response": body}, status_code=status)


async def router(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form.update({k: v for k, v in request.query_params.items() if k not in form})
    method = form.get("method", "")
    try:
        call = _authenticate(sandbox, form)
        early = await _fault(sandbox, call)
        if early is not None:
            return early
        from integrations.taobao.twin_handlers import HANDLERS

        handler = HANDLERS.get(method)
        if handler is None:
            raise TopError(ErrorCode.INVALID_METHOD, "Invalid method")
        data = handler(call)
    except TopError as exc:
        sandbox.store.record_request(PLATFORM, method, str(exc.code))
        return error_response(exc)
    except SimError as exc:
        sandbox.store.record_request(PLATFORM, method, "15")
        return error_response(isv("invalid-parameter", exc.message))
    except Conflict as exc:
        sandbox.store.record_request(PLATFORM, method, "15")
        return error_response(isv("invalid-status", str(exc)))
    sandbox.store.record_request(PLATFORM, method, "ok")
    return JSONResponse({response_key(method): {**data, "request_id": f"{time.time_ns():x}"}})


def _authenticate(sandbox: Sandbox, form: dict[str, str]) -> Call:
    app_key, method = form.get("app_key", ""), form.get("method", "")
    if not method:
        raise TopError(21, "Missing method")
    if not app_key:
        raise TopError(28, "Missing app key")
    shops = sandbox.store.shops_of_app(PLATFORM, app_key)
    if not shops:
        raise TopError(ErrorCode.INVALID_APP_KEY, "Invalid app Key")
    if not form.get("sign"):
        raise TopError(24, "Missing signature")
    if not verify(shops[0].secret, form):
        raise TopError(ErrorCode.INVALID_SIGNATURE, "Invalid signature")
    try:
        sent = datetime.strptime(form.get("timestamp", ""), TIME_FORMAT).replace(tzinfo=SHANGHAI)
    except ValueError:
        raise TopError(ErrorCode.INVALID_TIMESTAMP, "Invalid timestamp") from None
    if abs(sent.timestamp() - time.time()) > CLOCK_SKEW:
        raise TopError(ErrorCode.INVALID_TIMESTAMP, "Invalid timestamp", "isv.invalid-timestamp", "时间戳误差过大")
    if form.get("v") != "2.0":
        raise TopError(33, "Invalid version")
    session = form.get("session", "")
    shop = None
    if session:
        read = read_token(session, app_key, shops[0].secret, "s")
        if read is None:
            raise TopError(ErrorCode.INVALID_SESSION, "Invalid session", SESSION_EXPIRED_SUB_CODE, "session 无效")
        nick, expires = read
        if sandbox.faults.take_token_expiry(PLATFORM, nick, method):
            STATE.expired.add(session)
        if session in STATE.expired or time.time() >= expires:
            raise TopError(ErrorCode.INVALID_SESSION, "Invalid session", SESSION_EXPIRED_SUB_CODE, "session 已过期")
        shop = sandbox.store.shops.get((PLATFORM, nick))
        if shop is None or shop.app_id != app_key:
            raise TopError(ErrorCode.INVALID_SESSION, "Invalid session", "invalid-sessionkey", "卖家未授权该应用")
    return Call(sandbox, app_key, method, form, shop)


async def _fault(sandbox: Sandbox, call: Call) -> Response | None:
    fault = sandbox.faults.take_api(PLATFORM, call.shop.shop_id if call.shop else "", call.method)
    if fault is None:
        return None
    if fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
        return None
    if fault.kind == FaultKind.SERVER_ERROR:
        sandbox.store.record_request(PLATFORM, call.method, f"http_{fault.status}")
        return PlainTextResponse("Bad Gateway", status_code=fault.status)
    sandbox.store.record_request(PLATFORM, call.method, str(ErrorCode.APP_CALL_LIMITED))
    error = TopError(
        ErrorCode.APP_CALL_LIMITED, "App Call Limited", API_LIMIT_SUB_CODE, "This ban will last for 1 more seconds"
    )
    return error_response(error)
