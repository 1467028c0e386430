"""Normalised platform data: what every platform mapping produces and the OMS ingests.

Amounts are int fen, times are timezone-aware UTC, platform ids are strings. The mapping modules in
`integrations/<platform>/mapping.py` are the only producers; nothing here knows a wire format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from qihang_app.domain.order_status import OrderStatus, Platform


class DeliveryType(StrEnum):
    """Values match orders.delivery_type."""

    PLATFORM = "platform"  # the platform's own riders (专送/快送)
    MERCHANT = "self"  # merchant self-delivery (商家自配送): the OMS calls a rider
    SELF_PICKUP = "pickup"  # 到店自提
    EXPRESS = "express"  # parcel carrier (e-commerce)
    UNKNOWN = ""


class EventKind(StrEnum):
    ORDER = "order"  # carries a PlatformOrder (check order.is_complete)
    ORDER_REF = "order_ref"  # thin: only the id (and maybe a status); fetch the detail
    CONFIRMED = "confirmed"  # the platform reports the order as accepted
    CANCEL = "cancel"
    REFUND = "refund"
    DELIVERY = "delivery"


class RefundKind(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    RETURN_GOODS = "return_goods"  # 退货退款


class RefundStatus(StrEnum):
    APPLIED = "applied"  # buyer asked; merchant must answer
    AGREED = "agreed"
    RETURN_SHIPPED = "return_shipped"  # the buyer sent the goods back (return flow)
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # buyer withdrew the request
    SUCCEEDED = "succeeded"  # money returned
    FAILED = "failed"


class DeliveryStatus(StrEnum):
    """Unified rider state (platform-apis.md §11.5)."""

    AWAITING_RIDER = "awaiting_rider"
    RIDER_ACCEPTED = "rider_accepted"
    AT_STORE = "at_store"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    EXCEPTION = "exception"


def _require_aware(name: str, value: datetime | None) -> None:
    # Naive datetimes are the classic source of 8-hour shifts; refuse them at the boundary.
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(slots=True)
class PlatformOrderLine:
    platform_item_id: str  # SPU / product id on the platform
    platform_sku_id: str
    name: str
    quantity: int
    unit_price_fen: int  # price per unit before order-level discounts
    paid_fen: int  # what the buyer paid for this line after its share of discounts
    discount_fen: int = 0  # this line's share of discounts
    outer_sku_code: str = ""  # merchant's own code on the platform (often the ERP SKU code)
    barcode: str = ""
    spec: str = ""
    platform_line_id: str = ""  # the platform's sub-order id: ships and refunds per line
    refund_status: str = ""  # the platform's own refund state of this line ("" when none)


@dataclass(slots=True)
class PlatformOrder:
    platform: Platform
    platform_shop_id: str
    platform_order_id: str
    status: OrderStatus
    raw_status_code: str
    placed_at: datetime
    updated_at: datetime  # platform update time: orders never move backwards past it
    display_no: str = ""
    day_seq: int | None = None  # daily sequence / pickup number (#12)
    raw_status_text: str = ""
    buyer_memo: str = ""
    receiver_name: str = ""
    receiver_phone: str = ""  # masked or privacy number, as the platform gives it
    receiver_address: str = ""
    lat: float | None = None  # GCJ-02
    lng: float | None = None
    delivery_type: DeliveryType = DeliveryType.UNKNOWN
    is_scheduled: bool = False  # 预订单
    expected_delivery_at: datetime | None = None
    accept_deadline_at: datetime | None = None
    ship_deadline_at: datetime | None = None  # e-commerce: ship before this
    goods_fen: int = 0
    freight_fen: int = 0
    packing_fen: int = 0
    platform_discount_fen: int = 0
    merchant_discount_fen: int = 0
    paid_fen: int = 0
    merchant_receivable_fen: int | None = None
    paid_at: datetime | None = None
    version: int | None = None  # only for platforms that publish a revision number
    lines: list[PlatformOrderLine] = field(default_factory=list)
    is_complete: bool = True  # False: a thin/incomplete push, fetch the detail before trusting it

    def __post_init__(self) -> None:
        for name in (
            "placed_at",
            "updated_at",
            "paid_at",
            "expected_delivery_at",
            "accept_deadline_at",
            "ship_deadline_at",
        ):
            _require_aware(name, getattr(self, name))


@dataclass(frozen=True, slots=True)
class RefundLine:
    """One order line a refund concerns (the platform's ids; quantity and money of the claim)."""

    platform_item_id: str
    platform_sku_id: str
    name: str = ""
    quantity: int = 0
    amount_fen: int = 0


@dataclass(slots=True)
class PlatformRefund:
    platform: Platform
    platform_shop_id: str
    platform_refund_id: str
    platform_order_id: str
    kind: RefundKind
    status: RefundStatus
    amount_fen: int | None  # None when the platform did not say (e.g. an apply message)
    reason: str = ""
    raw_status_code: str = ""
    updated_at: datetime | None = None
    # After-sale detail (the after-sale center keeps it; empty when the message did not carry it).
    reason_code: str = ""
    lines: tuple[RefundLine, ...] = ()
    pictures: tuple[str, ...] = ()  # evidence picture URLs
    return_carrier: str = ""
    return_waybill: str = ""
    deadline_at: datetime | None = None  # the platform decides by itself after this
    raw: dict | None = None  # the message's own fields, kept on the after-sale record

    def __post_init__(self) -> None:
        _require_aware("updated_at", self.updated_at)
        _require_aware("deadline_at", self.deadline_at)


@dataclass(slots=True)
class DeliveryUpdate:
    status: DeliveryStatus
    raw_status_code: str
    rider_name: str = ""
    rider_phone: str = ""
    rider_lat: float | None = None
    rider_lng: float | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware("updated_at", self.updated_at)


@dataclass(slots=True)
class PlatformEvent:
    kind: EventKind
    platform: Platform
    platform_shop_id: str
    platform_order_id: str
    raw_type: str  # the platform's own name for the message (push type / action)
    raw_status_code: str = ""
    occurred_at: datetime | None = None  # platform time of the change, for ordering
    order: PlatformOrder | None = None
    refund: PlatformRefund | None = None
    delivery: DeliveryUpdate | None = None
    cancel_reason_code: str = ""
    cancel_reason: str = ""
    cancelled_by: str = ""  # "user" | "merchant" | "service" | "system" | ""

    def __post_init__(self) -> None:
        _require_aware("occurred_at", self.occurred_at)

    @property
    def needs_detail(self) -> bool:
        """True when the OMS must call the platform's detail API before applying this event."""
        if self.kind == EventKind.ORDER_REF:
            return True
        return self.kind == EventKind.ORDER and (self.order is None or not self.order.is_complete)

    @property
    def dedup_key(self) -> str:
        """Same message delivered twice gives the same key (pushes are at-least-once)."""
        stamp = int(self.occurred_at.timestamp()) if self.occurred_at else ""
        sub = self.refund.platform_refund_id if self.refund else ""
        return ":".join(
            str(part)
            for part in (
                self.platform,
                self.platform_shop_id,
                self.platform_order_id,
                self.kind,
                self.raw_type,
                self.raw_status_code,
                sub,
                stamp,
            )
        )


@dataclass(slots=True)
class PlatformSku:
    """One sellable SKU of a shop's product list (for linking shop SKUs to ERP SKUs)."""

    platform: Platform
    platform_shop_id: str
    platform_item_id: str
    platform_sku_id: str
    name: str
    spec: str = ""
    outer_sku_code: str = ""
    barcode: str = ""
    price_fen: int = 0
    stock: int | None = None
