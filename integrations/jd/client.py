"""JD routerjson client: signed system parameters, `360buy_param_json`, the `_responce` wrapper and
the `error_response` envelope, retries on rate limits, one token refresh on code 19."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy, Token, error_from_status, logged_call, with_retries
from integrations.http import get_http_client
from integrations.jd.sign import jd_sign, jd_time
from integrations.jd.spec import (
    API_VERSION,
    GATEWAY,
    PARAM_JSON,
    PLATFORM,
    RESULT_KEY,
    RETRYABLE_ERRORS,
    TOKEN_ERRORS,
    response_key,
)

Refresher = Callable[[], Awaitable[Token]]
REFRESH_MARGIN = 300.0  # seconds before expiry a token counts as due


class JdClient:
    def __init__(
        self,
        app_key: str,
        secret: str,
        access_token: str,
        *,
        vender_id: str = "",
        base_url: str = GATEWAY,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        refresher: Refresher | None = None,
        decrypt: bool = False,
        expires_at: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_key = app_key
        self._secret = secret
        self.access_token = access_token
        self.vender_id = str(vender_id)
        self.base_url = base_url.rstrip("/")
        self._http = http
        self.retry = retry or RetryPolicy()
        self._refresher = refresher
        self.decrypt = decrypt  # the merchant holds the 解密 permission (credentials['decrypt'])
        self._clock = clock
        self.expires_at = expires_at  # epoch seconds of the access token (0: unknown)
        self.refresh_count = 0

    def __repr__(self) -> str:  # keep the secret and the token out of tracebacks
        return f"JdClient(app_key={self.app_key!r}, vender_id={self.vender_id!r})"

    def _client(self) -> httpx.AsyncClient:
        return self._http or get_http_client()

    def signed(self, method: str, business: dict[str, Any]) -> dict[str, str]:
        params = {
            "method": method,
            "app_key": self.app_key,
            "access_token": self.access_token,
            "timestamp": jd_time(datetime.fromtimestamp(self._clock(), UTC)),
            "v": API_VERSION,
            "format": "json",
            PARAM_JSON: json.dumps(business, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = jd_sign(self._secret, params)
        return params

    async def call(self, method: str, business: dict[str, Any] | None = None) -> Any:
        """Run one API; return the object inside its `_responce` wrapper (its result key's value)."""
        refreshed = False
        body = business or {}
        if self.expires_at and self._clock() >= self.expires_at - REFRESH_MARGIN:
            await self._refresh()  # due: refresh before the call rather than after a code 19

        async def attempt(timeout: float) -> Any:
            async with logged_call(PLATFORM, method, self.vender_id):
                response = await self._client().post(self.base_url, data=self.signed(method, body), timeout=timeout)
                return unwrap(method, response)

        async def on_error(error: PlatformError) -> bool:
            nonlocal refreshed
            if error.code in TOKEN_ERRORS and not refreshed and self._refresher is not None:
                refreshed = True
                await self._refresh()
                return True
            return False

        return await with_retries(PLATFORM, attempt, self.retry, on_error=on_error)

    async def _refresh(self) -> None:
        if self._refresher is None:
            return
        token = await self._refresher()
        self.access_token, self.expires_at = token.value, token.expires_at
        self.refresh_count += 1


def unwrap(method: str, response: httpx.Response) -> Any:
    """The answer's result object, or PlatformError from `error_response` / a failed apiResult."""
    failed = error_from_status(PLATFORM, response)
    if failed is not None:
        raise failed
    try:
        payload = response.json()
    except ValueError:
        raise PlatformError(PLATFORM, "bad_response", response.text[:200], retryable=True) from None
    error = payload.get("error_response")
    if error:
        code = str(error.get("code", ""))
        message = str(error.get("zh_desc") or error.get("en_desc") or "")
        raise PlatformError(PLATFORM, code, message, retryable=code in RETRYABLE_ERRORS)
    wrapper = payload.get(response_key(method))
    if not isinstance(wrapper, dict):
        raise PlatformError(PLATFORM, "bad_response", f"no {response_key(method)} in the answer")
    if str(wrapper.get("code", "0")) != "0":  # business-level failure inside the wrapper
        raise PlatformError(PLATFORM, str(wrapper.get("code")), str(wrapper.get("zh_desc") or ""))
    result = wrapper.get(RESULT_KEY.get(method, "result"))
    if isinstance(result, dict):
        api = result.get("apiResult") or result
        if api.get("success") is False:
            code = str(api.get("code") or api.get("resultCode") or "business")
            raise PlatformError(PLATFORM, code, str(api.get("chineseErrCode") or api.get("message") or ""))
    return result
