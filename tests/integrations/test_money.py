"""Yuan <-> fen at the integration boundary: exact, no float noise; a missing amount is 0."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.base import wire_yuan_to_fen
from qihang_app.domain.money import fen_to_yuan_str


@pytest.mark.parametrize(
    ("wire", "fen"),
    [
        ("12.30", 1230),
        (12.3, 1230),
        (19.99, 1999),  # 19.99 * 100 == 1998.9999999999998 as a float
        (0.1 + 0.2, 30),
        (1.005, 101),  # half-up on the cent
        ("0.01", 1),
        (0, 0),
        ("0", 0),
        (7, 700),
        ("  5.5 ", 550),
        (Decimal("3.335"), 334),
        (-2.5, -250),
        (None, 0),
        ("", 0),
    ],
)
def test_wire_yuan_to_fen(wire, fen):
    assert wire_yuan_to_fen(wire) == fen


@pytest.mark.parametrize("bad", ["abc", "1,00", float("nan"), float("inf"), True])
def test_yuan_to_fen_refuses_non_amounts(bad):
    with pytest.raises(ValueError):
        wire_yuan_to_fen(bad)


@pytest.mark.parametrize(
    ("fen", "text"), [(1230, "12.30"), (1, "0.01"), (0, "0.00"), (-250, "-2.50"), (100000, "1000.00")]
)
def test_fen_to_yuan_str(fen, text):
    assert fen_to_yuan_str(fen) == text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_round_trip_through_text_and_float(fen):
    assert wire_yuan_to_fen(fen_to_yuan_str(fen)) == fen
    assert wire_yuan_to_fen(float(fen_to_yuan_str(fen))) == fen
