"""The shared board copy: it must always equal a fresh read of the database, move cards as
time passes, cap cards but not counts, and keep other stores out."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import update

from qihang_app.domain.board import TAB_ORDER, Tab
from qihang_app.models import Order, utcnow
from qihang_app.services import board, dispatch
from qihang_app.services.board_cache import BoardCache

from .factories import platform_order


def _ids(b: board.Board) -> dict[Tab, list[int]]:
    return {tab: [c.id for c in b.cards[tab]] for tab in TAB_ORDER}


def _cache(session, *store_ids) -> BoardCache:
    cache = BoardCache()
    cache.put_stores(BoardCache.read_stores(session, store_ids))
    return cache


def test_cached_board_equals_a_fresh_read(session, world):
    now = utcnow()
    platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no="A-new", status="awaiting_accept", day_seq=1
    )
    platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no="A-pick", status="to_ship", accepted_at=now, day_seq=2
    )
    platform_order(
        session,
        shop_id=world.shop_a,
        store_id=world.store_a,
        no="A-late",
        status="to_ship",
        accepted_at=now,
        expected_delivery_at=now - timedelta(minutes=1),
    )
    platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no="A-done", status="completed")
    platform_order(session, shop_id=world.shop_b, store_id=world.store_b, no="B-new", status="awaiting_accept")
    session.commit()
    cached = _cache(session, world.store_a).board([world.store_a], now=now)
    fresh = board.load_board(session, actor=world.staff_a, now=now)
    assert _ids(cached) == _ids(fresh)
    assert (
        cached.counts
        == fresh.counts
        == {**dict.fromkeys(TAB_ORDER, 0), Tab.NEW: 1, Tab.PICKING: 2, Tab.EXCEPTION: 1, Tab.DONE: 1}
    )  # + the world's order_a
    assert cached.ringing == {"meituan"}


def test_a_changed_order_is_reread_and_moves(session, world):
    order = platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no="A-1", status="awaiting_accept")
    session.commit()
    cache = _cache(session, world.store_a)
    v0 = cache.version
    assert _ids(cache.board([world.store_a], now=utcnow()))[Tab.NEW] == [order.id]

    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    assert cache.put_orders(*BoardCache.read_orders(session, [order.id])) == {world.store_a}
    assert cache.version == v0 + 1
    after = cache.board([world.store_a], now=utcnow())
    assert _ids(after)[Tab.NEW] == [] and _ids(after)[Tab.PICKING] == [order.id, world.order_a]
    assert after.cards[Tab.PICKING][0].pending_action == "accept" and after.ringing == set()
    # reading it again changes nothing: no wake-up, no new version
    assert cache.put_orders(*BoardCache.read_orders(session, [order.id])) == set()
    assert cache.version == v0 + 1


def test_an_order_that_left_the_board_is_dropped(session, world):
    order = platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no="A-old", status="to_ship")
    session.commit()
    cache = _cache(session, world.store_a)
    # it ended two days ago (as if that note had been lost): not on today's board
    session.exec(
        update(Order).where(Order.id == order.id).values(status="completed", updated_at=utcnow() - timedelta(days=2))
    )
    session.commit()
    asked, cards = BoardCache.read_orders(session, [order.id])
    assert cards == {}
    assert cache.put_orders(asked, cards) == {world.store_a}
    assert len(cache) == 1 and cache.board([world.store_a], now=utcnow()).counts[Tab.DONE] == 0


def test_orders_of_stores_not_held_are_ignored(session, world):
    cache = _cache(session, world.store_a)
    other = platform_order(session, shop_id=world.shop_b, store_id=world.store_b, no="B-1", status="awaiting_accept")
    session.commit()
    assert cache.put_orders(*BoardCache.read_orders(session, [other.id])) == set()
    assert [c.id for c in cache.cards([world.store_a, world.store_b])] == [world.order_a]


def test_time_moves_cards_between_tabs(session, world):
    now = utcnow()
    order = platform_order(
        session,
        shop_id=world.shop_a,
        store_id=world.store_a,
        no="A-soon",
        status="to_ship",
        accepted_at=now,
        expected_delivery_at=now + timedelta(minutes=10),
    )
    session.commit()
    cache = _cache(session, world.store_a)
    assert order.id in _ids(cache.board([world.store_a], now=now))[Tab.PICKING]
    later = cache.board([world.store_a], now=now + timedelta(minutes=11))
    assert _ids(later)[Tab.EXCEPTION] == [order.id]
    card = later.cards[Tab.EXCEPTION][0]
    assert (
        card.primary_action == "ack_exception" and card.exception_reason == "board.reason.overdue"
    )  # translated by the page


def test_counts_are_not_capped_cards_are_and_views_are_shared(session, world):
    for i in range(12):
        platform_order(
            session,
            shop_id=world.shop_a,
            store_id=world.store_a,
            no=f"A-{i:02d}",
            status="awaiting_accept",
            day_seq=i + 1,
            placed_at=utcnow() + timedelta(seconds=i),
        )
    session.commit()
    cache = _cache(session, world.store_a)
    now = utcnow()
    first = cache.board([world.store_a], per_tab={Tab.NEW: 5}, now=now)
    assert first.counts[Tab.NEW] == 12 and [c.day_seq for c in first.cards[Tab.NEW]] == [12, 11, 10, 9, 8]
    # a second board asking the same within a second gets the same build
    assert cache.board([world.store_a], per_tab={Tab.NEW: 5}, now=now + timedelta(milliseconds=300)) is first
    assert cache.board([world.store_a], per_tab={Tab.NEW: 6}, now=now) is not first


def test_search_by_seq_and_phone_tail_and_platform(session, world):
    a = platform_order(
        session,
        shop_id=world.shop_a,
        store_id=world.store_a,
        no="A-s",
        status="awaiting_accept",
        day_seq=7,
        receiver_phone="13812345678",
    )
    platform_order(
        session,
        shop_id=world.shop_a,
        store_id=world.store_a,
        no="A-t",
        status="awaiting_accept",
        day_seq=8,
        receiver_phone="13800001111",
    )
    session.commit()
    cache = _cache(session, world.store_a)
    now = utcnow()
    assert _ids(cache.board([world.store_a], query="#7", now=now))[Tab.NEW] == [a.id]
    assert _ids(cache.board([world.store_a], query="5678", now=now))[Tab.NEW] == [a.id]
    assert _ids(cache.board([world.store_a], platform="douyin_laike", now=now))[Tab.NEW] == []
    assert cache.board([world.store_a], query="A-s", now=now).counts[Tab.NEW] == 1
