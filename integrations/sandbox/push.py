"""Push sender: delivers what the platforms would push, signed, to each shop's callback URL.

One queue and one worker per shop keeps pushes of a shop in order (unless a fault says otherwise).
A push counts as delivered on HTTP 2xx (Meituan: body {"data":"ok"}); otherwise it is retried a
few times with backoff, like the platforms do, then marked failed.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from integrations import registry
from integrations.sandbox.faults import FaultKind, Faults
from integrations.sandbox.store import Shop, SimOrder, Store

log = logging.getLogger("integrations.sandbox.push")

HOLD_SECONDS = 1.0  # a reordered push waits at most this long for a successor


@dataclass
class Outgoing:
    id: int
    platform: str
    shop_id: str
    order_id: str
    push_type: str
    url: str
    payload: dict[str, Any]
    body: bytes | None = None  # encoded at first send, reused for retries and duplicates
    headers: dict[str, str] = field(default_factory=dict)


class PushSender:
    def __init__(
        self, store: Store, faults: Faults, *, attempts: int = 3, timeout: float = 5.0, retry_delay: float = 0.2
    ) -> None:
        self.store = store
        self.faults = faults
        self.attempts = attempts
        self.timeout = timeout
        self.retry_delay = retry_delay
        self.log: deque[dict] = deque(maxlen=50_000)
        self._ids = itertools.count(1)
        self._queues: dict[tuple[str, str], asyncio.Queue[Outgoing]] = {}
        self._workers: dict[tuple[str, str], asyncio.Task] = {}
        self._stopping = asyncio.Event()
        self._http: httpx.AsyncClient | None = None
        self.in_flight = 0

    # ---- producing -----------------------------------------------------------------------------

    def notify(self, order: SimOrder, event: str, **details: Any) -> None:
        shop = self.store.shops.get((order.platform, order.shop_id))
        if shop is None:
            return
        outgoing = self._render(order, shop, event, details)
        if outgoing is None:
            return
        if not shop.callback_base:
            self._record(outgoing, "no_callback", 0, None)
            return
        key = (shop.platform, shop.shop_id)
        if key not in self._queues:
            self._queues[key] = asyncio.Queue()
            self._workers[key] = asyncio.get_running_loop().create_task(self._worker(key))
        self.in_flight += 1
        self._queues[key].put_nowait(outgoing)

    def _render(self, order: SimOrder, shop: Shop, event: str, details: dict[str, Any]) -> Outgoing | None:
        twin = registry.platform(shop.platform).twin()
        rendered = twin.push_for(order, shop, event, details)
        if rendered is None:
            return None
        push_type, payload = rendered
        url = twin.callback_url(shop, push_type)
        return Outgoing(
            id=next(self._ids),
            platform=shop.platform,
            shop_id=shop.shop_id,
            order_id=order.order_id,
            push_type=str(push_type),
            url=url,
            payload=payload,
        )

    # ---- sending -------------------------------------------------------------------------------

    async def _worker(self, key: tuple[str, str]) -> None:
        queue = self._queues[key]
        held: Outgoing | None = None
        while not self._stopping.is_set():
            try:
                item = await asyncio.wait_for(queue.get(), HOLD_SECONDS if held else 0.5)
            except TimeoutError:
                if held is not None:  # nothing came to overtake it: send it now
                    await self._deliver(held)
                    held = None
                continue
            fault = self.faults.take_push(item.platform, item.shop_id, item.push_type)
            kind = fault.kind if fault else None
            if kind == FaultKind.DROP_PUSH:
                self._record(item, "dropped", 0, None)
                self.in_flight -= 1
                continue
            if kind == FaultKind.REORDER_PUSH and held is None:
                held = item
                continue
            await self._deliver(item)
            if kind == FaultKind.DUPLICATE_PUSH:
                self.in_flight += 1
                await self._deliver(item, duplicate=True)
            if held is not None:
                await self._deliver(held)
                held = None

    async def _deliver(self, item: Outgoing, *, duplicate: bool = False) -> None:
        try:
            await self._send_with_retries(item, duplicate)
        except Exception:  # never let one push kill the shop's worker
            log.exception("push %s failed unexpectedly", item.id)
            self._record(item, "failed", 0, None, duplicate=duplicate)
        finally:
            self.in_flight -= 1

    async def _send_with_retries(self, item: Outgoing, duplicate: bool) -> None:
        shop = self.store.shops.get((item.platform, item.shop_id))
        if shop is None:
            return
        if item.body is None:
            self._encode(item, shop)
        status: int | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                response = await self._client().post(item.url, content=item.body, headers=item.headers)
                status = response.status_code
                if 200 <= status < 300 and registry.platform(item.platform).twin().delivered(response):
                    self._record(item, "delivered", attempt, status, duplicate=duplicate)
                    return
            except httpx.HTTPError:
                status = None
            if attempt < self.attempts and not self._stopping.is_set():
                await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))
        self._record(item, "failed", self.attempts, status, duplicate=duplicate)

    def _encode(self, item: Outgoing, shop: Shop) -> None:
        twin = registry.platform(item.platform).twin()
        item.body, item.headers = twin.encode_push(item.url, item.push_type, item.payload, shop)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(timeout=self.timeout, trust_env=False)
        return self._http

    def _record(
        self, item: Outgoing, outcome: str, attempts: int, status: int | None, *, duplicate: bool = False
    ) -> None:
        self.log.append(
            {
                "id": item.id,
                "platform": item.platform,
                "shop_id": item.shop_id,
                "order_id": item.order_id,
                "push_type": item.push_type,
                "url": item.url,
                "outcome": outcome,
                "attempts": attempts,
                "http_status": status,
                "duplicate": duplicate,
                "at": time.time(),
            }
        )

    # ---- lifecycle -----------------------------------------------------------------------------

    async def stop(self) -> None:
        self._stopping.set()
        workers = list(self._workers.values())
        if workers:
            _, pending = await asyncio.wait(workers, timeout=5)
            for task in pending:
                task.cancel()
        self._workers.clear()
        self._queues.clear()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def reset(self) -> None:
        self.log.clear()
