"""The rider desk: what every carrier twin shares — accounts, rides, a plausible rider timeline, and
status callbacks sent (signed by the carrier's twin) to the callback URL of the account or ride.

A ride moves 待接单 → accepted → at store → picked up → delivered on its own (`auto` accounts) at a
speed set on /_control/riders/speed, or one step at a time from the control API. Faults are
events too: expired (no rider), rider_cancelled (the rider gives it back, another comes),
reassigned, returning / returned goods, and repeats (duplicate, out_of_order) of sent callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from integrations.sandbox.fake_data import GIVEN, SURNAMES
from qihang_app.domain.geo import Point, distance_m

NEXT = {"awaiting": "accepted", "accepted": "at_store", "at_store": "picked_up", "picked_up": "delivered"}
STAGE_OF = {
    "created": "awaiting",
    "accepted": "accepted",
    "at_store": "at_store",
    "picked_up": "picked_up",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "expired": "cancelled",
    "rider_cancelled": "awaiting",
    "reassigned": "accepted",
    "returning": "exception",
    "returned": "exception",
}
EVENTS = (*STAGE_OF, "duplicate", "out_of_order", "next")
FINAL = {"delivered", "cancelled"}
# Simulated seconds before each step (a range; the desk draws inside it).
DELAYS = {"accepted": (5, 120), "at_store": (120, 480), "picked_up": (60, 240), "delivered": (300, 1500)}


class Refusal(Exception):
    """The carrier says no: kind is balance / no_rider / state / not_found / rate / params."""

    def __init__(self, kind: str, message: str = "", *, account: str = "") -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.account = account  # the account it was for, once known (recorded with the refusal)


@dataclass
class Account:
    carrier: str
    key: str  # app key / dev id / client id as the carrier issues it
    secret: str
    shop: str  # the merchant's shop / source id at the carrier
    balance_fen: int = 100_000
    callback_url: str = ""
    auto: bool = True  # riders move on their own
    no_riders: bool = False  # quotes and creates are refused: nobody can take it
    rate_limited: int = 0  # the next N calls are refused as too frequent
    failing: int = 0  # the next N calls are answered HTTP 503 (the carrier is down)
    drop_callbacks: int = 0  # the next N callbacks are never sent (lost on the way)
    lat: float = 31.2290  # the store, for carriers that book by store number (GCJ-02)
    lng: float = 121.4480

    @property
    def store(self) -> Point:
        return Point(self.lng, self.lat)


@dataclass
class Ride:
    carrier: str
    account: Account
    ride_id: str
    order_ref: str
    pickup: Point
    dropoff: Point
    fee_fen: int
    distance_m: int
    callback_url: str
    tip_fen: int = 0
    stage: str = "awaiting"
    rider_name: str = ""
    rider_phone: str = ""
    position: Point | None = None
    reason: str = ""
    dispatches: int = 1
    event: str = "created"  # the last rider event (status queries answer with its code)
    event_at: float = field(default_factory=time.time)
    history: list[tuple[str, float]] = field(default_factory=list)  # (event, at) as they happened
    extra: dict[str, Any] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)  # callbacks, in the order sent
    announced: asyncio.Event = field(default_factory=asyncio.Event)  # the first callback went out

    def truth(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "account": self.account.key,
            "ride_id": self.ride_id,
            "order_ref": self.order_ref,
            "stage": self.stage,
            "fee_fen": self.fee_fen,
            "tip_fen": self.tip_fen,
            "distance_m": self.distance_m,
            "rider_name": self.rider_name,
            "rider_phone": self.rider_phone,
            "position": None if self.position is None else {"lat": self.position.lat, "lng": self.position.lng},
            "reason": self.reason,
            "dispatches": self.dispatches,
            "callbacks": [{k: v for k, v in s.items() if k != "body"} for s in self.sent],
        }


class RiderDesk:
    def __init__(self, twins: dict[str, Any], *, seed: int | None = None) -> None:
        self.twins = twins  # carrier code -> its twin (encodes and signs callbacks)
        self.rng = random.Random(seed)
        self.speed = 1.0  # simulated seconds per real second
        self.clear()

    def clear(self) -> None:
        for task in getattr(self, "tasks", {}).values():
            task.cancel()
        self.accounts: dict[tuple[str, str], Account] = {}
        self.rides: dict[tuple[str, str], Ride] = {}
        self.by_ref: dict[tuple[str, str, str], Ride] = {}
        self.requests: list[dict[str, Any]] = []
        self.tasks: dict[tuple[str, str], asyncio.Task] = {}
        self.background: set[asyncio.Task] = set()
        self.pending: dict[tuple[str, str], dict[str, Any]] = {}  # quotes a carrier books by number later
        self._ids = itertools.count(1)
        self.speed = 1.0

    # ---- accounts and requests ------------------------------------------------------------------

    def add_account(self, account: Account) -> Account:
        self.accounts[(account.carrier, account.key)] = account
        return account

    def account(self, carrier: str, key: str) -> Account | None:
        return self.accounts.get((carrier, key))

    def record(self, carrier: str, key: str, method: str, params: Any, outcome: str) -> None:
        self.requests.append(
            {"carrier": carrier, "account": key, "method": method, "params": params, "outcome": outcome}
        )

    def gate(self, account: Account) -> None:
        """Refusals that come before the call is read (carrier down, rate limit)."""
        if account.failing > 0:
            account.failing -= 1
            raise Refusal("down", "service unavailable")
        if account.rate_limited > 0:
            account.rate_limited -= 1
            raise Refusal("rate", "called too often")

    # ---- the carrier's business ------------------------------------------------------------------

    def quote(self, account: Account, pickup: Point, dropoff: Point) -> tuple[int, int, int]:
        """(fee fen, distance m, minutes to delivery)."""
        if account.no_riders:
            raise Refusal("no_rider", "no rider available nearby")
        metres = int(distance_m(pickup, dropoff) * 1.3)  # roads are not straight
        fee = 600 + max(0, metres - 3000) // 1000 * 200 + sum(map(ord, account.carrier)) % 7 * 50
        return fee, metres, 20 + metres // 250

    def create(
        self, account: Account, order_ref: str, pickup: Point, dropoff: Point, callback_url: str, **extra
    ) -> Ride:
        existing = self.by_ref.get((account.carrier, account.key, order_ref))
        if existing is not None:
            return existing  # the same merchant order id books nothing new
        fee, metres, _ = self.quote(account, pickup, dropoff)
        tip = int(extra.pop("tip_fen", 0) or 0)
        if account.balance_fen < fee + tip:
            raise Refusal("balance", f"balance {account.balance_fen} fen, needs {fee + tip} fen")
        account.balance_fen -= fee + tip
        ride_id = extra.pop("ride_id", "") or f"{account.carrier[:2].upper()}{next(self._ids):08d}"
        ride = Ride(account.carrier, account, ride_id, order_ref, pickup, dropoff, fee, metres, callback_url, tip)
        ride.extra.update(extra)
        self.rides[(account.carrier, ride_id)] = ride
        self.by_ref[(account.carrier, account.key, order_ref)] = ride
        self._start(ride, "created")
        return ride

    def find(self, carrier: str, ref: str) -> Ride:
        ride = self.rides.get((carrier, ref))
        if ride is None:
            matches = [r for (c, _, o), r in self.by_ref.items() if c == carrier and o == ref]
            ride = matches[-1] if matches else None
        if ride is None:
            raise Refusal("not_found", f"no order {ref}")
        return ride

    def ride_of(self, account: Account, ref: str) -> Ride:
        ride = self.find(account.carrier, ref)
        if ride.account is not account:
            raise Refusal("not_found", f"no order {ref}")
        return ride

    def cancel(self, ride: Ride, reason: str) -> int:
        """Cancel; returns the fee refunded (all of it before pickup, nothing after)."""
        if ride.stage in FINAL or ride.stage == "picked_up":
            raise Refusal("state", f"order is {ride.stage}")
        refund = ride.fee_fen + ride.tip_fen
        ride.account.balance_fen += refund
        ride.reason = reason
        self._stop(ride)
        self._later(ride, "cancelled")
        return refund

    def tip(self, ride: Ride, tip_fen: int) -> None:
        if tip_fen <= 0:
            raise Refusal("params", "tip must be positive")
        if ride.stage in FINAL:
            raise Refusal("state", f"order is {ride.stage}")
        if ride.account.balance_fen < tip_fen:
            raise Refusal("balance", f"balance {ride.account.balance_fen} fen")
        ride.account.balance_fen -= tip_fen
        ride.tip_fen += tip_fen

    def redispatch(self, ride: Ride) -> Ride:
        if ride.stage != "cancelled":
            raise Refusal("state", f"order is {ride.stage}")
        if ride.account.balance_fen < ride.fee_fen:
            raise Refusal("balance", f"balance {ride.account.balance_fen} fen")
        ride.account.balance_fen -= ride.fee_fen
        ride.dispatches += 1
        ride.rider_name = ride.rider_phone = ride.reason = ""
        ride.announced.clear()
        self._start(ride, "created")
        return ride

    # ---- the timeline -------------------------------------------------------------------------------

    def _start(self, ride: Ride, event: str | None) -> None:
        self._stop(ride)
        self.tasks[(ride.carrier, ride.ride_id)] = asyncio.get_running_loop().create_task(self._run(ride, event))

    def _later(self, ride: Ride, event: str) -> None:
        task = asyncio.get_running_loop().create_task(self.emit(ride, event))
        self.background.add(task)  # keep a reference until it is done
        task.add_done_callback(self.background.discard)

    def _stop(self, ride: Ride) -> None:
        task = self.tasks.pop((ride.carrier, ride.ride_id), None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _run(self, ride: Ride, first: str | None) -> None:
        if first:
            try:  # a callback once started is sent in full, even when the ride is cancelled meanwhile
                await asyncio.shield(self.emit(ride, first))
            finally:
                ride.announced.set()
        while ride.account.auto and ride.stage in NEXT:
            step = NEXT[ride.stage]
            await self._wait(self.rng.uniform(*DELAYS[step]))
            if ride.account.auto and ride.stage in NEXT and NEXT[ride.stage] == step:
                await asyncio.shield(self.emit(ride, step))

    async def _wait(self, simulated: float) -> None:
        while simulated > 0:
            tick = min(0.1, simulated / self.speed)
            await asyncio.sleep(tick)
            simulated -= tick * self.speed

    async def step(self, ride: Ride, event: str) -> list[dict[str, Any]]:
        """One event by hand (the control API); returns what was sent."""
        if event not in EVENTS:
            raise Refusal("params", f"event must be one of {', '.join(EVENTS)}")
        await asyncio.wait_for(ride.announced.wait(), 10)  # steps come after the "created" callback
        before = len(ride.sent)
        if event == "duplicate":
            await self._resend(ride, -1)
        elif event == "out_of_order":
            await self._resend(ride, -2)
        else:
            if event == "next":
                if ride.stage not in NEXT:
                    raise Refusal("state", f"order is {ride.stage}")
                event = NEXT[ride.stage]
            await self.emit(ride, event)
            if event == "rider_cancelled" and ride.account.auto:  # another rider comes along
                self._start(ride, None)
        return ride.sent[before:]

    async def emit(self, ride: Ride, event: str) -> None:
        ride.stage = STAGE_OF[event]
        ride.event, ride.event_at = event, time.time()
        ride.history.append((event, ride.event_at))
        self._move(ride, event)
        if event == "expired":
            ride.reason = ride.reason or "no rider accepted in time"
            ride.account.balance_fen += ride.fee_fen + ride.tip_fen
        twin = self.twins[ride.carrier]
        encoded = twin.encode_callback(ride, ride.account, event, time.time())
        if encoded is None:  # the carrier has no callback for this step
            ride.sent.append({"event": event, "url": "", "status": None, "delivered": False, "skipped": True})
            return
        if ride.account.drop_callbacks > 0:  # lost on the way: only a status query finds it out
            ride.account.drop_callbacks -= 1
            ride.sent.append({"event": event, "url": encoded[0], "status": None, "delivered": False,
                              "skipped": True, "dropped": True})  # fmt: skip
            return
        await self._send(ride, event, *encoded)

    async def _resend(self, ride: Ride, index: int) -> None:
        real = [s for s in ride.sent if not s.get("skipped")]
        if len(real) < -index:
            raise Refusal("state", "not enough callbacks sent yet")
        old = real[index]
        await self._send(ride, old["event"], old["url"], old["body"], old["headers"], repeat=True)

    async def _send(self, ride: Ride, event: str, url: str, body: bytes, headers: dict, repeat: bool = False) -> None:
        entry: dict[str, Any] = {"event": event, "url": url, "body": body, "headers": headers, "repeat": repeat}
        entry["at"] = time.time()
        entry["text"] = body.decode("utf-8", "replace")
        try:
            async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
                answer = await http.post(url, content=body, headers=headers)
            entry["status"] = answer.status_code
            entry["delivered"] = self.twins[ride.carrier].delivered(answer.status_code, answer.content)
        except (httpx.HTTPError, ValueError) as exc:
            entry.update(status=None, delivered=False, error=type(exc).__name__)
        ride.sent.append(entry)

    # ---- riders and positions -----------------------------------------------------------------------

    def _move(self, ride: Ride, event: str) -> None:
        if event in ("accepted", "reassigned"):
            ride.rider_name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)[:2]
            ride.rider_phone = f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
            ride.position = Point(ride.pickup.lng + self.rng.uniform(-0.008, 0.008), ride.pickup.lat + 0.006)
        elif event == "rider_cancelled":
            ride.rider_name = ride.rider_phone = ""
            ride.position = None
            ride.reason = "rider gave the order back"
        elif event in ("at_store", "picked_up"):
            ride.position = ride.pickup
        elif event == "delivered":
            ride.position = ride.dropoff
        elif event == "returning" and ride.position is not None:
            ride.position = Point((ride.pickup.lng + ride.dropoff.lng) / 2, (ride.pickup.lat + ride.dropoff.lat) / 2)
        elif event == "returned":
            ride.position = ride.pickup

    async def stop(self) -> None:
        for task in list(self.tasks.values()):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        self.tasks.clear()
