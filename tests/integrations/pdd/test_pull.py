"""PDD's increment pull: ≤ 30-minute slices by update time, each read from its last page back."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PlatformError
from integrations.contract import PullWindow
from integrations.pdd.paging import backwards, slices
from integrations.pdd.spec import Api


class NoLookups:
    async def known_day_seqs(self, since, until):
        return set()

    async def open_order_ids(self, since, limit):
        return []


def spy(client) -> list[tuple[str, dict]]:
    calls: list[tuple[str, dict]] = []
    original = client.call

    async def recording(api, business=None):
        calls.append((str(api), dict(business or {})))
        return await original(api, business)

    client.call = recording
    return calls


async def pull_all(adapter, client, keys, start, end) -> tuple[list[dict], int]:
    rows, requests = [], 0
    async for page in adapter.pull(client, keys, PullWindow(start, end, sweep=True), NoLookups()):
        rows.extend(page.orders)
        requests += page.requests
    return rows, requests


def test_slices_cut_long_windows_and_share_the_boundary_second():
    start = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    got = slices(start, start + timedelta(minutes=75))
    lo = int(start.timestamp())
    assert got == [(lo, lo + 1800), (lo + 1800, lo + 3600), (lo + 3600, lo + 4500)]
    assert slices(start, start) == [(lo, lo)]
    assert slices(start, start - timedelta(seconds=1)) == []


async def test_a_two_hour_window_is_read_in_thirty_minute_queries(adapter, pdd_shop, keys_for, client_for, new_order):
    made = {new_order(pdd_shop)["order_id"] for _ in range(3)}
    keys, client = keys_for(pdd_shop), client_for(pdd_shop)
    calls = spy(client)
    now = datetime.now(UTC)
    rows, requests = await pull_all(adapter, client, keys, now - timedelta(hours=2), now + timedelta(minutes=1))
    assert {r["order_sn"] for r in rows} == made
    windows = [(b["start_updated_at"], b["end_updated_at"]) for api, b in calls if api == Api.ORDER_INCREMENT]
    assert len(windows) == 5 and all(0 <= hi - lo <= 1800 for lo, hi in windows)
    assert requests == 5


async def test_the_twin_refuses_a_window_over_thirty_minutes(pdd_shop, client_for):
    now = int(time.time())
    with pytest.raises(PlatformError) as info:
        await client_for(pdd_shop).call(
            Api.ORDER_INCREMENT, {"start_updated_at": now - 1801, "end_updated_at": now, "page": 1, "page_size": 10}
        )
    assert info.value.code == "10000" and not info.value.retryable


async def test_an_empty_window_is_one_empty_page(adapter, pdd_shop, keys_for, client_for):
    keys, client = keys_for(pdd_shop), client_for(pdd_shop)
    pages = [p async for p in adapter.pull(client, keys, PullWindow(*_recent(), sweep=False), NoLookups())]
    assert [(p.orders, p.requests) for p in pages] == [([], 1)]


async def test_an_order_on_the_boundary_second_is_passed_on_once(
    adapter, pdd_shop, keys_for, client_for, new_order, truth
):
    order = new_order(pdd_shop)
    at = datetime.fromtimestamp(truth("pdd", order["order_id"])["updated_at"], UTC)
    keys, client = keys_for(pdd_shop), client_for(pdd_shop)
    calls = spy(client)
    rows, _ = await pull_all(adapter, client, keys, at - timedelta(minutes=30), at + timedelta(minutes=30))
    assert [r["order_sn"] for r in rows] == [order["order_id"]]
    increment = [b for api, b in calls if api == Api.ORDER_INCREMENT]
    assert increment[0]["end_updated_at"] == increment[1]["start_updated_at"] == int(at.timestamp())


async def test_paging_from_the_end_keeps_rows_that_move_while_reading(adapter, pdd_shop, client_for, new_order, truth):
    """A row updated mid-read leaves the window (its new update time is past the end) and the
    rows behind it move one place up: read backwards, none of them is skipped; the moved row
    itself comes with the next window."""
    made = [new_order(pdd_shop)["order_id"] for _ in range(5)]
    client = client_for(pdd_shop)
    hi = max(truth("pdd", o)["updated_at"] for o in made)
    lo = hi - 600
    rows = (await adapter._order_rows(client, lo, hi, 1, 100))[0]
    moved = rows[1]["order_sn"]  # on page 1 of 3 (page size 2)
    touched = False

    async def fetch(a, b, page, size):
        nonlocal touched
        found = await adapter._order_rows(client, a, b, page, size)
        if page == 3 and not touched:  # someone edits an early order while we read
            touched = True
            await client.call(Api.NOTE, {"order_sn": moved, "note": "改地址"})
        return found

    pages = [[r["order_sn"] for r in rows] async for rows, _ in backwards(fetch, int(lo), int(hi), page_size=2)]
    seen = {sn for page in pages for sn in page}
    assert seen >= set(made) - {moved}, pages
    assert len(pages) == 3  # pages 3, 2, 1 after the counting read of page 1
    later, _ = await adapter._order_rows(client, int(hi), int(hi) + 1800, 1, 100)
    assert moved in {r["order_sn"] for r in later}


def _recent() -> tuple[datetime, datetime]:
    end = datetime.now(UTC) - timedelta(days=2)
    return end - timedelta(minutes=10), end
