"""Growing waits between failed logins, and what they allow an attacker per hour."""

from __future__ import annotations

import pytest

from qihang_app.domain.login_throttle import delay_seconds, max_guesses


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(0, 0), (1, 0), (3, 0), (4, 1), (5, 2), (6, 4), (7, 8), (12, 256), (13, 300), (500, 300)],
)
def test_delay_grows_after_the_free_failures_up_to_the_cap(failures, expected):
    assert delay_seconds(failures, free=3, cap=300) == expected


def test_max_guesses_per_hour_with_the_defaults():
    # 3 free, then 1+2+…+256 s (9 more guesses in 511 s), then one per 300 s: 11 more.
    assert max_guesses(3600, free=3, cap=300) == 23
    # after the first hour only the cap counts: 12 an hour
    assert max_guesses(7200, free=3, cap=300) - max_guesses(3600, free=3, cap=300) == 12


def test_address_threshold_allows_many_clerks_before_any_wait():
    assert max(delay_seconds(n, free=50, cap=300) for n in range(51)) == 0
    assert delay_seconds(51, free=50, cap=300) == 1
