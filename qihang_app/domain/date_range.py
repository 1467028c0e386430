"""A day range picked in a filter (yyyy-mm-dd strings, both ends included).

A range picked backwards (11-27 to 11-20) is swapped rather than answered with nothing: staff
pick the two days they care about, in whichever order their thumb got there, and a silent empty
list reads as "no orders". The page says that it swapped them.
"""

from __future__ import annotations

from datetime import date


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def ordered_days(start: str, end: str) -> tuple[str, str, bool]:
    """(start, end, swapped): the two days earliest first; anything unreadable left as it is."""
    first, last = _day(start), _day(end)
    if first is not None and last is not None and first > last:
        return end, start, True
    return start, end, False
