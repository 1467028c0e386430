"""JD's time windows: a query spans at most a month (§5), to the second, both ends inclusive."""

from __future__ import annotations

from datetime import datetime, timedelta

from integrations.jd.spec import MAX_WINDOW_DAYS

LIMIT = timedelta(days=MAX_WINDOW_DAYS)


def split(start: datetime, end: datetime, limit: timedelta = LIMIT) -> list[tuple[datetime, datetime]]:
    """Consecutive windows of at most `limit` covering [start, end]. JD compares whole seconds, so
    the start is floored and the end rounded up; each window starts on the second the previous
    ended, so a row modified on a boundary second is read (twice at worst, never lost)."""
    start = start.replace(microsecond=0)
    if end.microsecond:
        end = end.replace(microsecond=0) + timedelta(seconds=1)
    if end <= start:
        return [(start, start)]
    windows = []
    cursor = start
    while cursor < end:
        stop = min(cursor + limit, end)
        windows.append((cursor, stop))
        cursor = stop
    return windows
