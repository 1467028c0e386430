"""One 聚水潭 connection's calls: form POST with system params, `biz` as one JSON string, signed.

Answers are {"code", "msg", "data"}; code 0 is success. 199/200 (too many calls per second /
per minute) are answered by waiting out the window (per second) or by a retryable error for the
relay to come back later (per minute).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy, error_from_status, log_call, with_retries
from integrations.erp_base import RateLimited, honour_rate_limits, http_or_shared
from integrations.jushuitan.sign import jst_sign
from integrations.jushuitan.spec import ERP, OK, REFRESH_TOKEN, RETRY_AFTER

FORM = "application/x-www-form-urlencoded;charset=UTF-8"


class JstClient:
    def __init__(
        self,
        app_key: str,
        app_secret: str,
        access_token: str,
        *,
        base_url: str,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_key = app_key
        self._secret = app_secret
        self._token = access_token
        self.base_url = base_url.rstrip("/")
        self._http = http
        self.retry = retry or RetryPolicy()
        self._clock = clock

    def signed_form(self, biz: Any) -> dict[str, str]:
        params = {
            "app_key": self.app_key,
            "access_token": self._token,
            "timestamp": str(int(self._clock())),
            "charset": "utf-8",
            "version": "2",
            "biz": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = jst_sign(self._secret, params)
        return params

    async def call(self, path: str, biz: Any) -> Any:
        """The answer's `data` for code 0; PlatformError (RateLimited for 199/200) otherwise."""
        return await self._post(path, lambda: self.signed_form(biz))

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        """A new access_token (and refresh_token) for a self-built app (§1.2)."""

        def form() -> dict[str, str]:
            params = {
                "app_key": self.app_key,
                "timestamp": str(int(self._clock())),
                "grant_type": "refresh_token",
                "charset": "utf-8",
                "refresh_token": refresh_token,
                "scope": "all",
            }
            return params | {"sign": jst_sign(self._secret, params)}

        return await self._post(REFRESH_TOKEN, form)

    async def _post(self, path: str, form: Callable[[], dict[str, str]]) -> Any:
        http = http_or_shared(self._http)

        async def attempt(timeout: float) -> Any:
            started = time.monotonic()
            response = await http.post(
                self.base_url + path, data=form(), headers={"Content-Type": FORM}, timeout=timeout
            )
            if (error := error_from_status(ERP, response)) is not None:
                log_call(ERP, path, self.app_key, started, error.code)
                raise error
            try:
                body = response.json()
                code, message = int(body.get("code", -1)), str(body.get("msg") or "")
            except (ValueError, AttributeError, TypeError):
                log_call(ERP, path, self.app_key, started, "bad_response")
                raise PlatformError(ERP, "bad_response", response.text[:200]) from None
            log_call(ERP, path, self.app_key, started, str(code))
            if code == OK:
                return body.get("data")
            if code in RETRY_AFTER:
                raise RateLimited(ERP, str(code), message, retry_after=RETRY_AFTER[code])
            raise PlatformError(ERP, str(code), message)

        return await with_retries(
            ERP, attempt, self.retry, on_error=honour_rate_limits(attempts=self.retry.max_attempts)
        )
