"""Scenario generator: seeds catalogs, creates orders, streams N orders/second per shop and plays
the buyers' and riders' later moves (cancel, refund request, platform rider progress)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from integrations import registry
from integrations.sandbox import fake_data
from integrations.sandbox.aftersale_moves import auto_agree_due, ship_return
from integrations.sandbox.lifecycle import ACCEPT_TIMEOUT_SECONDS, AUTO_AGREE_SECONDS, Conflict, Lifecycle
from integrations.sandbox.store import (
    ACCEPTED,
    AWAITING_ACCEPT,
    Line,
    Product,
    Shop,
    SimOrder,
    Store,
)

log = logging.getLogger("integrations.sandbox.generator")

TICK_SECONDS = 0.05
# Seconds after the merchant confirms, for orders delivered by platform riders.
RIDER_SCHEDULE = (("rider_accepted", 2), ("at_store", 5), ("delivering", 8), ("delivered", 20))
CANCEL_REASONS = [("1001", "用户不想要了"), ("1002", "地址填错了"), ("1003", "商家长时间未接单")]
REFUND_REASONS = ["商品破损", "少送商品", "商品与描述不符", "送达超时"]


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    action: Callable[[], None] = field(compare=False)


@dataclass
class Ratios:
    scheduled: float = 0.1  # 预订单
    cancel: float = 0.05  # buyer cancels soon after paying
    refund: float = 0.05  # buyer asks for a refund after acceptance
    platform_delivery: float = 0.7
    pickup: float = 0.05


class Generator:
    def __init__(self, store: Store, lifecycle: Lifecycle, *, seed: int | None = None) -> None:
        self.store = store
        self.lifecycle = lifecycle
        self.rng = random.Random(seed)
        self.ratios = Ratios()
        self.streaming = False
        self.time_scale = 1.0  # multiplies every later-move delay (tests and demos speed it up)
        self._due: list[_Due] = []
        self._seq = itertools.count()
        self._carry: dict[tuple[str, str], float] = {}
        self.created = 0

    # ---- catalog -------------------------------------------------------------------------------

    def seed_catalog(self, shop: Shop, count: int = 20, stock: int = 100) -> list[Product]:
        picks = self.rng.sample(fake_data.CATALOG, min(count, len(fake_data.CATALOG)))
        start = len(shop.products)
        for offset, (name, spec, price, unit, box) in enumerate(picks, start=start + 1):
            code = f"SKU{offset:05d}"
            item_id, sku_id = registry.platform(shop.platform).twin().item_ids(self.rng, offset, code)
            shop.products.append(
                Product(
                    item_id=item_id,
                    sku_id=sku_id,
                    outer_code=code,
                    name=name,
                    spec=spec,
                    price_fen=price,
                    stock=stock,
                    barcode=fake_data.ean13(self.rng),
                    unit=unit,
                    box_price_fen=box,
                )
            )
        return shop.products[start:]

    # ---- one order -----------------------------------------------------------------------------

    def create_order(
        self,
        shop: Shop,
        *,
        items: list[dict] | None = None,
        scheduled: bool | None = None,
        delivery_type: str | None = None,
        push: bool = True,
    ) -> SimOrder:
        """items: [{"sku_id": ..., "quantity": n}]; omitted -> 1-4 random catalog lines."""
        if not shop.products:
            self.seed_catalog(shop)
        rng, now = self.rng, int(time.time())
        lines = self._lines(shop, items)
        goods = sum(line.unit_price_fen * line.quantity for line in lines)
        platform_cut, merchant_cut, label = self._discounts(goods)
        _allocate(lines, platform_cut + merchant_cut)
        kind = delivery_type or self._delivery_type()
        typed, geocoded, lat, lng = fake_data.address_near(rng, shop.lat, shop.lng)
        if scheduled is None:
            scheduled = rng.random() < self.ratios.scheduled
        day, seq = self.store.issue_day_seq(shop, now)
        freight = 0 if kind == "pickup" else rng.choice([0, 0, 100, 200, 300, 500])
        bag = rng.choice([0, 0, 50, 100])
        box = sum(line.box_price_fen * line.box_num for line in lines)
        commission = round((goods - merchant_cut) * 0.06)
        order = SimOrder(
            platform=shop.platform,
            shop_id=shop.shop_id,
            order_id=self._order_id(shop.platform),
            display_no="",
            stage=AWAITING_ACCEPT,
            created_at=now,
            updated_at=now,
            day=day,
            day_seq=seq,
            receiver_name=fake_data.buyer_name(rng),
            receiver_phone=registry.platform(shop.platform).twin().receiver_phone(rng),
            address=typed,
            geo_address=geocoded,
            lat=lat,
            lng=lng,
            memo=rng.choice(fake_data.MEMOS),
            delivery_type=kind,
            scheduled_at=(now + rng.choice([3600, 5400, 7200, 10800]) if scheduled else None),
            lines=lines,
            freight_fen=freight,
            bag_fen=bag,
            platform_discount_fen=platform_cut,
            merchant_discount_fen=merchant_cut,
            discount_label=label,
            receivable_fen=goods + box + bag - merchant_cut - commission + (freight if kind == "merchant" else 0),
        )
        order.display_no = order.order_id
        self.store.add_order(order)
        self.created += 1
        if not registry.platform(shop.platform).profile.instant_retail:
            # e-commerce has no accept step: a paid order waits for shipment (待发货) at once
            order.stage = ACCEPTED
            order.confirmed_at = now
        if push:
            self.lifecycle.placed(order)
        if order.stage == AWAITING_ACCEPT:
            # the platform cancels it unless the store accepts in time (sped up by time_scale)
            self.schedule(ACCEPT_TIMEOUT_SECONDS, lambda: self.lifecycle.expire_unaccepted(order))
        return order

    def _lines(self, shop: Shop, items: list[dict] | None) -> list[Line]:
        by_sku = {p.sku_id: p for p in shop.products}
        if items is None:
            picks = self.rng.sample(shop.products, self.rng.randint(1, min(4, len(shop.products))))
            items = [{"sku_id": p.sku_id, "quantity": self.rng.choice([1, 1, 1, 2, 3])} for p in picks]
        lines = []
        for item in items:
            product = by_sku.get(str(item["sku_id"]))
            if product is None:
                raise KeyError(f"unknown sku_id {item['sku_id']}")
            quantity = int(item.get("quantity", 1))
            box = product.box_price_fen
            lines.append(
                Line(
                    item_id=product.item_id,
                    sku_id=product.sku_id,
                    outer_code=product.outer_code,
                    name=product.name,
                    spec=product.spec,
                    barcode=product.barcode,
                    quantity=quantity,
                    unit_price_fen=product.price_fen,
                    box_num=quantity if box else 0,
                    box_price_fen=box,
                )
            )
        return lines

    def _discounts(self, goods: int) -> tuple[int, int, str]:
        """(platform share, merchant share, label) of the order's activities (满减, 新客立减)."""
        platform_cut = merchant_cut = 0
        labels = []
        if goods >= 6000:
            platform_cut, merchant_cut = 400, 800
            labels.append("满60减12")
        elif goods >= 3000:
            platform_cut, merchant_cut = 200, 300
            labels.append("满30减5")
        if self.rng.random() < 0.2 and goods - platform_cut - merchant_cut > 500:
            platform_cut += 300
            labels.append("新客立减3元")
        return platform_cut, merchant_cut, "+".join(labels)

    def _delivery_type(self) -> str:
        roll = self.rng.random()
        if roll < self.ratios.pickup:
            return "pickup"
        return "platform" if roll < self.ratios.pickup + self.ratios.platform_delivery else "merchant"

    def _order_id(self, platform: str) -> str:
        twin = registry.platform(platform).twin()
        while True:
            candidate = twin.order_id(self.rng)
            if self.store.order(platform, candidate) is None:
                return candidate

    # ---- later moves ---------------------------------------------------------------------------

    def schedule(self, delay: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._due, _Due(time.monotonic() + delay * self.time_scale, next(self._seq), action))

    def on_confirmed(self, order: SimOrder) -> None:
        """Platform riders pick up orders the platform delivers (only for auto_fulfil shops)."""
        shop = self.store.shops.get((order.platform, order.shop_id))
        if shop is None or not shop.auto_fulfil or order.delivery_type != "platform":
            return
        rider = self.rng.choice(fake_data.SURNAMES) + "师傅"
        phone = fake_data.masked_phone(self.rng)
        for step, delay in RIDER_SCHEDULE:
            self.schedule(
                delay,
                _quiet(
                    lambda s=step: self.lifecycle.rider(order, s, by_platform=True, rider_name=rider, rider_phone=phone)
                ),
            )

    def _plan_buyer_moves(self, order: SimOrder) -> None:
        roll = self.rng.random()
        if roll < self.ratios.cancel:
            code, reason = self.rng.choice(CANCEL_REASONS)
            self.schedule(
                self.rng.uniform(3, 15),
                _quiet(lambda: self.lifecycle.cancel(order, by="user", reason_code=code, reason=reason)),
            )
        elif roll < self.ratios.cancel + self.ratios.refund:
            reason = self.rng.choice(REFUND_REASONS)
            goods_back = self.rng.random() < 1 / 3  # some buyers send the goods back (退货退款)
            pictures = (f"https://img.sandbox.invalid/evidence/{order.order_id}.jpg",) if goods_back else ()

            def ask() -> None:
                self.lifecycle.apply_refund(order, reason=reason, return_goods=goods_back, pictures=pictures)

            def ship() -> None:
                ship_return(self.lifecycle, order, carrier="顺丰速运", waybill=f"SF{order.order_id[-10:]}")

            self.schedule(self.rng.uniform(10, 40), _quiet(ask))
            # the platform agrees by itself at the deadline when the store never answered
            self.schedule(40 + AUTO_AGREE_SECONDS, _quiet(lambda: auto_agree_due(self.lifecycle, [order], math.inf)))
            if goods_back:
                self.schedule(self.rng.uniform(300, 1800), _quiet(ship))

    # ---- the loop ------------------------------------------------------------------------------

    def tick(self, elapsed: float) -> None:
        if self.streaming:
            for key, shop in list(self.store.shops.items()):
                if shop.rate <= 0:
                    continue
                self._carry[key] = self._carry.get(key, 0.0) + shop.rate * elapsed
                while self._carry[key] >= 1:
                    self._carry[key] -= 1
                    self._plan_buyer_moves(self.create_order(shop))
        now = time.monotonic()
        while self._due and self._due[0].at <= now:
            heapq.heappop(self._due).action()

    async def run(self, stop: asyncio.Event) -> None:
        last = time.monotonic()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), TICK_SECONDS)
            except TimeoutError:
                pass
            now = time.monotonic()
            try:
                self.tick(now - last)
            except Exception:  # a bad tick must not end the stream
                log.exception("generator tick failed")
            last = now


def _allocate(lines: list[Line], total: int) -> None:
    """Split an order discount over lines in proportion to line totals; parts sum to the whole."""
    base = sum(line.unit_price_fen * line.quantity for line in lines)
    if not base or not total:
        return
    given = 0
    for line in lines[:-1]:
        line.discount_fen = total * line.unit_price_fen * line.quantity // base
        given += line.discount_fen
    lines[-1].discount_fen = total - given


def _quiet(action: Callable[[], object]) -> Callable[[], None]:
    """Later moves may find the order moved on (cancelled, refunded): that is fine, skip them."""

    def run() -> None:
        try:
            action()
        except Conflict:
            pass

    return run
