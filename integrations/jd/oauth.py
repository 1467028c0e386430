"""JD OAuth2 (`adapter.oauth`): /oauth2/to_login → the seller clicks 授权 → redirect with `code` →
/oauth2/access_token → a token per vender; /oauth2/refresh_token before (or after) it expires."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from integrations.base import PlatformError, log_call
from integrations.contract import ShopKeys
from integrations.ecommerce_contract import Grant
from integrations.http import get_http_client
from integrations.jd.spec import OAUTH_BASE, PLATFORM

TOKEN_FIELDS = ("access_token", "refresh_token")


def _base(shop: ShopKeys) -> str:
    return str(shop.credentials.get("auth_url") or OAUTH_BASE).rstrip("/")


async def token_call(
    base: str, path: str, params: dict[str, str], *, http: httpx.AsyncClient | None = None, timeout: float = 10.0
) -> Grant:
    started = time.monotonic()
    result = "error"
    try:
        response = await (http or get_http_client()).get(base + path, params=params, timeout=timeout)
        if response.status_code >= 400:
            raise PlatformError(PLATFORM, f"http_{response.status_code}", response.text[:200],
                                retryable=response.status_code >= 500)  # fmt: skip
        data = response.json()
        if str(data.get("code", "0")) != "0" or not data.get("access_token"):
            raise PlatformError(PLATFORM, str(data.get("code")), str(data.get("msg") or "token refused"))
        result = "ok"
    except httpx.HTTPError as exc:
        result = type(exc).__name__
        raise PlatformError(PLATFORM, "network", str(exc), retryable=True) from exc
    except PlatformError as exc:
        result = exc.code
        raise
    finally:
        log_call(PLATFORM, path, params.get("app_key", ""), started, result)
    return grant_from(data)


def grant_from(data: dict[str, Any]) -> Grant:
    now = datetime.now(UTC)
    refresh_in = data.get("refresh_expires_in")
    return Grant(
        access_token=str(data["access_token"]),
        expires_at=now + timedelta(seconds=float(data.get("expires_in") or 0)),
        refresh_token=str(data.get("refresh_token") or ""),
        refresh_expires_at=now + timedelta(seconds=float(refresh_in)) if refresh_in else None,
        platform_shop_id=str(data.get("venderId") or data.get("uid") or ""),
        shop_name=str(data.get("user_nick") or ""),
        raw={k: v for k, v in data.items() if k not in TOKEN_FIELDS},
    )


class JdOAuth:
    def authorize_url(self, shop: ShopKeys, redirect_uri: str, state: str) -> str:
        query = {
            "app_key": shop.app_key,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": "snsapi_base",
        }
        return f"{_base(shop)}/oauth2/to_login?{urlencode(query)}"

    async def exchange_code(self, shop: ShopKeys, code: str, redirect_uri: str) -> Grant:
        params = {
            "app_key": shop.app_key,
            "app_secret": shop.secret,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        }
        return await token_call(_base(shop), "/oauth2/access_token", params)

    async def refresh(self, shop: ShopKeys) -> Grant:
        refresh_token = str(shop.credentials.get("refresh_token") or "")
        if not refresh_token:
            raise PlatformError(PLATFORM, "no_refresh_token", "授权已失效，请重新授权")
        return await refresh_with(_base(shop), shop.app_key, shop.secret, refresh_token)


async def refresh_with(
    base: str, app_key: str, secret: str, refresh_token: str, *, http: httpx.AsyncClient | None = None
) -> Grant:
    params = {
        "app_key": app_key,
        "app_secret": secret,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    return await token_call(base, "/oauth2/refresh_token", params, http=http)
