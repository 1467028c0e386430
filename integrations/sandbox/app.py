"""The sandbox ASGI app: platform APIs + push sender + generator + control API, on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from integrations import registry
from integrations.sandbox import control
from integrations.sandbox.faults import Faults
from integrations.sandbox.generator import Generator, Ratios
from integrations.sandbox.lifecycle import Lifecycle
from integrations.sandbox.push import PushSender
from integrations.sandbox.store import Shop, Store


def demo_shops() -> list[dict]:
    """One demo shop per platform twin, with fixed credentials (the demo binds them)."""
    return [dict(platform=a.profile.code, **a.twin().demo_shop) for a in registry.platforms()]


DEMO_SHOPS = tuple(demo_shops())  # the built-in platforms' demo shops


class Sandbox:
    """Everything the sandbox knows and runs; one instance per app."""

    def __init__(self, *, seed: int | None = None, callback_base: str = "", default_rate: float = 0.0) -> None:
        self.seed = seed
        self.callback_base = callback_base
        self.default_rate = default_rate
        self._build()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def _build(self) -> None:
        self.store = Store()
        self.faults = Faults()
        self.pusher = PushSender(self.store, self.faults)
        self.lifecycle = Lifecycle(self.store, self.pusher)
        self.generator = Generator(self.store, self.lifecycle, seed=self.seed)
        self.lifecycle.on_confirmed = self.generator.on_confirmed

    def add_demo_shops(self) -> list[Shop]:
        shops = []
        for spec in demo_shops():
            shop = Shop(**spec, callback_base=self.callback_base, rate=self.default_rate)
            self.store.add_shop(shop)
            self.generator.seed_catalog(shop, 20)
            shops.append(shop)
        return shops

    def reset(self) -> None:
        """Forget all shops, orders, faults and logs (the background loops keep running)."""
        self.store.clear()
        self.faults.clear()
        self.faults.fired.clear()
        self.pusher.reset()
        self.generator.streaming = False
        self.generator.time_scale = 1.0
        self.generator.ratios = Ratios()

    async def start(self) -> None:
        self._stop.clear()
        self._tasks = [asyncio.get_running_loop().create_task(self.generator.run(self._stop))]

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        await self.pusher.stop()


def create_app(
    *,
    seed: int | None = None,
    callback_base: str = "",
    rate: float = 0.0,
    demo_shops: bool = False,
    stream: bool = False,
) -> Starlette:
    sandbox = Sandbox(seed=seed, callback_base=callback_base, default_rate=rate)
    if demo_shops:
        sandbox.add_demo_shops()
    sandbox.generator.streaming = stream

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        try:
            yield
        finally:
            await sandbox.stop()

    twins = [route for a in registry.platforms() for route in a.twin().routes()]
    twins += [route for kind in registry.ERPS.values() for route in kind.twin().routes()]
    app = Starlette(routes=[*control.routes, *twins], lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
