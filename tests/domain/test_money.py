"""Yuan ↔ fen conversions and exact proportional allocation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qihang_app.domain.errors import DomainError
from qihang_app.domain.money import (
    MoneyError,
    allocate,
    allocate_discount,
    fen_to_yuan_str,
    format_money,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (0.1 + 0.2, 30),
        (19.99, 1999),
        (0.07, 7),
        (1.005, 101),  # repr is "1.005": half up, not the binary 1.00499999...
        (2.675, 268),
        (-0.005, -1),  # half away from zero: a refund mirrors its payment
        (16.9, 1690),
        (1e15, 100_000_000_000_000_000),
        (0.0, 0),
        (-0.0, 0),
        (16, 1600),
        (-3, -300),
        (Decimal("16.905"), 1691),
        (Decimal("16.904"), 1690),
        (Decimal("5E+3"), 500_000),
        ("16.9", 1690),
        ("16.90", 1690),
        ("0.07", 7),
        (" 16.90 ", 1690),
        ("¥16.90", 1690),
        ("￥16.90", 1690),
        ("¥ 1,234,567.89", 123_456_789),
        ("-¥1.00", -100),
        ("¥-1.00", -100),
        ("+2", 200),
        (".5", 50),
        ("0.125", 13),
        ("9999999999999999.99", 999_999_999_999_999_999),
        ("123456789012345.675", 12_345_678_901_234_568),
    ],
)
def test_yuan_to_fen(value, fen):
    assert yuan_to_fen(value) == fen


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        "",
        "  ",
        "abc",
        "1.2.3",
        "1,23",
        "12,3456",
        "1e3",
        "NaN",
        "inf",
        "¥",
        "--1",
        "-¥-1",
        "16.",
        "1 000",
        "16.90元",
        None,
        True,
        [1],
        1e16,
        Decimal("1E+999999999"),
        "99999999999999999",
    ],
)
def test_yuan_to_fen_rejects_garbage_naming_the_value(value):
    with pytest.raises(MoneyError) as info:
        yuan_to_fen(value)
    assert isinstance(info.value, DomainError)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("fen", "text", "money"),
    [
        (1690, "16.90", "¥16.90"),
        (0, "0.00", "¥0.00"),
        (5, "0.05", "¥0.05"),
        (-5, "-0.05", "-¥0.05"),
        (-100, "-1.00", "-¥1.00"),
        (123456789, "1234567.89", "¥1234567.89"),
    ],
)
def test_fen_formatting(fen, text, money):
    assert fen_to_yuan_str(fen) == text
    assert format_money(fen) == money
    assert yuan_to_fen(money) == fen  # the UI's text parses back


@pytest.mark.parametrize("bad", [1.5, "100", True, None])
def test_fen_formatting_requires_int(bad):
    with pytest.raises(MoneyError):
        fen_to_yuan_str(bad)


@given(st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1))  # below the 10^16 yuan cap
def test_fen_round_trip(fen):
    assert yuan_to_fen(fen_to_yuan_str(fen)) == fen


# --- allocation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # tie → earlier index
        (2, [1, 1, 1], [1, 1, 0]),
        (100, [0, 1, 0], [0, 100, 0]),
        (10, [0, 0], [5, 5]),  # all zero → equal split
        (3, [0, 0], [2, 1]),
        (0, [5, 7], [0, 0]),
        (0, [], []),
        (-100, [1, 1, 1], [-34, -33, -33]),  # mirror of the positive split
        (1000, [1999, 2999, 5002], [200, 300, 500]),
        (7, [3, 3, 1], [3, 3, 1]),
        (5, [1, 2], [2, 3]),  # remainders 2/3 vs 1/3: larger wins, not the earlier one
    ],
)
def test_allocate_examples(total, weights, parts):
    assert allocate(total, weights) == parts


@pytest.mark.parametrize(
    ("total", "weights"),
    [(10, [1, -1]), (10, []), (1.5, [1]), (10, [1.0, 2.0]), (True, [1])],
)
def test_allocate_rejects(total, weights):
    with pytest.raises(MoneyError):
        allocate(total, weights)


totals = st.integers(min_value=-(10**12), max_value=10**12)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30)


@given(totals, weight_lists)
def test_allocate_properties(total, weights):
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    assert allocate(total, list(weights)) == parts  # deterministic
    effective = weights if any(weights) else [1] * len(weights)
    weight_sum = sum(effective)
    for part, weight in zip(parts, effective):
        exact = Fraction(total * weight, weight_sum)
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0
    if total >= 0:
        assert all(part >= 0 for part in parts)
    assert allocate(-total, weights) == [-p for p in parts]


@given(st.lists(st.integers(min_value=0, max_value=10**8), min_size=1, max_size=30), st.data())
def test_allocate_discount_never_exceeds_a_line(amounts, data):
    discount = data.draw(st.integers(min_value=0, max_value=sum(amounts)))
    parts = allocate_discount(discount, amounts)
    assert sum(parts) == discount
    assert all(0 <= part <= amount for part, amount in zip(parts, amounts))


def test_allocate_discount_full_and_zero():
    assert allocate_discount(300, [100, 200]) == [100, 200]
    assert allocate_discount(0, [0, 0]) == [0, 0]
    assert allocate_discount(0, []) == []


@pytest.mark.parametrize(
    ("discount", "amounts"),
    [(301, [100, 200]), (1, [0, 0]), (1, []), (-1, [100]), (10, [100, -5])],
)
def test_allocate_discount_rejects(discount, amounts):
    with pytest.raises(MoneyError):
        allocate_discount(discount, amounts)


def test_allocate_discount_message_is_readable():
    with pytest.raises(MoneyError, match=r"优惠 ¥3.01 超过商品金额 ¥3.00"):
        allocate_discount(301, [100, 200])
