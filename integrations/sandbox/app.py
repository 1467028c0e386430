"""The sandbox ASGI app: platform APIs + push sender + generator + control API, on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from integrations import registry
from integrations.alerts import twin as robot_twin
from integrations.sandbox import control, erp_twin, rider_control
from integrations.sandbox.faults import Faults
from integrations.sandbox.generator import Generator, Ratios
from integrations.sandbox.lifecycle import Lifecycle
from integrations.sandbox.push import PushSender
from integrations.sandbox.riders import Account, RiderDesk
from integrations.sandbox.store import Shop, Store


def demo_shops() -> list[dict]:
    """One demo shop per platform twin, with fixed credentials (the demo binds them)."""
    return [dict(platform=a.profile.code, **a.twin().demo_shop) for a in registry.platforms()]


DEMO_SHOPS = tuple(demo_shops())
CARRIER_CALLBACK_PATH = "/api/webhooks/carriers/{carrier}"  # the built-in platforms' demo shops


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
        self.riders = RiderDesk({k.code: k.twin() for k in registry.carriers()}, seed=self.seed)
        self.erps: dict[str, erp_twin.ErpTwinState] = {}

    def erp_state(self, erp: str) -> erp_twin.ErpTwinState:
        """The ERP twin's documents, limits and shipments (made on first use, with the ERP's limits)."""
        if erp not in self.erps:
            kind = registry.ERPS.get(erp)
            self.erps[erp] = kind.twin().new_state() if kind is not None else erp_twin.ErpTwinState(erp)
        return self.erps[erp]

    def add_demo_shops(self) -> list[Shop]:
        shops = []
        for spec in demo_shops():
            shop = Shop(**spec, callback_base=self.callback_base, rate=self.default_rate)
            self.store.add_shop(shop)
            self.generator.seed_catalog(shop, 20)
            shops.append(shop)
        return shops

    def add_demo_accounts(self) -> list[Account]:
        """One account per carrier twin, with fixed keys (the demo binds them)."""
        accounts = []
        for kind in registry.carriers():
            # Where the OMS will take this carrier's callbacks (its route comes with dispatch).
            url = f"{self.callback_base}{CARRIER_CALLBACK_PATH.format(carrier=kind.code)}" if self.callback_base else ""
            account = Account(kind.code, **kind.twin().demo_account, callback_url=url)
            accounts.append(self.riders.add_account(account))
        return accounts

    def reset(self) -> None:
        """Forget all shops, orders, faults and logs (the background loops keep running)."""
        self.store.clear()
        self.erps.clear()
        self.faults.clear()
        self.faults.fired.clear()
        self.pusher.reset()
        self.riders.clear()
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
        await self.riders.stop()


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
        sandbox.add_demo_accounts()
    sandbox.generator.streaming = stream

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        try:
            yield
        finally:
            await sandbox.stop()

    twins = [route for a in registry.platforms() for route in a.twin().routes()]
    carriers = [route for k in registry.carriers() for route in k.twin().routes()]
    twins += [route for kind in registry.erps() for route in kind.twin().routes()]
    robots = robot_twin.RobotBox()  # alert robots' receivers (钉钉, 飞书, 企业微信)
    app = Starlette(
        routes=[
            *control.routes,
            *rider_control.routes,
            *erp_twin.routes,
            *twins,
            *carriers,
            *robot_twin.routes(robots),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    app.state.robots = robots
    return app
