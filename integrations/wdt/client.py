"""One 旺店通 企业版 connection's calls: form POST to <name>.php, each business parameter its own
field (lists as JSON text), signed. Answers carry "code" (0 = success) and "message"."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy, error_from_status, log_call, with_retries
from integrations.erp_base import RateLimited, honour_rate_limits, http_or_shared
from integrations.wdt.sign import wdt_sign
from integrations.wdt.spec import ERP, OK, RATE_LIMITED, RATE_WORDS, RETRY_AFTER


def field_text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


class WdtClient:
    def __init__(
        self,
        sid: str,
        appkey: str,
        appsecret: str,
        *,
        base_url: str,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sid, self.appkey, self._secret = sid, appkey, appsecret
        self.base_url = base_url.rstrip("/") + "/"
        self._http = http
        self.retry = retry or RetryPolicy()
        self._clock = clock

    def signed_form(self, business: dict[str, Any]) -> dict[str, str]:
        params = {"sid": self.sid, "appkey": self.appkey, "timestamp": str(int(self._clock()))}
        params |= {k: field_text(v) for k, v in business.items()}
        params["sign"] = wdt_sign(self._secret, params)
        return params

    async def call(self, name: str, business: dict[str, Any]) -> dict[str, Any]:
        """The whole answer for code 0; PlatformError (RateLimited for a frequency answer) else."""
        http = http_or_shared(self._http)

        async def attempt(timeout: float) -> dict[str, Any]:
            started = time.monotonic()
            response = await http.post(f"{self.base_url}{name}.php", data=self.signed_form(business), timeout=timeout)
            if (error := error_from_status(ERP, response)) is not None:
                log_call(ERP, name, self.sid, started, error.code)
                raise error
            try:
                body = response.json()
                code, message = int(body.get("code", -1)), str(body.get("message") or "")
            except (ValueError, AttributeError, TypeError):
                log_call(ERP, name, self.sid, started, "bad_response")
                raise PlatformError(ERP, "bad_response", response.text[:200]) from None
            log_call(ERP, name, self.sid, started, str(code))
            if code == OK:
                return body
            if code == RATE_LIMITED and any(word in message for word in RATE_WORDS):
                raise RateLimited(ERP, str(code), message, retry_after=RETRY_AFTER)
            raise PlatformError(ERP, str(code), message)

        return await with_retries(
            ERP, attempt, self.retry, on_error=honour_rate_limits(RETRY_AFTER, self.retry.max_attempts)
        )
