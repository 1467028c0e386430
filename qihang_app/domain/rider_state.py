"""Which of two rider updates of one delivery wins: the rule that keeps a rider state from moving
backwards when carriers repeat callbacks or deliver them out of order.

Carriers send at-least-once and in no promised order. Folding every update of a ride with `winner`
gives the same state whatever the arrival order and however often each arrives, because without a
reassignment `winner` is a maximum over a total order: the stage first (待接单 < 已接单 < 已到店 <
配送中 < 异常 < 已取消 < 已送达), then the carrier's time, then the rider's details as a tie-break.

A reassignment (another rider takes over, or the rider gives the order back) is the one way back,
and only before the goods are picked up and only when it is not older than what we know.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol, TypeVar

from qihang_app.domain.platform_order import DeliveryStatus

RANK: dict[DeliveryStatus, int] = {
    DeliveryStatus.AWAITING_RIDER: 0,
    DeliveryStatus.RIDER_ACCEPTED: 1,
    DeliveryStatus.AT_STORE: 2,
    DeliveryStatus.DELIVERING: 3,
    DeliveryStatus.EXCEPTION: 4,  # returning goods, failed creation: later than any normal step
    DeliveryStatus.CANCELLED: 5,
    DeliveryStatus.DELIVERED: 6,  # a delivery that happened outranks a late "cancelled"
}
FINAL = frozenset({DeliveryStatus.CANCELLED, DeliveryStatus.DELIVERED})
# A new rider can only take over an order whose goods are still at the store.
REASSIGNABLE = frozenset({DeliveryStatus.AWAITING_RIDER, DeliveryStatus.RIDER_ACCEPTED, DeliveryStatus.AT_STORE})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RiderFix(Protocol):
    """What the rule reads of an update (integrations' RiderUpdate satisfies it)."""

    status: DeliveryStatus
    at: datetime | None
    rider_name: str
    rider_phone: str
    lat: float | None
    lng: float | None
    reassigned: bool


T = TypeVar("T", bound=RiderFix)


def _key(update: RiderFix) -> tuple:
    return (
        RANK[update.status],
        update.at or _EPOCH,
        update.rider_name,
        update.rider_phone,
        update.lat if update.lat is not None else -999.0,
        update.lng if update.lng is not None else -999.0,
    )


def takes_over(current: RiderFix, incoming: RiderFix) -> bool:
    """A reassignment that applies: flagged, not older, and the goods are not picked up yet."""
    return (
        incoming.reassigned
        and incoming.status in REASSIGNABLE
        and current.status in REASSIGNABLE
        and (incoming.at or _EPOCH) >= (current.at or _EPOCH)
        and _key(incoming) != _key(current)
    )


def winner(current: T | None, incoming: T) -> T:
    """The update that describes the ride after `incoming` arrives (one of the two, unchanged)."""
    if current is None:
        return incoming
    if takes_over(current, incoming):
        return incoming
    return incoming if _key(incoming) > _key(current) else current


def moved_back(before: RiderFix | None, after: RiderFix) -> bool:
    """Whether going from `before` to `after` lowers the stage (only a reassignment may)."""
    return before is not None and RANK[after.status] < RANK[before.status]


def fold(updates: list[T]) -> T | None:
    """The state after all `updates` arrived in this order."""
    state: T | None = None
    for update in updates:
        state = winner(state, update)
    return state
