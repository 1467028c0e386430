"""The twin's OAuth (oauth.taobao.com): an authorize page with a 授权 link, the token endpoint
(authorization_code and refresh_token grants)."""

from __future__ import annotations

import hashlib
import html
import time
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from integrations.taobao.spec import PLATFORM
from integrations.taobao.twin_state import ACCESS_TTL, REFRESH_TTL, STATE, issue_token, read_token

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

CODE_TTL = 600


async def authorize(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    q = request.query_params
    app_key, redirect_uri, state = q.get("client_id", ""), q.get("redirect_uri", ""), q.get("state", "")
    shops = sandbox.store.shops_of_app(PLATFORM, app_key)
    if q.get("response_type") != "code" or not redirect_uri or not shops:
        return HTMLResponse("<p>授权参数错误 (client_id / redirect_uri / response_type=code)</p>", status_code=400)
    nick = q.get("nick") or shops[0].shop_id  # the seller who is logged in
    code = STATE.new_code(app_key, nick, redirect_uri)
    target = redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode({"code": code, "state": state})
    page = (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>淘宝授权</title></head><body>"
        f"<h1>授权 {html.escape(shops[0].name)}</h1><p>卖家 {html.escape(nick)} 将授权应用 {html.escape(app_key)}"
        " 读取订单、发货、处理退款。</p>"
        f"<a id='authorize' href='{html.escape(target)}'>授权</a></body></html>"
    )
    return HTMLResponse(page)


async def token(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    form = dict(await request.form())
    app_key, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    shops = sandbox.store.shops_of_app(PLATFORM, app_key)
    if not shops or shops[0].secret != secret:
        return _refuse("invalid_client", "client_id 或 client_secret 错误")
    grant = form.get("grant_type")
    if grant == "authorization_code":
        entry = STATE.codes.pop(str(form.get("code", "")), None)
        if entry is None or entry["app_key"] != app_key or time.time() - entry["at"] > CODE_TTL:
            return _refuse("invalid_grant", "code 无效或已使用")
        if entry["redirect_uri"] != form.get("redirect_uri"):
            return _refuse("invalid_grant", "redirect_uri 不一致")
        nick = entry["nick"]
        refresh, refresh_expires = issue_token("r", app_key, secret, nick, REFRESH_TTL)
    elif grant == "refresh_token":
        refresh = str(form.get("refresh_token", ""))
        read = read_token(refresh, app_key, secret, "r")
        if read is None or time.time() >= read[1]:
            return _refuse("invalid_grant", "refresh_token 无效或已过期")
        nick, refresh_expires = read
    else:
        return _refuse("unsupported_grant_type", "grant_type 错误")
    session, expires = issue_token("s", app_key, secret, nick, ACCESS_TTL)
    sandbox.store.record_request(PLATFORM, "/oauth/token", "ok")
    now = int(time.time())
    return JSONResponse(
        {
            "access_token": session,
            "token_type": "Bearer",
            "expires_in": expires - now,
            "refresh_token": refresh,
            "re_expires_in": refresh_expires - now,
            "r1_expires_in": expires - now,
            "r2_expires_in": expires - now,
            "w1_expires_in": expires - now,
            "w2_expires_in": expires - now,
            "taobao_user_nick": quote(nick),
            "taobao_user_id": str(int(hashlib.md5(nick.encode()).hexdigest()[:8], 16)),
        }
    )


def _refuse(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)
