"""Board actions and the outbox: the state change, the timeline and the platform call are one
transaction; failures move the card back with the platform's words; store scope holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from qihang_app.domain.board import Tab
from qihang_app.models import OrderEvent, OutboxMessage, Shop, utcnow
from qihang_app.services import board, dispatch, outbox
from qihang_app.services.errors import ConflictError
from qihang_app.services.scope import ScopeError

from .factories import platform_order


def _new_order(session, world, **kw):
    return platform_order(
        session,
        shop_id=world.shop_a,
        store_id=world.store_a,
        no=f"N{utcnow().timestamp()}",
        status="awaiting_accept",
        day_seq=12,
        **kw,
    )


def test_accept_moves_the_card_and_writes_one_outbox_row(session, world):
    order = _new_order(session, world)
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    assert order.status == "to_ship" and order.pending_action == "accept" and order.accepted_at
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order.id)).all()
    assert [(r.kind, r.idempotency_key, json.loads(r.payload)["platform_order_id"]) for r in rows] == [
        ("platform_accept", f"accept:{order.id}", order.platform_order_id)
    ]
    assert session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.kind == "accepted")).one()
    cards = board.load_board(session, actor=world.staff_a)
    assert order.id in [c.id for c in cards.cards[Tab.PICKING]]
    assert order.id not in [c.id for c in cards.cards[Tab.NEW]]
    # a second tap (or a second clerk) is refused, not doubled
    with pytest.raises(ConflictError):
        dispatch.accept(session, actor=world.staff_a, order_id=order.id)


def test_staff_of_store_a_cannot_touch_store_b(session, world):
    order_b = platform_order(
        session, shop_id=world.shop_b, store_id=world.store_b, no="B-new", status="awaiting_accept"
    )
    session.commit()
    for action in (dispatch.accept, dispatch.mark_ready, dispatch.acknowledge_exception):
        with pytest.raises(ScopeError):
            action(session, actor=world.staff_a, order_id=order_b.id)
    with pytest.raises(ScopeError):
        dispatch.reject(session, actor=world.staff_a, order_id=order_b.id, reason_code="2007")
    visible = board.load_board(session, actor=world.staff_a)
    assert order_b.id not in {c.id for tab in visible.cards.values() for c in tab}
    with pytest.raises(ScopeError):
        board.load_board(session, actor=world.staff_a, store_ids=[world.store_b])


def test_relay_success_clears_pending_and_failure_moves_back_with_reason(session, world):
    ok = _new_order(session, world)
    bad = _new_order(session, world)
    dispatch.accept(session, actor=world.staff_a, order_id=ok.id)
    dispatch.accept(session, actor=world.staff_a, order_id=bad.id)
    session.commit()
    effects = outbox.claim_due(session, limit=10)
    session.commit()
    assert {e.order_id for e in effects} == {ok.id, bad.id}
    assert outbox.claim_due(session, limit=10) == []  # leased: nobody else takes them
    for e in effects:
        if e.order_id == ok.id:
            outbox.mark_done(session, effect=e)
        else:
            assert outbox.mark_failed(session, effect=e, error="订单已取消 (808)", retryable=False)
    session.commit()
    session.refresh(ok)
    session.refresh(bad)
    assert ok.status == "to_ship" and ok.pending_action is None
    assert bad.status == "awaiting_accept" and bad.accepted_at is None and bad.action_error == "订单已取消 (808)"
    kinds = session.exec(select(OrderEvent.kind).where(OrderEvent.order_id == bad.id)).all()
    assert "accept_failed" in kinds


def test_retryable_failure_backs_off_then_dies_after_max_attempts(session, world):
    order = _new_order(session, world)
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    now = utcnow()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        (effect,) = outbox.claim_due(session, now=now)
        assert effect.attempts == attempt
        dead = outbox.mark_failed(session, effect=effect, error="711 called too often", retryable=True, now=now)
        session.commit()
        row = session.get(OutboxMessage, effect.id)
        if attempt < outbox.MAX_ATTEMPTS:
            assert not dead and row.status == "pending" and row.next_attempt_at > now
            now = row.next_attempt_at
        else:
            assert dead and row.status == "dead"


def test_expired_lease_is_claimed_again(session, world):
    order = _new_order(session, world)
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    now = utcnow()
    (first,) = outbox.claim_due(session, now=now)
    session.commit()
    assert outbox.claim_due(session, now=now + timedelta(seconds=30)) == []
    (again,) = outbox.claim_due(session, now=now + outbox.LEASE + timedelta(seconds=1))
    assert again.id == first.id and again.attempts == 2


def test_ready_reject_and_own_rider_flow(session, world):
    order = _new_order(session, world, delivery_type="self")
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    dispatch.mark_ready(session, actor=world.staff_a, order_id=order.id)
    dispatch.dispatch_self(session, actor=world.staff_a, order_id=order.id, rider_name="刘师傅")
    dispatch.mark_delivered(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    assert order.status == "completed" and order.delivered_at and order.rider_name == "刘师傅"
    keys = set(session.exec(select(OutboxMessage.idempotency_key).where(OutboxMessage.order_id == order.id)).all())
    assert keys == {f"accept:{order.id}", f"ready:{order.id}", f"dispatch_self:{order.id}", f"delivered:{order.id}"}

    other = _new_order(session, world)
    dispatch.reject(session, actor=world.staff_a, order_id=other.id, reason_code="2007")
    session.commit()
    assert other.status == "cancelled"
    payload = json.loads(session.exec(select(OutboxMessage.payload).where(OutboxMessage.order_id == other.id)).one())
    assert payload["reason_code"] == "2007" and payload["reason"] == "商品已售完"


def test_auto_accept_respects_window_and_hourly_maximum(session, world):
    shop = session.get(Shop, world.shop_a)
    shop.auto_accept, shop.auto_accept_max_per_hour = True, 2
    session.add(shop)
    session.commit()
    orders = [_new_order(session, world) for _ in range(3)]
    results = [dispatch.maybe_auto_accept(session, order=o) for o in orders]
    session.commit()
    assert results == [True, True, False]
    assert [o.auto_accepted for o in orders] == [True, True, False]
    assert orders[2].status == "awaiting_accept"

    shop.auto_accept_start, shop.auto_accept_end = "00:00", "00:01"  # a window that is not now (almost always)
    session.add(shop)
    late = _new_order(session, world)
    noon_shanghai = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
    assert dispatch.maybe_auto_accept(session, order=late, now=noon_shanghai) is False
