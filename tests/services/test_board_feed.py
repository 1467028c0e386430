"""The board feed against real Redis pub/sub and a real database: a note wakes exactly the
boards of its store with the change already applied, one feed serves many boards, and a lost
note is repaired by the next full read."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from qihang_app import live
from qihang_app.domain.board import Tab
from qihang_app.services import board_feed, dispatch
from qihang_app.services.board_feed import BoardFeed
from tests.ingest_support import redis_url  # noqa: F401  (a flushed Redis database of its own)
from tests.services.factories import platform_order


async def _wait(wake, seconds: float = 5.0) -> bool:
    try:
        await asyncio.wait_for(wake.event.wait(), seconds)
    except TimeoutError:
        return False
    wake.event.clear()
    return True


async def _subscribed(hub: live.LiveHub, client, seconds: float = 5.0) -> None:
    """Wait until the hub's pattern subscription is live (a note sent before is lost)."""
    for _ in range(int(seconds / 0.05)):
        if (await client.execute_command("PUBSUB", "NUMPAT")) >= 1:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the live hub never subscribed")


@pytest.fixture
async def rig(engine, redis_url):
    hub = live.LiveHub(redis_url)
    feed = BoardFeed(hub=hub, engine=engine)
    client = aioredis.from_url(redis_url)
    yield feed, hub, client
    await client.aclose()


async def test_a_note_wakes_the_boards_of_its_store_with_the_change_applied(session, world, rig):
    feed, hub, client = rig
    order = platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no="A-live", status="awaiting_accept")
    session.commit()
    key_a, wake_a = feed.subscribe([world.store_a])
    key_a2, wake_a2 = feed.subscribe([world.store_a])
    key_b, wake_b = feed.subscribe([world.store_b])
    await feed.ensure([world.store_a, world.store_b])
    await _subscribed(hub, client)
    for wake in (wake_a, wake_a2, wake_b):
        wake.event.clear()
    assert order.id in [c.id for c in feed.board([world.store_a]).cards[Tab.NEW]]

    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    await live.publish(
        client, world.store_a, live.note(order_id=order.id, store_id=world.store_a, status="to_ship", kind="test")
    )
    assert await _wait(wake_a) and await _wait(wake_a2)
    assert not wake_b.event.is_set()  # another store's board is not disturbed
    view = feed.board([world.store_a])
    assert [c.id for c in view.cards[Tab.NEW]] == [] and order.id in [c.id for c in view.cards[Tab.PICKING]]
    assert feed.board([world.store_b]).counts[Tab.PICKING] == 1  # only store B's own order
    for key in (key_a, key_a2, key_b):
        feed.unsubscribe(key)


async def test_a_lost_note_is_repaired_by_the_full_read(session, world, rig, monkeypatch):
    feed, hub, client = rig
    monkeypatch.setattr(board_feed, "FULL_RELOAD_SECONDS", 0.5)
    key, wake = feed.subscribe([world.store_a])
    await feed.ensure([world.store_a])
    wake.event.clear()
    order = platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no="A-silent", status="awaiting_accept"
    )
    session.commit()  # and no note at all
    assert await _wait(wake, 5.0)
    assert [c.id for c in feed.board([world.store_a]).cards[Tab.NEW]] == [order.id]
    feed.unsubscribe(key)


async def test_own_actions_apply_at_once_and_the_feed_stops_with_its_last_board(session, world, rig, monkeypatch):
    feed, hub, client = rig
    monkeypatch.setattr(board_feed, "LINGER_SECONDS", 0.2)
    order = platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no="A-act", status="awaiting_accept")
    session.commit()
    key, wake = feed.subscribe([world.store_a])
    await feed.ensure([world.store_a])
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    await feed.refresh_orders([order.id])
    assert order.id in [c.id for c in feed.board([world.store_a]).cards[Tab.PICKING]]
    feed.unsubscribe(key)
    for _ in range(60):
        if feed._task is None:
            break
        await asyncio.sleep(0.05)
    assert feed._task is None and len(feed.cache) == 0 and hub.listener_count == 0


async def test_without_redis_the_board_still_catches_up(engine, session, world, monkeypatch):
    """Redis down: no note arrives, so the feed re-reads its stores more often."""
    monkeypatch.setattr(board_feed, "BLIND_RELOAD_SECONDS", 0.3)
    hub = live.LiveHub("redis://127.0.0.1:1/0")  # nothing listens there
    feed = BoardFeed(hub=hub, engine=engine)
    key, wake = feed.subscribe([world.store_a])
    await feed.ensure([world.store_a])
    wake.event.clear()
    order = platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no="A-blind", status="awaiting_accept"
    )
    session.commit()
    assert await _wait(wake, 5.0) and not hub.connected
    assert [c.id for c in feed.board([world.store_a]).cards[Tab.NEW]] == [order.id]
    feed.unsubscribe(key)
