"""What the rest of the OMS may know about a partner platform, without importing its adapter.

Each adapter under `integrations/` declares a `PlatformProfile` (pure data: names, which
write-backs the platform has a call for, its reject reasons, whether it can be pulled). The
registry (`integrations.registry`) registers every profile here when it is imported, so the
services, the board and the shop form ask *this* module "can this platform reject?" and never name a
platform in code. An action a platform does not declare is never offered and never queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class WriteBack(StrEnum):
    """Every write-back the OMS can ask of a platform (outbox payload `action`)."""

    ACCEPT = "accept"  # 接单
    REJECT = "reject"  # 拒单 / 取消 (with a reason code from the platform's list)
    READY = "ready"  # 备货完成 / 出餐
    DISPATCH_SELF = "dispatch_self"  # 自配送: rider left the store (delivery status)
    DELIVERED = "delivered"  # 自配送: delivered (delivery status)
    SHIP = "ship"  # 发货 with carrier + tracking number (e-commerce)
    REFUND_AGREE = "refund_agree"
    REFUND_REJECT = "refund_reject"  # with a reason code from the platform's refund list
    RETURN_AGREE = "return_agree"  # 同意退货 (the buyer sends the goods back)
    RECEIPT_CONFIRM = "receipt_confirm"  # 确认收货 of returned goods (the platform pays the refund)
    PARTIAL_REFUND = "partial_refund"  # 缺货退款: the merchant refunds missing items itself
    STOCK_UPDATE = "stock_update"
    MEMO = "memo"  # 卖家备注 with the platform's flag colour (e-commerce)


# The write-backs that report a self-delivery rider's progress (one platform call each).
DELIVERY_WRITE_BACKS = frozenset({WriteBack.DISPATCH_SELF, WriteBack.DELIVERED})


@dataclass(frozen=True)
class PlatformProfile:
    code: str  # stored in shops.platform / orders.platform
    name_zh: str
    name_en: str
    write_backs: frozenset[WriteBack]  # what the platform has a call for
    instant_retail: bool = True  # orders must be accepted within minutes
    pullable: bool = True  # has an order pull (sweeps back up the pushes)
    products_pullable: bool = False  # its adapter lists the shop's products (店铺商品)
    # reason code → (中文, English), in the platform's own list; empty when it cannot reject
    reject_reasons: dict[str, tuple[str, str]] = field(default_factory=dict)
    # refund reject reason code → (中文, English), the platform's after-sale list
    refund_reject_reasons: dict[str, tuple[str, str]] = field(default_factory=dict)
    # E-commerce capabilities (integrations.ecommerce_contract), as data for the UI and services:
    authorizes: bool = False  # shops connect through the platform's OAuth page (授权), tokens expire
    streams: bool = False  # has a long-lived message service (e.g. TMC) consumed by the workers
    refunds_pullable: bool = False  # has an incremental refund pull (its own cursor per shop)
    splits_shipments: bool = False  # one order may ship in several parcels (per platform line)
    waybill_carriers: tuple[str, ...] = ()  # our express codes its 电子面单 service issues numbers for
    memo_flags: dict[str, tuple[str, str]] = field(default_factory=dict)  # flag code → (中文, English)
    # Where staff do what the platform has no call for (shown on the card instead of a button).
    elsewhere_zh: str = ""
    elsewhere_en: str = ""

    def supports(self, action: str) -> bool:
        return action in self.write_backs

    @property
    def default_reject_reason(self) -> str:
        return next(iter(self.reject_reasons), "")


OFFLINE = PlatformProfile(
    code="offline",
    name_zh="线下",
    name_en="Offline",
    write_backs=frozenset(),
    instant_retail=False,
    pullable=False,
)

_PROFILES: dict[str, PlatformProfile] = {OFFLINE.code: OFFLINE}


def register_profile(profile: PlatformProfile) -> None:
    """Called by integrations.registry for each adapter (re-registering replaces)."""
    _PROFILES[profile.code] = profile


def unregister_profile(code: str) -> None:
    if code != OFFLINE.code:
        _PROFILES.pop(code, None)


def profile(code: str) -> PlatformProfile | None:
    return _PROFILES.get(code)


def profiles(*, connected_only: bool = False) -> list[PlatformProfile]:
    """Registered profiles in registration order; `connected_only` leaves out 线下 (no API)."""
    return [p for p in _PROFILES.values() if not (connected_only and p is OFFLINE)]


def instant_retail(code: str) -> bool:
    found = _PROFILES.get(code)
    return bool(found and found.instant_retail)


def supports(code: str, action: str) -> bool:
    found = _PROFILES.get(code)
    return bool(found and found.supports(action))


def codes(items: Iterable[PlatformProfile]) -> list[str]:
    return [p.code for p in items]
