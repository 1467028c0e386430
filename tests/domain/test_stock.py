"""Stock arithmetic: what each status asks of a line, which movements follow, what they change,
and what a shop is told."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qihang_app.domain.stock import (
    Delta,
    Level,
    MoveKind,
    Want,
    count_delta,
    is_low,
    needs_available,
    next_moves,
    order_delta,
    published,
    shortfall,
    wanted,
)


@pytest.mark.parametrize(
    ("status", "reserve_on", "want"),
    [
        ("pending_payment", "paid", Want.NOTHING),
        ("awaiting_accept", "accept", Want.NOTHING),
        ("awaiting_accept", "paid", Want.RESERVED),
        ("to_ship", "accept", Want.RESERVED),
        ("shipped", "accept", Want.DEDUCTED),
        ("completed", "paid", Want.DEDUCTED),
        ("cancelled", "accept", Want.RELEASED),
        ("closed", "accept", Want.RELEASED),
        ("invalid", "accept", Want.RELEASED),
    ],
)
def test_what_a_status_asks(status, reserve_on, want):
    assert wanted(status, reserve_on) is want


@pytest.mark.parametrize(
    ("want", "done", "moves"),
    [
        (Want.NOTHING, set(), []),
        (Want.RESERVED, set(), [MoveKind.RESERVE]),
        (Want.RESERVED, {"reserve"}, []),
        (Want.RELEASED, set(), []),  # never held: nothing to give back
        (Want.RELEASED, {"reserve"}, [MoveKind.RELEASE]),
        (Want.DEDUCTED, {"reserve"}, [MoveKind.DEDUCT]),
        (Want.DEDUCTED, set(), [MoveKind.DEDUCT]),  # handed over without a reservation
        (Want.RESERVED, {"reserve", "release"}, []),  # release is final
        (Want.RELEASED, {"reserve", "deduct"}, []),  # a sold item is not put back by a later refund
    ],
)
def test_next_moves(want, done, moves):
    assert next_moves(want, done) == moves


def test_order_deltas():
    assert order_delta(MoveKind.RESERVE, 3, was_reserved=False) == Delta(reserved=3)
    assert order_delta(MoveKind.RELEASE, 3, was_reserved=True) == Delta(reserved=-3)
    assert order_delta(MoveKind.DEDUCT, 3, was_reserved=True) == Delta(on_hand=-3, reserved=-3)
    assert order_delta(MoveKind.DEDUCT, 3, was_reserved=False) == Delta(on_hand=-3)
    assert needs_available(MoveKind.DEDUCT, was_reserved=False)
    assert not needs_available(MoveKind.DEDUCT, was_reserved=True)
    with pytest.raises(ValueError):
        order_delta(MoveKind.RECEIVE, 1, was_reserved=False)


def test_levels_refuse_what_would_go_negative():
    level = Level(on_hand=5, reserved=4)
    assert level.available == 1
    assert not level.fits(Delta(reserved=2))
    assert not level.fits(Delta(on_hand=-2))
    assert level.apply(Delta(on_hand=-4, reserved=-4)) == Level(1, 0)
    with pytest.raises(ValueError):
        level.apply(Delta(reserved=-5))
    assert count_delta(level, 9) == Delta(on_hand=4)


@pytest.mark.parametrize(
    ("available", "buffer", "told"), [(10, 2, 8), (2, 2, 0), (1, 3, 0), (0, 0, 0), (5, -1, 5), (-3, 0, 0)]
)
def test_published_keeps_the_buffer_back_and_never_goes_negative(available, buffer, told):
    assert published(available, buffer) == told


def test_low_and_shortfall():
    assert is_low(3, 3) and not is_low(4, 3) and not is_low(0, 0)
    assert shortfall(1, 3) == 2 and shortfall(5, 3) == 0 and shortfall(-2, 3) == 3


@given(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), max_size=60))
def test_applying_only_what_fits_keeps_every_level_valid(deltas):
    level = Level()
    for on_hand, reserved in deltas:
        delta = Delta(on_hand, reserved)
        if level.fits(delta):
            level = level.apply(delta)
        assert 0 <= level.reserved <= level.on_hand
