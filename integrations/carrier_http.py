"""One carrier API call: POST, retry what is worth retrying, read the carrier's envelope, log.

Every adapter passes `read`, which turns the decoded answer into a result or raises the carrier's
own error as a PlatformError (retryable when the code means "slow down"). Creates are idempotent on
our order id at every carrier, so a retried create books one ride.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from integrations.base import PlatformError, RetryPolicy, error_from_status, log_call, with_retries
from integrations.http import get_http_client

T = TypeVar("T")

CARRIER_RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0, attempt_timeout=8.0, total_timeout=20.0)


class CarrierCaller:
    def __init__(
        self, carrier: str, account: str, *, http: httpx.AsyncClient | None = None, retry: RetryPolicy | None = None
    ) -> None:
        self.carrier = carrier
        self.account = account
        self.http = http
        self.retry = retry or CARRIER_RETRY

    async def post(self, method: str, url: str, read: Callable[[Any], T], **request: Any) -> T:
        """POST `request` (json= / data= / content= / params=) to `url`; `read` gets the decoded JSON."""

        async def attempt(timeout: float) -> T:
            started = time.monotonic()
            client = self.http or get_http_client()
            try:
                response = await client.post(url, timeout=timeout, **request)
            except httpx.HTTPError:
                log_call(self.carrier, method, self.account, started, "network")
                raise
            error = error_from_status(self.carrier, response)
            if error is not None:
                log_call(self.carrier, method, self.account, started, error.code)
                raise error
            try:
                data = response.json()
            except ValueError:
                log_call(self.carrier, method, self.account, started, "bad_response")
                raise PlatformError(self.carrier, "bad_response", response.text[:200]) from None
            try:
                result = read(data)
            except PlatformError as exc:
                log_call(self.carrier, method, self.account, started, exc.code)
                raise
            except (KeyError, TypeError, ValueError) as exc:
                log_call(self.carrier, method, self.account, started, "bad_response")
                raise PlatformError(self.carrier, "bad_response", f"{type(exc).__name__}: {exc}") from None
            log_call(self.carrier, method, self.account, started, "ok")
            return result

        return await with_retries(self.carrier, attempt, self.retry)


def carrier_error(carrier: str, code: object, message: str, rate_limit_codes: frozenset[str]) -> PlatformError:
    """The carrier's own refusal; a rate limit is worth another try after the backoff."""
    return PlatformError(carrier, str(code), message or "", retryable=str(code) in rate_limit_codes)
