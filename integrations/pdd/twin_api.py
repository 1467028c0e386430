"""PDD's gateway as the sandbox serves it under /pdd: POST /pdd/api/router (JSON or form, signed),
the merchant authorize page /pdd/open.html, and /pdd/_twin/* to inspect and tune the twin."""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from integrations.form import parse_form
from integrations.pdd import twin_ops
from integrations.pdd.sign import pdd_sign
from integrations.pdd.spec import PLATFORM, RESPONSE_KEY, Api, ErrorCode
from integrations.pdd.twin_state import CODE_TTL, issue, standing_shop, state
from integrations.sandbox.faults import FaultKind
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import Shop, SimError

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

PREFIX = "/pdd"
GATEWAY_PATH = "/api/router"
AUTHORIZE_PATH = "/open.html"
MAX_SKEW = 600  # seconds a request's timestamp may differ from the twin's clock


def error(code: int, message: str, sub_code: str = "") -> JSONResponse:
    return JSONResponse(
        {
            "error_response": {
                "error_code": int(code),
                "error_msg": message,
                "sub_code": sub_code or str(int(code)),
                "sub_msg": message,
                "request_id": secrets.token_hex(8),
            }
        }
    )


async def _params(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(raw or b"{}")
        if not isinstance(data, dict):
            raise ValueError("body is not a JSON object")
        return data
    return parse_form(raw.decode("utf-8"))


async def gateway(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        params = await _params(request)
    except ValueError:
        return error(ErrorCode.PARAM, "请求体格式错误")
    api = str(params.get("type") or "")
    shops = sandbox.store.shops_of_app(PLATFORM, str(params.get("client_id") or ""))
    if not shops:
        return _logged(sandbox, api, error(ErrorCode.CLIENT, "client_id 不存在"), ErrorCode.CLIENT)
    if not hmac.compare_digest(str(params.get("sign") or ""), pdd_sign(shops[0].secret, params)):
        return _logged(sandbox, api, error(ErrorCode.SIGN, "签名错误", "isv.sign-invalid"), ErrorCode.SIGN)
    try:
        if abs(int(params.get("timestamp") or 0) - time.time()) > MAX_SKEW:
            raise SimError(ErrorCode.PARAM, "timestamp 已过期")
        if api in (Api.TOKEN_CREATE, Api.TOKEN_REFRESH):
            data = _token(sandbox, shops, api, params)
        else:
            shop = _authorise(sandbox, params, api)
            early = await _fault(sandbox, shop.shop_id, api)
            if early is not None:
                return early
            handler = twin_ops.HANDLERS.get(api)
            if handler is None:
                raise SimError(ErrorCode.PARAM, f"接口 {api} 不存在")
            data = handler(sandbox, shop, params)
    except SimError as exc:
        return _logged(sandbox, api, error(exc.code, exc.message), exc.code)
    except Conflict as exc:
        return _logged(sandbox, api, error(ErrorCode.BUSINESS, str(exc), "business.state"), ErrorCode.BUSINESS)
    sandbox.store.record_request(PLATFORM, api, "ok")
    return JSONResponse({RESPONSE_KEY[api]: data})


def _logged(sandbox: Sandbox, api: str, response: Response, code: int) -> Response:
    sandbox.store.record_request(PLATFORM, api, str(int(code)))
    return response


async def _fault(sandbox: Sandbox, shop_id: str, api: str) -> Response | None:
    fault = sandbox.faults.take_api(PLATFORM, shop_id, api)
    if fault is None:
        return None
    if fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
        return None
    if fault.kind == FaultKind.SERVER_ERROR:
        sandbox.store.record_request(PLATFORM, api, f"http_{fault.status}")
        return PlainTextResponse("Bad Gateway", status_code=fault.status)
    return _logged(sandbox, api, error(ErrorCode.RATE_LIMIT, "调用过于频繁，请调整调用频率"), ErrorCode.RATE_LIMIT)


def _authorise(sandbox: Sandbox, params: dict[str, Any], api: str) -> Shop:
    st, value = state(sandbox), str(params.get("access_token") or "")
    shop = standing_shop(sandbox, value, "pdds")
    if shop is not None:
        if sandbox.faults.take_token_expiry(PLATFORM, shop.shop_id, api):
            st.expired_standing.add(value)
        if value in st.expired_standing:
            raise SimError(ErrorCode.TOKEN_EXPIRED, "access_token 已过期")
    else:
        token = sandbox.store.tokens.get(value)
        shop_id = st.token_shop.get(value)
        if token is None or token.revoked or shop_id is None:
            raise SimError(ErrorCode.TOKEN_INVALID, "access_token 不存在")
        if sandbox.faults.take_token_expiry(PLATFORM, shop_id, api):
            token.expires_at = time.time()
        if time.time() >= token.expires_at:
            raise SimError(ErrorCode.TOKEN_EXPIRED, "access_token 已过期")
        shop = sandbox.store.shop(PLATFORM, shop_id)
    if shop.app_id != str(params.get("client_id")):
        raise SimError(ErrorCode.TOKEN_INVALID, "access_token 与 client_id 不匹配")
    return shop


def _token(sandbox: Sandbox, shops: list[Shop], api: str, params: dict[str, Any]) -> dict:
    st, now = state(sandbox), time.time()
    if api == Api.TOKEN_CREATE:
        shop_id, expires = st.codes.pop(str(params.get("code") or ""), ("", 0.0))
        if not shop_id or expires < now:
            raise SimError(ErrorCode.CODE_INVALID, "code 无效或已使用")
        return issue(sandbox, sandbox.store.shop(PLATFORM, shop_id))
    refresh = str(params.get("refresh_token") or "")
    shop = standing_shop(sandbox, refresh, "pddr")
    if shop is None:
        shop_id, expires = st.refresh.get(refresh, ("", 0.0))
        if not shop_id or expires < now:
            raise SimError(ErrorCode.REFRESH_INVALID, "refresh_token 无效或已过期")
        shop = sandbox.store.shop(PLATFORM, shop_id)
    else:
        st.refresh.setdefault(refresh, (shop.shop_id, now + 365 * 86400))
    if shop not in shops:
        raise SimError(ErrorCode.REFRESH_INVALID, "refresh_token 不属于该应用")
    return issue(sandbox, shop, refresh_token=refresh)


# ---- the merchant's authorize page ---------------------------------------------------------------


async def authorize_page(request: Request) -> Response:
    """GET: a tiny page with an 授权 link; GET ?confirm=1: a code, then back to redirect_uri."""
    sandbox: Sandbox = request.app.state.sandbox
    query = request.query_params
    shops = sandbox.store.shops_of_app(PLATFORM, query.get("client_id", ""))
    redirect_uri = query.get("redirect_uri", "")
    if query.get("response_type") != "code" or not shops or not redirect_uri:
        return HTMLResponse("<p>参数错误 (response_type=code, client_id, redirect_uri)</p>", status_code=400)
    shop = next((s for s in shops if s.shop_id == query.get("mall_id")), shops[0])
    if query.get("confirm") != "1":
        link = f"{PREFIX}{AUTHORIZE_PATH}?{urlencode({**dict(query), 'mall_id': shop.shop_id, 'confirm': '1'})}"
        page = (
            f"<!doctype html><meta charset='utf-8'><title>拼多多授权</title>"
            f"<h1>授权给应用 {shop.app_id}</h1><p>店铺：{shop.name}</p>"
            f"<a id='authorize' href='{link}'>授权</a>"
        )
        return HTMLResponse(page)
    code = secrets.token_hex(16)
    state(sandbox).codes[code] = (shop.shop_id, time.time() + CODE_TTL)
    separator = "&" if "?" in redirect_uri else "?"
    target = f"{redirect_uri}{separator}{urlencode({'code': code, 'state': query.get('state', '')})}"
    return RedirectResponse(target, status_code=302)


# ---- inspection ----------------------------------------------------------------------------------


async def inspect(request: Request) -> Response:
    """GET: the twin's notes and waybills of a shop; POST {shop_id, decrypt}: grant/revoke."""
    sandbox: Sandbox = request.app.state.sandbox
    st = state(sandbox)
    if request.method == "POST":
        body = json.loads(await request.body() or b"{}")
        shop_id = str(body.get("shop_id") or "")
        if body.get("decrypt", True):
            st.no_decrypt.discard(shop_id)
        else:
            st.no_decrypt.add(shop_id)
    shop_id = request.query_params.get("shop_id", "")
    orders = {o.order_id for o in sandbox.store.shop_orders(PLATFORM, shop_id)} if shop_id else None
    return JSONResponse(
        {
            "notes": {k: v for k, v in st.notes.items() if orders is None or k in orders},
            "waybills": [w for key, w in st.waybills.items() if not shop_id or key[0] == shop_id],
            "no_decrypt": sorted(st.no_decrypt),
        }
    )


routes = [
    Route(PREFIX + GATEWAY_PATH, gateway, methods=["POST"]),
    Route(PREFIX + AUTHORIZE_PATH, authorize_page, methods=["GET"]),
    Route(PREFIX + "/_twin/state", inspect, methods=["GET", "POST"]),
]
