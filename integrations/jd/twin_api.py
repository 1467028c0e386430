"""JD's routerjson gateway as the sandbox serves it under /jd/routerjson.

Checks what the real gateway checks, in its order: app_key, timestamp skew, the MD5 signature, the
access token (code 19 when unknown or expired), then runs the method and answers
`{"<method>_responce": {"code": "0", <result key>: …}}` or `{"error_response": {code, zh_desc}}`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from datetime import UTC
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from integrations.jd import twin_aftersale, twin_oauth, twin_orders
from integrations.jd.sign import parse_jd_time, verify
from integrations.jd.spec import PARAM_JSON, PLATFORM, RESULT_KEY, TIMESTAMP_SKEW, ErrorCode, response_key
from integrations.jd.twin_wire import state
from integrations.sandbox.faults import FaultKind
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import IssuedToken, Shop, SimError

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

PREFIX = "/jd"
GATEWAY_PATH = "/routerjson"
PREISSUED_TTL = 365 * 24 * 3600  # the demo shop's token, valid for a year like JD's own

HANDLERS = {**twin_orders.HANDLERS, **twin_aftersale.HANDLERS}


def error(code: str, zh: str) -> JSONResponse:
    return JSONResponse({"error_response": {"code": code, "zh_desc": zh, "en_desc": zh}})


def preissued(shop: Shop, kind: str = "access") -> str:
    """The token the demo shop form stores (so the demo works without clicking through OAuth)."""
    return hashlib.md5(f"{kind}:{shop.app_id}:{shop.shop_id}:{shop.secret}".encode()).hexdigest()


async def gateway(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    params: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        params.update(dict(await request.form()))
    method = str(params.get("method") or "")
    early = await _fault(sandbox, method)
    if early is not None:
        return early
    try:
        shop = _authorise(sandbox, params, method)
        try:
            business = json.loads(params.get(PARAM_JSON) or "{}")
        except ValueError:
            raise SimError(int(ErrorCode.PARAM), f"{PARAM_JSON} is not JSON") from None
        handler = HANDLERS.get(method)
        if handler is None:
            raise SimError(int(ErrorCode.PARAM), f"unknown method {method}")
        result = handler(sandbox, shop, business)
    except SimError as exc:
        sandbox.store.record_request(PLATFORM, method, str(exc.code))
        return error(str(exc.code), exc.message)
    except Conflict as exc:
        sandbox.store.record_request(PLATFORM, method, ErrorCode.STATE)
        return error(ErrorCode.STATE, str(exc))
    sandbox.store.record_request(PLATFORM, method, "ok")
    return JSONResponse({response_key(method): {"code": "0", RESULT_KEY.get(method, "result"): result}})


async def _fault(sandbox: Sandbox, method: str) -> Response | None:
    fault = sandbox.faults.take_api(PLATFORM, "", method)
    if fault is None:
        return None
    if fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
        return None
    if fault.kind == FaultKind.SERVER_ERROR:
        sandbox.store.record_request(PLATFORM, method, f"http_{fault.status}")
        return PlainTextResponse("Bad Gateway", status_code=fault.status)
    sandbox.store.record_request(PLATFORM, method, ErrorCode.RATE_LIMITED)
    return error(ErrorCode.RATE_LIMITED, "调用频率超过限制，请稍后再试")


def _authorise(sandbox: Sandbox, params: dict[str, Any], method: str) -> Shop:
    shops = sandbox.store.shops_of_app(PLATFORM, str(params.get("app_key") or ""))
    if not shops:
        raise SimError(int(ErrorCode.BAD_APP), "无效的app_key")
    try:
        sent = parse_jd_time(str(params.get("timestamp") or ""))
    except ValueError:
        sent = None
    if sent is None or abs(time.time() - sent.astimezone(UTC).timestamp()) > TIMESTAMP_SKEW:
        raise SimError(int(ErrorCode.BAD_TIMESTAMP), "timestamp 无效或已过期")
    if not verify(shops[0].secret, params):
        raise SimError(int(ErrorCode.BAD_SIGN), "签名无效")
    value = str(params.get("access_token") or "")
    token = sandbox.store.tokens.get(value) or _adopt_preissued(sandbox, shops, value)
    shop_id = state(sandbox.store).token_shop.get(value, "")
    if token is None or token.revoked or not shop_id:
        raise SimError(int(ErrorCode.TOKEN_INVALID), "无效access_token")
    if sandbox.faults.take_token_expiry(PLATFORM, shop_id, method):
        token.expires_at = time.time()
    if time.time() >= token.expires_at:
        raise SimError(int(ErrorCode.TOKEN_INVALID), "access_token已过期，请重新授权")
    return sandbox.store.shop(PLATFORM, shop_id)


def _adopt_preissued(sandbox: Sandbox, shops: list[Shop], value: str) -> IssuedToken | None:
    for shop in shops:
        if value and value == preissued(shop):
            token = IssuedToken(value, shop.app_id, time.time() + PREISSUED_TTL)
            sandbox.store.tokens[value] = token
            state(sandbox.store).token_shop[value] = shop.shop_id
            state(sandbox.store).refresh_tokens.setdefault(preissued(shop, "refresh"), shop.shop_id)
            return token
    return None


async def inspect(request: Request) -> JSONResponse:
    """What the twin holds beside the store: memos, parcels, waybills (for tests and the demo)."""
    st = state(request.app.state.sandbox.store)
    return JSONResponse(
        {
            "memos": {k: {"remark": r, "flag": f} for k, (r, f) in st.memos.items()},
            "parcels": st.parcels,
            "waybills": [dict(w, platformOrderNo=key[1]) for key, w in st.waybills.items()],
            "decrypted": st.decrypted,
        }
    )


async def decrypt_permission(request: Request) -> JSONResponse:
    """{"vender_id", "allowed": bool}: whether the app may decrypt that vender's receivers."""
    body = await request.json()
    denied = state(request.app.state.sandbox.store).no_decrypt
    vender = str(body.get("vender_id") or "")
    if body.get("allowed", True):
        denied.discard(vender)
    else:
        denied.add(vender)
    return JSONResponse({"vender_id": vender, "allowed": vender not in denied})


routes = [
    Route(PREFIX + GATEWAY_PATH, gateway, methods=["GET", "POST"]),
    Route(PREFIX + "/_inspect", inspect, methods=["GET"]),
    Route(PREFIX + "/_decrypt_permission", decrypt_permission, methods=["POST"]),
    *twin_oauth.routes(PREFIX),
]
