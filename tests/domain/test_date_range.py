"""The 订单 date filter: a range picked backwards is swapped, and the page is told so."""

from __future__ import annotations

import pytest

from qihang_app.domain.date_range import ordered_days


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-11-27", "2026-11-20", ("2026-11-20", "2026-11-27", True)),
        ("2026-11-20", "2026-11-27", ("2026-11-20", "2026-11-27", False)),
        ("2026-11-20", "2026-11-20", ("2026-11-20", "2026-11-20", False)),
        ("2027-01-02", "2026-12-31", ("2026-12-31", "2027-01-02", True)),
        ("", "2026-11-20", ("", "2026-11-20", False)),
        ("2026-11-27", "", ("2026-11-27", "", False)),
        ("not a day", "2026-11-20", ("not a day", "2026-11-20", False)),
    ],
)
def test_ordered_days(start, end, expected):
    assert ordered_days(start, end) == expected
