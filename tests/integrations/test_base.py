"""Retry loop, backoff, token cache and the shared HTTP client, without any server."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from integrations.base import PlatformError, RetryPolicy, Token, TokenCache, with_retries
from integrations.http import close_http_client, get_http_client

QUICK = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02, attempt_timeout=1, total_timeout=2)


def test_backoff_grows_is_capped_and_jittered():
    policy = RetryPolicy(base_delay=1, max_delay=5, jitter=0.5)
    rng = random.Random(1)
    for attempt, raw in ((1, 1), (2, 2), (3, 4), (4, 5), (9, 5)):
        delays = {policy.delay(attempt, rng) for _ in range(50)}
        assert all(raw * 0.5 <= d <= raw * 1.5 for d in delays)
        assert len(delays) > 1  # jitter: workers do not retry in step


async def test_retries_retryable_errors_then_succeeds():
    calls = []

    async def attempt(timeout: float) -> str:
        calls.append(timeout)
        if len(calls) < 3:
            raise PlatformError("x", "711", "busy", retryable=True)
        return "ok"

    assert await with_retries("x", attempt, QUICK) == "ok"
    assert len(calls) == 3 and all(0 < t <= 1 for t in calls)


async def test_timeouts_and_network_errors_are_retried():
    calls = []

    async def attempt(timeout: float) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow")
        if len(calls) == 2:
            raise httpx.ConnectError("refused")
        return "ok"

    assert await with_retries("x", attempt, QUICK) == "ok"


async def test_non_retryable_error_is_raised_at_once():
    calls = []

    async def attempt(timeout: float) -> str:
        calls.append(1)
        raise PlatformError("x", "808", "state changed")

    with pytest.raises(PlatformError) as info:
        await with_retries("x", attempt, QUICK)
    assert info.value.code == "808" and len(calls) == 1


async def test_gives_up_after_max_attempts_with_the_platform_code():
    calls = []

    async def attempt(timeout: float) -> str:
        calls.append(1)
        raise PlatformError("x", "http_503", "down", retryable=True, http_status=503)

    with pytest.raises(PlatformError) as info:
        await with_retries("x", attempt, QUICK)
    assert len(calls) == 4
    assert info.value.code == "http_503" and info.value.retryable
    assert "gave up after 4 attempts" in str(info.value)


async def test_total_timeout_bounds_the_whole_call():
    policy = RetryPolicy(
        max_attempts=100, base_delay=0.05, max_delay=0.05, jitter=0, attempt_timeout=1, total_timeout=0.3
    )

    async def attempt(timeout: float) -> str:
        raise PlatformError("x", "timeout", "slow", retryable=True)

    started = time.monotonic()
    with pytest.raises(PlatformError):
        await with_retries("x", attempt, policy)
    assert time.monotonic() - started < 0.6


async def test_on_error_can_force_one_immediate_retry():
    calls = []

    async def attempt(timeout: float) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise PlatformError("x", "28001008", "token expired")
        return "ok"

    async def on_error(error: PlatformError) -> bool:
        return error.code == "28001008"

    assert await with_retries("x", attempt, QUICK, on_error=on_error) == "ok"


async def test_token_cache_refreshes_before_expiry_and_once_for_many_callers():
    now = [1000.0]
    fetched = []

    async def fetch() -> Token:
        fetched.append(now[0])
        await asyncio.sleep(0.01)
        return Token(f"t{len(fetched)}", now[0] + 7200)

    cache = TokenCache(fetch, margin=300, clock=lambda: now[0])
    assert set(await asyncio.gather(*(cache.get() for _ in range(20)))) == {"t1"}
    now[0] += 7200 - 301
    assert await cache.get() == "t1"  # still outside the margin
    now[0] += 2
    assert await cache.get() == "t2"  # inside the margin: refreshed before it expires
    cache.invalidate()
    assert await cache.get() == "t3"
    assert cache.refresh_count == 3


async def test_shared_http_client_is_one_per_loop():
    first = get_http_client()
    assert get_http_client() is first
    await close_http_client()
    assert first.is_closed
    second = get_http_client()
    assert second is not first
    await close_http_client()
