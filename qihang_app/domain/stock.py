"""Stock arithmetic (pure): what an order's status asks of stock, what each movement does to on
hand and reserved, and what a shop is told it may sell.

available = on_hand - reserved, and neither reserved nor available ever goes below zero.
An order line moves stock at most once per kind: reserve, then either release (cancelled) or
deduct (handed over). A line handed over without a reservation is deducted in one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qihang_app.domain.order_status import OrderStatus

MAX_QUANTITY = 1_000_000  # one movement; anything larger is a typing slip


class MoveKind(StrEnum):
    RESERVE = "reserve"  # an order holds units: reserved +n
    RELEASE = "release"  # the order was cancelled: reserved -n
    DEDUCT = "deduct"  # handed over: on hand -n (and reserved -n when it was reserved)
    RECEIVE = "receive"  # 采购入库: on hand +n
    ADJUST = "adjust"  # 盘点 / 报损: on hand ±n
    TRANSFER_OUT = "transfer_out"  # 调拨 out of this location
    TRANSFER_IN = "transfer_in"  # 调拨 into this location


ORDER_KINDS = frozenset({MoveKind.RESERVE, MoveKind.RELEASE, MoveKind.DEDUCT})


class Reason(StrEnum):
    """Why staff changed stock by hand (stored on the ledger row)."""

    COUNT = "count"  # 盘点: the shelf was counted
    DAMAGE = "damage"  # 报损: broken, expired, lost
    TRANSFER = "transfer"  # 调拨
    PURCHASE = "purchase"  # 采购入库
    ORDER = "order"
    AFTER_SALE = "after_sale"  # 退货入库, 补发 / 换货出库


class ReserveOn(StrEnum):
    """When a shop's orders take stock (a per-shop setting)."""

    ACCEPT = "accept"  # 接单时占用
    PAID = "paid"  # 付款时占用 (orders waiting to be accepted already hold it)


class Want(StrEnum):
    """What an order's status asks of its lines' stock."""

    NOTHING = "nothing"
    RESERVED = "reserved"
    DEDUCTED = "deducted"
    RELEASED = "released"


def wanted(status: str, reserve_on: str) -> Want:
    status = OrderStatus(status)
    if status in (OrderStatus.CANCELLED, OrderStatus.CLOSED, OrderStatus.INVALID):
        return Want.RELEASED
    if status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        return Want.DEDUCTED
    if status is OrderStatus.TO_SHIP:
        return Want.RESERVED
    if status is OrderStatus.AWAITING_ACCEPT and reserve_on == ReserveOn.PAID.value:
        return Want.RESERVED
    return Want.NOTHING


def next_moves(want: Want, done: set[str]) -> list[MoveKind]:
    """The order movements still to make for one line, given the kinds it already has.
    Release and deduct are final: a line that has one of them does nothing more."""
    if MoveKind.RELEASE in done or MoveKind.DEDUCT in done:
        return []
    reserved = MoveKind.RESERVE in done
    if want is Want.RESERVED and not reserved:
        return [MoveKind.RESERVE]
    if want is Want.RELEASED and reserved:
        return [MoveKind.RELEASE]
    if want is Want.DEDUCTED:
        return [MoveKind.DEDUCT]
    return []


@dataclass(frozen=True)
class Delta:
    on_hand: int = 0
    reserved: int = 0


def order_delta(kind: MoveKind, quantity: int, *, was_reserved: bool) -> Delta:
    if kind is MoveKind.RESERVE:
        return Delta(reserved=quantity)
    if kind is MoveKind.RELEASE:
        return Delta(reserved=-quantity)
    if kind is MoveKind.DEDUCT:
        return Delta(on_hand=-quantity, reserved=-quantity if was_reserved else 0)
    raise ValueError(kind)


def needs_available(kind: MoveKind, *, was_reserved: bool) -> bool:
    """Whether a movement takes units that must be available now (reserve, or a deduct that
    was never reserved); those are refused when too few are free."""
    return kind is MoveKind.RESERVE or (kind is MoveKind.DEDUCT and not was_reserved)


@dataclass(frozen=True)
class Level:
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def fits(self, delta: Delta) -> bool:
        """Whether the level stays valid: reserved ≥ 0 and available ≥ 0."""
        reserved = self.reserved + delta.reserved
        return reserved >= 0 and self.on_hand + delta.on_hand - reserved >= 0

    def apply(self, delta: Delta) -> Level:
        if not self.fits(delta):
            raise ValueError(f"{delta} does not fit {self}")
        return Level(self.on_hand + delta.on_hand, self.reserved + delta.reserved)


def count_delta(level: Level, counted: int) -> Delta:
    """盘点: the shelf holds `counted`; on hand moves by the difference."""
    return Delta(on_hand=counted - level.on_hand)


def published(available: int, buffer: int) -> int:
    """What a shop is told it may sell: the safety buffer is kept back, never below zero."""
    return max(0, available - max(0, buffer))


def is_low(available: int, threshold: int) -> bool:
    return threshold > 0 and available <= threshold


def shortfall(available: int, quantity: int) -> int:
    return max(0, quantity - max(0, available))
