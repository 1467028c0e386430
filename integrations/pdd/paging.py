"""PDD's increment paging: ≤ 30-minute slices by update time, each read from its LAST page back.

PDD's own advice for `pdd.order.number.list.increment.get`: rows move to later pages while they
are updated during a read, so reading backwards never skips one (it may read one twice; callers
drop repeats). Slices share their boundary second, so a row updated exactly then is in both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

from integrations.pdd.spec import MAX_PAGE_SIZE, WINDOW_SECONDS

MAX_PAGES = 500

Fetch = Callable[[int, int, int, int], Awaitable[tuple[list[dict], int]]]  # (start, end, page, size) → rows, total


def slices(start: datetime, end: datetime, width: int = WINDOW_SECONDS) -> list[tuple[int, int]]:
    """[start, end] in unix seconds cut into pieces of at most `width` seconds."""
    lo, hi = int(start.timestamp()), int(end.timestamp())
    if hi < lo:
        return []
    out = []
    while True:
        top = min(lo + width, hi)
        out.append((lo, top))
        if top >= hi:
            return out
        lo = top


async def backwards(
    fetch: Fetch, lo: int, hi: int, page_size: int = MAX_PAGE_SIZE
) -> AsyncIterator[tuple[list[dict], int]]:
    """Pages of one slice as (rows, requests): page 1 gives the total, then the last page down
    to page 1 again (the first read only counts, its rows may have moved since)."""
    rows, total = await fetch(lo, hi, 1, page_size)
    last = min(MAX_PAGES, max(1, -(-total // page_size)))
    if last == 1:
        yield rows, 1
        return
    spent = 1
    for page in range(last, 0, -1):
        rows, _ = await fetch(lo, hi, page, page_size)
        yield rows, spent + 1
        spent = 0
