"""Live board updates over Redis pub/sub.

Publishers (workers, and the app after a staff action) send a small JSON note on
`orders:store:<store_id>` after their transaction commits. Each Reflex backend process holds ONE
pattern subscription (LiveHub) and fans notes out to the boards open in that process; a board
then reloads its own view. Redis only carries "something changed": losing a note costs a
refresh (boards also reload on a timer), never data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable

import redis
import redis.asyncio as aioredis

from qihang_app.config import get_settings

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "orders:store:"


def channel(store_id: int) -> str:
    return f"{CHANNEL_PREFIX}{store_id}"


def note(*, order_id: int, store_id: int, status: str, kind: str) -> str:
    return json.dumps({"order_id": order_id, "store_id": store_id, "status": status, "kind": kind, "at": time.time()})


_sync_client: redis.Redis | None = None


def publish_sync(store_id: int, payload: str) -> None:
    """Best effort: a lost note only delays a board by its refresh timer."""
    global _sync_client
    try:
        if _sync_client is None:
            _sync_client = redis.Redis.from_url(get_settings().redis_url, socket_connect_timeout=1, socket_timeout=1)
        _sync_client.publish(channel(store_id), payload)
    except redis.RedisError as exc:
        log.warning("live publish failed: %s", exc)


async def publish(client: aioredis.Redis, store_id: int, payload: str) -> None:
    try:
        await client.publish(channel(store_id), payload)
    except redis.RedisError as exc:
        log.warning("live publish failed: %s", exc)


class LiveHub:
    """One Redis subscription per process, fanned out to in-process listeners."""

    def __init__(self, redis_url: str | None = None) -> None:
        self._redis_url = redis_url  # None: the settings' (tests pass their own)
        self._listeners: dict[int, tuple[frozenset[int] | None, asyncio.Queue]] = {}
        self._task: asyncio.Task | None = None
        self._next = 0
        self.connected = False  # subscribed right now (while False, notes are being lost)

    def listen(self, store_ids: Iterable[int] | None) -> tuple[int, asyncio.Queue]:
        """Register a board; store_ids None means every store (admins)."""
        self._next += 1
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self._listeners[self._next] = (frozenset(store_ids) if store_ids is not None else None, queue)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return self._next, queue

    def unlisten(self, key: int) -> None:
        self._listeners.pop(key, None)

    @property
    def redis_url(self) -> str:
        return self._redis_url or get_settings().redis_url

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    def _deliver(self, data: bytes | str) -> None:
        try:
            msg = json.loads(data)
            store_id = int(msg["store_id"])
        except (ValueError, KeyError, TypeError):
            return
        for stores, queue in list(self._listeners.values()):
            if stores is None or store_id in stores:
                try:
                    queue.put_nowait(msg)
                except asyncio.QueueFull:
                    pass  # that board is behind; it reloads everything anyway

    async def _run(self) -> None:
        backoff = 0.5
        while self._listeners:
            client = aioredis.from_url(self._redis_url or get_settings().redis_url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                    self.connected, backoff = True, 0.5
                    while self._listeners:
                        msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                        if msg and msg.get("type") == "pmessage":
                            self._deliver(msg["data"])
            except (redis.RedisError, OSError) as exc:
                self.connected = False
                log.warning("live subscription lost (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10)
            finally:
                self.connected = False
                await client.aclose()
        self._task = None


hub = LiveHub()
