"""What deliveries cost (pure): the rides of one (store, day) summed per carrier, and the cost per
order of any sum. A ride counts when it was booked and not cancelled; a cancelled ride is counted
apart and costs nothing here (carriers charge a finished or taken ride)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CANCELLED = "cancelled"  # DeliveryStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class Ride:
    carrier: str
    order_id: int
    status: str
    fee_fen: int = 0
    tip_fen: int = 0


@dataclass(slots=True)
class CarrierDay:
    carrier: str
    rides: int = 0
    cancelled: int = 0
    fee_fen: int = 0
    tip_fen: int = 0
    order_ids: set[int] = field(default_factory=set)

    @property
    def orders(self) -> int:
        return len(self.order_ids)


def sum_rides(rides: Iterable[Ride]) -> dict[str, CarrierDay]:
    """{carrier: its sums} of the rides of one bucket."""
    out: dict[str, CarrierDay] = {}
    for ride in rides:
        row = out.setdefault(ride.carrier, CarrierDay(ride.carrier))
        if ride.status == CANCELLED:
            row.cancelled += 1
            continue
        row.rides += 1
        row.fee_fen += int(ride.fee_fen or 0)
        row.tip_fen += int(ride.tip_fen or 0)
        row.order_ids.add(ride.order_id)
    return out


def per_order(total_fen: int, orders: int) -> int | None:
    """Cost per order in fen, rounded half up; None without orders."""
    if orders <= 0:
        return None
    return (2 * total_fen + orders) // (2 * orders)
