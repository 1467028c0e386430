"""JD OAuth2 in the sandbox: the authorize page (授权), code → token, refresh.

Paths as on open-oauth.jd.com: /oauth2/to_login, /oauth2/access_token, /oauth2/refresh_token.
Token answers are flat JSON; failures carry a non-zero `code` and `msg`.
"""

from __future__ import annotations

import html
import secrets
import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from integrations.jd.spec import OAUTH_BAD_APP, OAUTH_INVALID_GRANT, PLATFORM
from integrations.jd.twin_wire import state
from integrations.sandbox.store import IssuedToken, Shop

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

CODE_TTL = 300
REFRESH_TTL = 365 * 24 * 3600


def _fail(message: str, code: int = OAUTH_INVALID_GRANT) -> JSONResponse:
    return JSONResponse({"code": code, "msg": message}, status_code=200)


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.form()).items()})
    return params


async def authorize_page(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    q = request.query_params
    shops = sandbox.store.shops_of_app(PLATFORM, q.get("app_key", ""))
    wanted = q.get("vender_id")  # the sandbox's stand-in for "which seller logs in"
    shop = next((s for s in shops if not wanted or s.shop_id == wanted), None)
    if shop is None or q.get("response_type") != "code" or not q.get("redirect_uri"):
        return HTMLResponse("<p>应用不存在或参数错误 (app_key / response_type=code / redirect_uri)</p>", 400)
    code = secrets.token_urlsafe(16)
    state(sandbox.store).codes[code] = {
        "app_key": shop.app_id,
        "shop_id": shop.shop_id,
        "redirect_uri": q["redirect_uri"],
        "at": time.time(),
    }
    sep = "&" if "?" in q["redirect_uri"] else "?"
    target = q["redirect_uri"] + sep + urlencode({"code": code, "state": q.get("state", "")})
    page = (
        "<!doctype html><meta charset='utf-8'><title>京东开放平台授权</title>"
        f"<h1>授权 {html.escape(shop.name)}</h1><p>应用 {html.escape(shop.app_id)} 申请访问您的店铺数据</p>"
        f"<a id='authorize' href='{html.escape(target)}'>授权</a>"
    )
    return HTMLResponse(page)


def _check_app(sandbox: Sandbox, params: dict[str, str]) -> Shop | JSONResponse:
    shops = sandbox.store.shops_of_app(PLATFORM, params.get("app_key", ""))
    if not shops or shops[0].secret != params.get("app_secret"):
        return _fail("app_key 或 app_secret 错误", OAUTH_BAD_APP)
    return shops[0]


def _issue(sandbox: Sandbox, shop: Shop) -> JSONResponse:
    st = state(sandbox.store)
    access, refresh = secrets.token_hex(16), secrets.token_hex(16)
    sandbox.store.tokens[access] = IssuedToken(access, shop.app_id, time.time() + shop.token_ttl)
    st.token_shop[access] = shop.shop_id
    st.refresh_tokens[refresh] = shop.shop_id
    sandbox.store.record_request(PLATFORM, "oauth2", "ok")
    return JSONResponse(
        {
            "code": 0,
            "access_token": access,
            "expires_in": shop.token_ttl,
            "refresh_token": refresh,
            "refresh_expires_in": REFRESH_TTL,
            "scope": "snsapi_base",
            "token_type": "bearer",
            "time": int(time.time() * 1000),
            "uid": shop.shop_id,
            "venderId": shop.shop_id,
            "user_nick": shop.name,
            "open_id": "o" + shop.shop_id,
        }
    )


async def access_token(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    params = await _params(request)
    app = _check_app(sandbox, params)
    if isinstance(app, JSONResponse):
        return app
    if params.get("grant_type") != "authorization_code":
        return _fail("grant_type 须为 authorization_code")
    grant = state(sandbox.store).codes.pop(params.get("code", ""), None)  # a code works once
    if grant is None or grant["app_key"] != app.app_id or time.time() - grant["at"] > CODE_TTL:
        return _fail("code 无效或已过期")
    if params.get("redirect_uri") and params["redirect_uri"] != grant["redirect_uri"]:
        return _fail("redirect_uri 与授权时不一致")
    return _issue(sandbox, sandbox.store.shop(PLATFORM, grant["shop_id"]))


async def refresh_token(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    params = await _params(request)
    app = _check_app(sandbox, params)
    if isinstance(app, JSONResponse):
        return app
    if params.get("grant_type") != "refresh_token":
        return _fail("grant_type 须为 refresh_token")
    value = params.get("refresh_token", "")
    shop_id = state(sandbox.store).refresh_tokens.get(value) or _preissued_refresh(sandbox, app, value)
    if not shop_id:
        return _fail("refresh_token 无效")
    return _issue(sandbox, sandbox.store.shop(PLATFORM, shop_id))


def _preissued_refresh(sandbox: Sandbox, app: Shop, value: str) -> str:
    from integrations.jd.twin_api import preissued

    for shop in sandbox.store.shops_of_app(PLATFORM, app.app_id):
        if value and value == preissued(shop, "refresh"):
            return shop.shop_id
    return ""


def routes(prefix: str) -> list[Route]:
    return [
        Route(prefix + "/oauth2/to_login", authorize_page, methods=["GET"]),
        Route(prefix + "/oauth2/access_token", access_token, methods=["GET", "POST"]),
        Route(prefix + "/oauth2/refresh_token", refresh_token, methods=["GET", "POST"]),
    ]
