"""The sandbox's own truth: shops, catalogs, orders, after-sales, tokens, OMS write-backs.

Everything lives in memory and is touched only from the sandbox's event loop (no locks needed).
Amounts are int fen and times are unix seconds here; the platform modules render wire formats.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from qihang_app.domain.clock import SHANGHAI

# Platform-neutral order stages inside the sandbox.
AWAITING_ACCEPT = "awaiting_accept"
ACCEPTED = "accepted"
DELIVERING = "delivering"
COMPLETED = "completed"
CANCELLED = "cancelled"
CLOSED = "closed"  # fully refunded after acceptance
STAGES = (AWAITING_ACCEPT, ACCEPTED, DELIVERING, COMPLETED, CANCELLED, CLOSED)
FINAL_STAGES = frozenset({COMPLETED, CANCELLED, CLOSED})


class SimError(Exception):
    """A platform-level refusal; each platform module renders it in its own envelope."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Product:
    item_id: str  # Meituan app_food_code / Douyin product_id
    sku_id: str  # Meituan sku_id (merchant code) / Douyin sku_id (platform id)
    outer_code: str  # merchant's code (ERP SKU code)
    name: str
    spec: str
    price_fen: int
    stock: int
    barcode: str = ""
    unit: str = "份"
    box_price_fen: int = 0  # packaging charged per unit (hot food)
    on_sale: bool = True  # 上架; False once the merchant (or the OMS at zero stock) took it off


@dataclass
class Shop:
    platform: str
    shop_id: str  # Meituan app_poi_code / Douyin account_id
    name: str
    app_id: str  # Meituan app_id / Douyin client_key
    secret: str
    lat: float
    lng: float
    callback_base: str = ""
    rate: float = 0.0  # orders per second while streaming
    double_encode: bool = True  # Meituan: URL-encode JSON/text push fields a second time
    auto_fulfil: bool = True  # platform riders progress on their own after confirm
    token_ttl: int = 7200  # Douyin client_token lifetime
    products: list[Product] = field(default_factory=list)
    day_seq: dict[int, int] = field(default_factory=dict)  # yyyymmdd -> last issued

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data["products"] = len(self.products)
        data["day_seq"] = {str(k): v for k, v in self.day_seq.items()}
        return data


@dataclass
class Line:
    item_id: str
    sku_id: str
    outer_code: str
    name: str
    spec: str
    barcode: str
    quantity: int
    unit_price_fen: int
    discount_fen: int = 0
    box_num: int = 0
    box_price_fen: int = 0

    @property
    def paid_fen(self) -> int:
        return self.unit_price_fen * self.quantity - self.discount_fen


@dataclass
class AfterSale:
    after_sale_id: str
    order_id: str
    kind: str  # full | partial
    status: str  # applied | agreed | rejected | cancelled | refunded | return_agreed | return_shipped
    amount_fen: int
    reason: str
    created_at: float
    updated_at: float
    return_goods: bool = False  # 退货退款: the goods come back before the money goes
    pictures: list[str] = field(default_factory=list)  # the buyer's evidence
    lines: list[dict] = field(default_factory=list)  # {item_id, sku_id, name, quantity, amount_fen}
    deadline_at: float = 0.0  # the platform agrees by itself after this
    carrier: str = ""
    waybill: str = ""


@dataclass
class SimOrder:
    platform: str
    shop_id: str
    order_id: str
    display_no: str
    stage: str  # one of STAGES; each platform module renders its own status code
    created_at: float
    updated_at: float
    day: int  # yyyymmdd in Asia/Shanghai
    day_seq: int
    receiver_name: str
    receiver_phone: str
    address: str
    geo_address: str
    lat: float
    lng: float
    memo: str
    delivery_type: str  # platform | merchant | pickup
    scheduled_at: float | None
    lines: list[Line]
    freight_fen: int
    bag_fen: int  # package bag (Meituan package_bag_money, fen)
    platform_discount_fen: int
    merchant_discount_fen: int
    discount_label: str
    receivable_fen: int
    confirmed_at: float | None = None
    prepared_at: float | None = None
    cancel: dict | None = None
    logistics: list[dict] = field(default_factory=list)  # what the OMS synced / riders did
    after_sales: list[AfterSale] = field(default_factory=list)

    @property
    def goods_fen(self) -> int:
        return sum(line.unit_price_fen * line.quantity for line in self.lines)

    @property
    def box_fen(self) -> int:
        return sum(line.box_price_fen * line.box_num for line in self.lines)

    @property
    def paid_fen(self) -> int:
        return (
            self.goods_fen
            + self.box_fen
            + self.bag_fen
            + self.freight_fen
            - self.platform_discount_fen
            - self.merchant_discount_fen
        )

    def open_after_sale(self) -> AfterSale | None:
        return next((a for a in reversed(self.after_sales) if a.status == "applied"), None)

    def truth(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(goods_fen=self.goods_fen, box_fen=self.box_fen, paid_fen=self.paid_fen)
        return data


@dataclass
class IssuedToken:
    value: str
    client_key: str
    expires_at: float
    revoked: bool = False


class Store:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.shops: dict[tuple[str, str], Shop] = {}
        self.orders: dict[tuple[str, str], SimOrder] = {}
        self.orders_by_shop: dict[tuple[str, str], list[SimOrder]] = {}
        self.by_day_seq: dict[tuple[str, str, int, int], SimOrder] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.writebacks: deque[dict] = deque(maxlen=50_000)
        self._writeback_seen: dict[tuple, int] = {}
        self.requests: deque[dict] = deque(maxlen=50_000)
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    # ---- shops ---------------------------------------------------------------------------------

    def add_shop(self, shop: Shop) -> Shop:
        key = (shop.platform, shop.shop_id)
        if key in self.shops:
            raise SimError(409, f"shop {shop.platform}/{shop.shop_id} exists")
        for other in self.shops.values():  # one app = one secret, whatever the store
            if other.platform == shop.platform and other.app_id == shop.app_id and other.secret != shop.secret:
                raise SimError(409, "same app_id with a different secret")
        self.shops[key] = shop
        return shop

    def shop(self, platform: str, shop_id: str) -> Shop:
        try:
            return self.shops[(platform, shop_id)]
        except KeyError:
            raise SimError(404, f"no shop {platform}/{shop_id}") from None

    def shops_of_app(self, platform: str, app_id: str) -> list[Shop]:
        return [s for s in self.shops.values() if s.platform == platform and s.app_id == app_id]

    def issue_day_seq(self, shop: Shop, at: float) -> tuple[int, int]:
        day = shanghai_day(at)
        shop.day_seq[day] = shop.day_seq.get(day, 0) + 1
        return day, shop.day_seq[day]

    # ---- orders --------------------------------------------------------------------------------

    def add_order(self, order: SimOrder) -> SimOrder:
        self.orders[(order.platform, order.order_id)] = order
        self.orders_by_shop.setdefault((order.platform, order.shop_id), []).append(order)
        self.by_day_seq[(order.platform, order.shop_id, order.day, order.day_seq)] = order
        return order

    def shop_orders(self, platform: str, shop_id: str) -> list[SimOrder]:
        return self.orders_by_shop.get((platform, shop_id), [])

    def order(self, platform: str, order_id: str) -> SimOrder | None:
        return self.orders.get((platform, str(order_id)))

    def find_after_sale(self, platform: str, after_sale_id: str) -> tuple[SimOrder, AfterSale]:
        for order in self.orders.values():
            if order.platform != platform:
                continue
            for after_sale in order.after_sales:
                if after_sale.after_sale_id == after_sale_id:
                    return order, after_sale
        raise KeyError(after_sale_id)

    # ---- logs ----------------------------------------------------------------------------------

    def record_writeback(
        self, platform: str, shop_id: str, api: str, order_id: str, params: dict[str, Any], idempotency_key: str = ""
    ) -> None:
        """`repeat` counts calls of the same API for the same order (or, where the platform
        takes one, with the same idempotency key): the OMS's retries show up here."""
        key = (platform, api, idempotency_key or order_id)
        self._writeback_seen[key] = self._writeback_seen.get(key, 0) + 1
        self.writebacks.append(
            {
                "platform": platform,
                "shop_id": shop_id,
                "api": api,
                "order_id": order_id,
                "params": params,
                "at": time.time(),
                "idempotency_key": idempotency_key,
                "repeat": self._writeback_seen[key],
            }
        )

    def record_request(self, platform: str, path: str, result: str) -> None:
        self.requests.append({"platform": platform, "path": path, "result": result, "at": time.time()})


def shanghai_day(at: float) -> int:
    return int(datetime.fromtimestamp(at, SHANGHAI).strftime("%Y%m%d"))
