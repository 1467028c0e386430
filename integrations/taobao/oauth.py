"""淘宝授权 (OAuth 2): authorize page → code → session key; refresh with the refresh token."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import unquote, urlencode

import httpx

from integrations.base import PlatformError
from integrations.contract import ShopKeys
from integrations.ecommerce_contract import Grant
from integrations.http import get_http_client
from integrations.taobao.spec import AUTH_URL, PLATFORM, TOKEN_URL


def _at(seconds_from_now: object) -> datetime:
    return datetime.fromtimestamp(time.time() + float(seconds_from_now or 0), tz=UTC)


class TaobaoOAuth:
    def __init__(self, http: httpx.AsyncClient | None = None) -> None:
        self._http = http

    def authorize_url(self, shop: ShopKeys, redirect_uri: str, state: str) -> str:
        base = shop.credentials.get("auth_url") or AUTH_URL
        query = {"response_type": "code", "client_id": shop.app_key, "redirect_uri": redirect_uri, "state": state}
        return f"{base}?{urlencode({**query, 'view': 'web'})}"

    async def exchange_code(self, shop: ShopKeys, code: str, redirect_uri: str) -> Grant:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        return await self._token(shop, form)

    async def refresh(self, shop: ShopKeys) -> Grant:
        refresh_token = str(shop.credentials.get("refresh_token") or "")
        if not refresh_token:
            raise PlatformError(PLATFORM, "invalid_grant", "no refresh token: authorize the shop again")
        return await self._token(shop, {"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def _token(self, shop: ShopKeys, form: dict[str, str]) -> Grant:
        url = shop.credentials.get("token_url") or TOKEN_URL
        body = {**form, "client_id": shop.app_key, "client_secret": shop.secret}
        try:
            response = await (self._http or get_http_client()).post(url, data=body, timeout=10)
        except httpx.HTTPError as exc:
            raise PlatformError(PLATFORM, "network", type(exc).__name__, retryable=True) from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict) or "access_token" not in data:
            error = (
                str(data.get("error") or f"http_{response.status_code}") if isinstance(data, dict) else "bad_response"
            )
            message = str(data.get("error_description") or "") if isinstance(data, dict) else response.text[:200]
            raise PlatformError(PLATFORM, error, message, retryable=response.status_code >= 500)
        refresh_in = data.get("re_expires_in")
        return Grant(
            access_token=str(data["access_token"]),
            expires_at=_at(data.get("expires_in")),
            refresh_token=str(data.get("refresh_token") or ""),
            refresh_expires_at=_at(refresh_in) if refresh_in not in (None, "", 0) else None,
            platform_shop_id=unquote(str(data.get("taobao_user_nick") or "")),
            shop_name=unquote(str(data.get("taobao_user_nick") or "")),
            raw={k: v for k, v in data.items() if k not in ("access_token", "refresh_token")},
        )


OAUTH = TaobaoOAuth()
