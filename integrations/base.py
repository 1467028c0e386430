"""What every platform adapter shares: money conversion, errors, retries, token cache, call log."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from qihang_app.domain.money import MoneyError, yuan_to_fen

call_log = logging.getLogger("integrations.calls")

T = TypeVar("T")


# ---- money: platforms send yuan as floats or strings; inside we keep int fen -------------------


def wire_yuan_to_fen(value: object) -> int:
    """A platform's yuan amount ('12.30' / 12.3 / 12) -> int fen, by the one rule of
    `domain.money.yuan_to_fen`. Platforms leave out zero amounts, so None or "" is 0; anything
    else that is not an amount raises ValueError, like every other malformed wire field."""
    if value is None or value == "":
        return 0
    try:
        return yuan_to_fen(value)  # type: ignore[arg-type]
    except MoneyError as exc:
        raise ValueError(str(exc)) from exc


def from_unix(seconds: object) -> datetime | None:
    """Platform 10-digit (or 13-digit ms) timestamps -> aware UTC; 0/empty -> None."""
    if seconds in (None, "", 0, "0"):
        return None
    value = float(seconds)  # type: ignore[arg-type]
    if value > 1e11:  # milliseconds
        value /= 1000
    return datetime.fromtimestamp(value, tz=UTC)


# ---- errors ------------------------------------------------------------------------------------


class PlatformError(Exception):
    """A platform said no (or could not be reached). `code` is the platform's own code as text."""

    def __init__(
        self, platform: str, code: str, message: str, *, retryable: bool = False, http_status: int | None = None
    ) -> None:
        super().__init__(f"{platform} error {code}: {message}")
        self.platform = platform
        self.code = str(code)
        self.message = message
        self.retryable = retryable
        self.http_status = http_status


# ---- retries -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5  # seconds before the 2nd attempt; doubles each time
    max_delay: float = 8.0
    jitter: float = 0.5  # +- this fraction of the delay, so many workers do not retry in step
    attempt_timeout: float = 10.0  # one HTTP exchange
    total_timeout: float = 30.0  # all attempts and sleeps together

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Sleep after failed attempt number `attempt` (1-based)."""
        raw = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        spread = raw * self.jitter
        return max(0.0, raw + (rng or random).uniform(-spread, spread))


def error_from_http(platform: str, exc: httpx.HTTPError) -> PlatformError:
    if isinstance(exc, httpx.TimeoutException):
        return PlatformError(platform, "timeout", f"no answer in time ({type(exc).__name__})", retryable=True)
    return PlatformError(platform, "network", f"{type(exc).__name__}: {exc}", retryable=True)


def error_from_status(platform: str, response: httpx.Response) -> PlatformError | None:
    """5xx and 429 are worth retrying; other non-2xx are a bug on one side."""
    status = response.status_code
    if status < 400:
        return None
    retryable = status >= 500 or status == 429
    return PlatformError(platform, f"http_{status}", response.text[:200], retryable=retryable, http_status=status)


async def with_retries(
    platform: str,
    attempt: Callable[[float], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_error: Callable[[PlatformError], Awaitable[bool]] | None = None,
) -> T:
    """Run `attempt(timeout)` until it succeeds, raises a non-retryable error, or the budget ends.

    `on_error` may repair state (e.g. drop an expired token) and return True to force one more try.
    """
    deadline = time.monotonic() + policy.total_timeout
    tries = 0
    while True:
        tries += 1
        remaining = deadline - time.monotonic()
        try:
            return await attempt(max(0.05, min(policy.attempt_timeout, remaining)))
        except httpx.HTTPError as exc:
            error = error_from_http(platform, exc)
        except PlatformError as exc:
            error = exc
        forced = bool(on_error and await on_error(error))
        if not (error.retryable or forced):
            raise error
        if tries >= policy.max_attempts:
            raise _gave_up(error, tries)
        pause = 0.0 if forced and not error.retryable else policy.delay(tries)
        if time.monotonic() + pause >= deadline:
            raise _gave_up(error, tries)
        await asyncio.sleep(pause)


def _gave_up(error: PlatformError, tries: int) -> PlatformError:
    final = PlatformError(
        error.platform,
        error.code,
        f"{error.message} (gave up after {tries} attempts)",
        retryable=error.retryable,
        http_status=error.http_status,
    )
    final.__cause__ = error
    return final


# ---- tokens ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Token:
    value: str
    expires_at: float  # time.time() seconds
    refresh_token: str = ""  # a refresh that also rotates the refresh token hands the new one here
    refresh_expires_at: float | None = None


class TokenCache:
    """One access token, refreshed `margin` seconds before it expires, by one caller at a time."""

    def __init__(
        self, fetch: Callable[[], Awaitable[Token]], *, margin: float = 300.0, clock: Callable[[], float] = time.time
    ) -> None:
        self._fetch = fetch
        self._margin = margin
        self._clock = clock
        self._token: Token | None = None
        self._lock: asyncio.Lock | None = None
        self.refresh_count = 0

    def _fresh(self) -> bool:
        return self._token is not None and self._clock() < self._token.expires_at - self._margin

    async def get(self) -> str:
        if self._fresh():
            return self._token.value  # type: ignore[union-attr]
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not self._fresh():  # another caller may have refreshed while we waited
                self._token = await self._fetch()
                self.refresh_count += 1
            return self._token.value  # type: ignore[union-attr]

    def invalidate(self) -> None:
        """The platform rejected the token (expired early / revoked): fetch a new one next time."""
        self._token = None


# ---- call log ----------------------------------------------------------------------------------


@asynccontextmanager
async def logged_call(platform: str, method: str, shop: str) -> AsyncIterator[None]:
    """`async with logged_call(...)`: one log line for the exchange inside, whatever it ends in
    ("ok", the platform's error code, or the network error's name)."""
    started, result = time.monotonic(), "error"
    try:
        yield
        result = "ok"
    except PlatformError as exc:
        result = exc.code
        raise
    except httpx.HTTPError as exc:
        result = type(exc).__name__
        raise
    finally:
        log_call(platform, method, shop, started, result)


def log_call(platform: str, method: str, shop: str, started: float, result: str) -> None:
    """One line per HTTP exchange. Never pass params, secrets, tokens or signatures here."""
    call_log.info(
        "platform=%s method=%s shop=%s latency_ms=%d result=%s",
        platform,
        method,
        shop or "-",
        (time.monotonic() - started) * 1000,
        result,
    )
