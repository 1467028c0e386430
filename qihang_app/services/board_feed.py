"""One feed per backend process between the live notes and the open boards.

It listens to the process's LiveHub (itself one Redis subscription), reads the orders named in
a burst of notes in one query, applies them to the shared BoardCache, and wakes the boards of
the stores that changed. Every REFRESH_SECONDS it wakes every board anyway (countdowns move
orders between tabs), and every FULL_RELOAD_SECONDS it re-reads whole stores, because a note
can be lost (Redis restarted, subscription dropped): a lost note costs at most that long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

import redis.asyncio as aioredis

from qihang_app import live, metrics
from qihang_app.db import read_scope
from qihang_app.models import utcnow
from qihang_app.services.board import Board
from qihang_app.services.board_cache import BoardCache

log = logging.getLogger(__name__)

COALESCE_SECONDS = 0.03  # notes that arrive this close together become one read
REFRESH_SECONDS = 20.0
FULL_RELOAD_SECONDS = 60.0
BLIND_RELOAD_SECONDS = 10.0  # while the Redis subscription is down, no note arrives: read more often
IDLE_STORE_SECONDS = 300.0  # a store nobody watches is forgotten after this long
REPORT_SECONDS = 30.0  # the open-board count is re-told to /metrics this often
LINGER_SECONDS = 10.0  # the loop outlives the last board this long (a reload reopens it)


class Wake:
    """A board's doorbell: set when one of its stores changed (or on the refresh tick)."""

    __slots__ = ("stores", "event")

    def __init__(self, stores: frozenset[int]) -> None:
        self.stores = stores
        self.event = asyncio.Event()


class BoardFeed:
    def __init__(self, *, hub: live.LiveHub | None = None, engine=None) -> None:
        self._hub = hub or live.hub
        self._engine = engine  # None: the process's engine (tests pass their own)
        self.cache = BoardCache()
        self._boards: dict[int, Wake] = {}
        self._next = 0
        self._task: asyncio.Task | None = None
        self._io = asyncio.Lock()  # one database read at a time, applied in the order read
        self._loaded_at: dict[int, float] = {}
        self._watched_at: dict[int, float] = {}
        self.last_read_ms = 0.0  # the latest database read behind the cache (shown by the benchmark)
        self._reported = (-1, 0.0)  # (board count, when) last told to /metrics
        self._metrics_redis: aioredis.Redis | None = None

    # ---- boards ------------------------------------------------------------------------------
    def subscribe(self, store_ids: Iterable[int]) -> tuple[int, Wake]:
        self._next += 1
        wake = Wake(frozenset(store_ids))
        self._boards[self._next] = wake
        self._ensure_running()
        return self._next, wake

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unsubscribe(self, key: int) -> None:
        self._boards.pop(key, None)

    @property
    def board_count(self) -> int:
        return len(self._boards)

    async def ensure(self, store_ids: Iterable[int]) -> None:
        """Hold these stores (first board of a store: one full read)."""
        now = time.monotonic()
        for sid in store_ids:
            self._watched_at[sid] = now
        self._ensure_running()  # from here on notes for these stores are followed
        missing = [sid for sid in store_ids if not self.cache.holds(sid)]
        if missing:
            await self._read_stores(missing)

    async def refresh_orders(self, order_ids: Iterable[int]) -> None:
        """Re-read these orders now (after this process changed them) and wake their boards."""
        await self._read_orders(list(order_ids))

    def board(self, store_ids: Iterable[int], **kwargs) -> Board:
        return self.cache.board(store_ids, now=utcnow(), **kwargs)

    # ---- reads -------------------------------------------------------------------------------
    async def _read_stores(self, store_ids: list[int]) -> None:
        async with self._io:
            store_ids = [sid for sid in store_ids if sid in self._watched_at]
            if not store_ids:
                return
            started = time.perf_counter()
            stores = await asyncio.to_thread(_read_stores_sync, self._engine, store_ids)
            self.last_read_ms = (time.perf_counter() - started) * 1000
            changed = self.cache.put_stores(stores)
            now = time.monotonic()
            for sid in store_ids:
                self._loaded_at[sid] = now
        self._wake(changed)

    async def _read_orders(self, order_ids: list[int]) -> None:
        if not order_ids:
            return
        async with self._io:
            started = time.perf_counter()
            asked, cards = await asyncio.to_thread(_read_orders_sync, self._engine, order_ids)
            self.last_read_ms = (time.perf_counter() - started) * 1000
            changed = self.cache.put_orders(asked, cards)
        self._wake(changed)

    def _wake(self, stores: set[int] | None) -> None:
        """Wake the boards of these stores (None: every board)."""
        if stores is not None and not stores:
            return
        for wake in list(self._boards.values()):
            if stores is None or not wake.stores.isdisjoint(stores):
                wake.event.set()

    # ---- the loop ----------------------------------------------------------------------------
    async def _run(self) -> None:
        key, queue = self._hub.listen(None)
        last_tick = time.monotonic()
        try:
            while self._boards or any(time.monotonic() - t < LINGER_SECONDS for t in self._watched_at.values()):
                try:
                    first = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    first = None
                if first is not None:
                    await asyncio.sleep(COALESCE_SECONDS)
                    notes = [first]
                    while not queue.empty():
                        notes.append(queue.get_nowait())
                    # stores still being read count too: their read may predate the change
                    ids = {_int(n.get("order_id")) for n in notes if _int(n.get("store_id")) in self._watched_at} - {0}
                    try:
                        await self._read_orders(sorted(ids))
                    except Exception:  # the database may be briefly unavailable: the next full read repairs
                        log.exception("board feed: reading %d changed orders failed", len(ids))
                now = time.monotonic()
                if now - last_tick >= REFRESH_SECONDS:
                    last_tick = now
                    self._wake(None)
                await self._housekeeping(now)
                await self._report_boards(now)
        finally:
            await self._report_boards(0.0, force=True)  # none open here any more
            self._hub.unlisten(key)
            self.cache.drop(self.cache.store_ids)  # no longer following the notes: forget
            self._loaded_at.clear()
            self._watched_at.clear()
            self._task = None

    async def _report_boards(self, now: float, *, force: bool = False) -> None:
        """The open boards of this process, for /metrics (every REPORT_SECONDS or on a change)."""
        count = len(self._boards)
        if not force and (count, now - self._reported[1] < REPORT_SECONDS) == (self._reported[0], True):
            return
        self._reported = (count, now)
        if self._metrics_redis is None:
            self._metrics_redis = aioredis.from_url(self._hub.redis_url, socket_connect_timeout=1, socket_timeout=1)
        await metrics.report_boards(self._metrics_redis, count)

    async def _housekeeping(self, now: float) -> None:
        watched = set().union(*(w.stores for w in self._boards.values())) if self._boards else set()
        for sid in watched:
            self._watched_at[sid] = now
        idle = [sid for sid in self.cache.store_ids if now - self._watched_at.get(sid, 0) > IDLE_STORE_SECONDS]
        if idle:
            self.cache.drop(idle)
            for sid in idle:
                self._loaded_at.pop(sid, None)
                self._watched_at.pop(sid, None)
        every = FULL_RELOAD_SECONDS if self._hub.connected else BLIND_RELOAD_SECONDS
        stale = [sid for sid in self.cache.store_ids if now - self._loaded_at.get(sid, 0) > every]
        if stale:
            try:
                await self._read_stores(stale)
            except Exception:
                log.exception("board feed: full read of stores %s failed", stale)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _read_stores_sync(engine, store_ids: list[int]):
    with read_scope(engine) as session:
        return BoardCache.read_stores(session, store_ids)


def _read_orders_sync(engine, order_ids: list[int]):
    with read_scope(engine) as session:
        return BoardCache.read_orders(session, order_ids)


feed = BoardFeed()
