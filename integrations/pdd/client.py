"""拼多多 client: one signed POST to the gateway per call, the shop's OAuth token, retries.

The token comes from the shop's credentials (OAuth, see oauth.py). When the gateway says it has
expired, the client refreshes it once with the stored refresh_token and hands the new one to the
worker (`on_token`) so it is saved encrypted for the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy, Token, error_from_status, logged_call, with_retries
from integrations.contract import TokenSaver
from integrations.http import get_http_client
from integrations.pdd.sign import pdd_sign, wire_text
from integrations.pdd.spec import (
    DATA_TYPE,
    GATEWAY,
    PLATFORM,
    RATE_LIMIT_CODES,
    RESPONSE_KEY,
    TOKEN_CODES,
    Api,
    ErrorCode,
)

log = logging.getLogger("integrations.pdd")
REFRESH_MARGIN = 300.0  # refresh this many seconds before the stored expiry


class PddClient:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        access_token: str = "",
        token_expires: float = 0.0,
        refresh_token: str = "",
        base_url: str = GATEWAY,
        mall_id: str = "",
        shop_id: int = 0,
        decrypt: bool = False,
        on_token: TokenSaver | None = None,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self._access_token = access_token
        self._token_expires = float(token_expires or 0)
        self._refresh_token = refresh_token
        self.base_url = base_url
        self.mall_id = str(mall_id)
        self._shop_id = shop_id
        self._on_token = on_token
        self._http = http
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self.refresh_count = 0
        self._companies: dict[str, int] | None = None
        self.decrypt = decrypt  # the merchant holds PDD's decrypt permission (credentials['decrypt'])

    def __repr__(self) -> str:  # keep secrets and tokens out of tracebacks
        return f"PddClient(client_id={self.client_id!r}, mall_id={self.mall_id!r})"

    @property
    def access_token(self) -> str:
        return self._access_token

    def _client(self) -> httpx.AsyncClient:
        return self._http or get_http_client()

    # ---- transport ------------------------------------------------------------------------------

    def signed(self, api: str, business: Mapping[str, Any], *, token: bool = True) -> dict[str, str]:
        params = {k: wire_text(v) for k, v in business.items() if v is not None}
        params.update(type=str(api), client_id=self.client_id, timestamp=str(int(self._clock())), data_type=DATA_TYPE)
        if token and self._access_token:
            params["access_token"] = self._access_token
        params["sign"] = pdd_sign(self._secret, params)
        return params

    async def _post(self, api: str, business: Mapping[str, Any], timeout: float, *, token: bool = True) -> dict:
        body = self.signed(api, business, token=token)
        async with logged_call(PLATFORM, str(api), self.mall_id):
            response = await self._client().post(self.base_url, json=body, timeout=timeout)
            return unwrap(api, response)

    async def call(self, api: str, business: Mapping[str, Any] | None = None) -> dict:
        """Run one API; return the object inside its response key. An expired token is
        refreshed once (when a refresh_token is stored); rate limits are retried with backoff."""
        business = business or {}
        refreshed = False
        if self._refresh_token and self._token_expires and self._clock() > self._token_expires - REFRESH_MARGIN:
            await self.refresh()
            refreshed = True

        async def attempt(timeout: float) -> dict:
            return await self._post(api, business, timeout)

        async def on_error(error: PlatformError) -> bool:
            nonlocal refreshed
            if error.code.isdigit() and int(error.code) in TOKEN_CODES and self._refresh_token and not refreshed:
                refreshed = True
                await self.refresh()
                return True
            return False

        return await with_retries(PLATFORM, attempt, self.retry, on_error=on_error)

    async def refresh(self) -> dict:
        """pdd.pop.auth.token.refresh with the stored refresh_token; saves the new token."""
        if not self._refresh_token:
            raise PlatformError(PLATFORM, str(ErrorCode.REFRESH_INVALID), "no refresh_token stored: authorise again")
        data = await self.token_call(Api.TOKEN_REFRESH, {"refresh_token": self._refresh_token})
        self._access_token = str(data["access_token"])
        self._token_expires = token_expiry(data, self._clock())
        self._refresh_token = str(data.get("refresh_token") or self._refresh_token)
        self.refresh_count += 1
        if self._on_token is not None:
            try:
                await self._on_token(
                    self._shop_id, Token(self._access_token, self._token_expires, refresh_token=self._refresh_token)
                )
            except Exception:  # saving is an optimisation; the token still works for this run
                log.exception("could not save the new token of shop %s", self._shop_id)
        return data

    async def token_call(self, api: str, business: Mapping[str, Any]) -> dict:
        """The token APIs (create / refresh): signed by the app, no access_token."""

        async def attempt(timeout: float) -> dict:
            return await self._post(api, business, timeout, token=False)

        return await with_retries(PLATFORM, attempt, self.retry)

    # ---- carriers -------------------------------------------------------------------------------

    async def logistics_companies(self) -> dict[str, int]:
        """name → logistics_id from pdd.logistics.companies.get (read once per client)."""
        if self._companies is None:
            data = await self.call(Api.COMPANIES)
            self._companies = {
                str(c.get("logistics_company") or ""): int(c["id"]) for c in data.get("logistics_companies") or ()
            }
        return self._companies


def token_expiry(data: Mapping[str, Any], now: float) -> float:
    """Absolute expiry of an access token answer (expires_at wins over expires_in)."""
    if data.get("expires_at"):
        return float(data["expires_at"])
    return now + float(data.get("expires_in") or 0)


def unwrap(api: str, response: httpx.Response) -> dict:
    """{"<api>_response": {...}} → the inner object; {"error_response": {...}} → PlatformError."""
    bad_status = error_from_status(PLATFORM, response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise bad_status or PlatformError(PLATFORM, "bad_response", response.text[:200])
    error = body.get("error_response")
    if isinstance(error, dict):
        code = int(error.get("error_code") or 0)
        message = str(error.get("error_msg") or "")
        if error.get("sub_msg"):
            message = f"{message}: {error['sub_msg']}"
        retryable = code in RATE_LIMIT_CODES or bool(bad_status and bad_status.retryable)
        raise PlatformError(PLATFORM, str(code), message, retryable=retryable, http_status=response.status_code)
    if bad_status:
        raise bad_status
    inner = body.get(RESPONSE_KEY.get(api, ""))
    if not isinstance(inner, dict):
        raise PlatformError(PLATFORM, "bad_response", f"no {RESPONSE_KEY.get(api)} in the answer")
    return inner
