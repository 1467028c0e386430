"""One shared httpx.AsyncClient per process (connection pooling across all adapters).

An AsyncClient is bound to the event loop it first ran on, so the factory hands out a new one when
called from a different loop (tests run one loop per test; workers run one for their whole life).
"""

from __future__ import annotations

import asyncio

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=50)

_client: httpx.AsyncClient | None = None
_client_loop: asyncio.AbstractEventLoop | None = None


def get_http_client() -> httpx.AsyncClient:
    global _client, _client_loop
    loop = asyncio.get_running_loop()
    if _client is None or _client.is_closed or _client_loop is not loop:
        _client = httpx.AsyncClient(
            timeout=DEFAULT_TIMEOUT, limits=DEFAULT_LIMITS, trust_env=False, follow_redirects=False
        )
        _client_loop = loop
    return _client


async def close_http_client() -> None:
    global _client, _client_loop
    client, loop, _client, _client_loop = _client, _client_loop, None, None
    if client is None or client.is_closed:
        return
    if loop is not asyncio.get_running_loop():  # its loop is gone: its sockets went with it
        return
    await client.aclose()
