"""Delivery cost sums (pure): cancelled rides apart, orders counted once, cost per order rounded
half up to the fen."""

from __future__ import annotations

import pytest

from qihang_app.domain.delivery_cost import Ride, per_order, sum_rides


def test_rides_sum_per_carrier_and_cancelled_rides_cost_nothing():
    rides = [
        Ride("own", 1, "delivered", 500, 100),
        Ride("own", 1, "delivering", 300, 0),  # the same order dispatched again
        Ride("own", 2, "cancelled", 900, 50),
        Ride("platform", 3, "awaiting_rider", 0, 0),
    ]
    sums = sum_rides(rides)
    own = sums["own"]
    assert (own.rides, own.orders, own.cancelled, own.fee_fen, own.tip_fen) == (2, 1, 1, 800, 100)
    assert (sums["platform"].rides, sums["platform"].orders) == (1, 1)


@pytest.mark.parametrize(
    ("total", "orders", "expected"),
    [(0, 0, None), (100, 0, None), (0, 3, 0), (1001, 2, 501), (1000, 3, 333), (1001, 3, 334), (5, 2, 3)],
)
def test_cost_per_order_rounds_half_up(total, orders, expected):
    assert per_order(total, orders) == expected
