"""Printed paper: a pickup (自取) ticket has no 送达 and no address; the pick list is split by
store and names each order by platform and number (both platforms count #1, #2… every day)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qihang_app.domain.board import Tab
from qihang_app.models import utcnow
from qihang_app.services import board, tickets

from .factories import platform_order

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_pickup_ticket_says_pickup_and_prints_no_address(session, world):
    o = platform_order(
        session,
        shop_id=world.shop_a,
        store_id=world.store_a,
        no="P1",
        delivery_type="pickup",
        day_seq=12,
        receiver_address="上海市静安区南京西路 1 号 2 室",
        placed_at=NOW,
        expected_delivery_at=NOW + timedelta(minutes=30),
    )
    head = tickets.ticket_head(tickets.ticket(session, actor=world.staff_a, order_id=o.id), NOW)
    assert head["kind"] == "到店自取"
    assert "送达" not in head["times"] and head["times"] == "下单 10:00 · 取货 10:30"
    assert head["address"] == "" and "配送" not in head["freight_label"]


def test_delivered_ticket_keeps_delivery_time_and_address(session, world):
    o = platform_order(
        session,
        shop_id=world.shop_a,
        store_id=world.store_a,
        no="D1",
        delivery_type="platform",
        receiver_address="上海市静安区南京西路 1 号 2 室",
        placed_at=NOW,
    )
    head = tickets.ticket_head(tickets.ticket(session, actor=world.staff_a, order_id=o.id), NOW)
    assert (head["kind"], head["times"], head["address"]) == (
        "",
        "下单 10:00 · 送达 尽快送达",
        "上海市静安区南京西路 1 号 2 室",
    )


def test_pick_list_is_split_by_store_and_labels_platform_and_number(session, world):
    now = utcnow()
    platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no="A95", day_seq=95, accepted_at=now)
    platform_order(
        session,
        shop_id=world.shop_b,
        store_id=world.store_b,
        no="B95",
        day_seq=95,
        accepted_at=now,
        platform="douyin_laike",
    )
    session.commit()
    assert board.load_board(session, actor=world.admin).counts[Tab.PICKING] >= 2
    sections = tickets.pick_list(session, actor=world.admin)
    by_store = {s.store_name: s for s in sections}
    assert set(by_store) == {"A店", "B店"}  # never one sum over two stores' shelves
    assert "美团闪购 #95" in by_store["A店"].orders and "抖音来客 #95" in by_store["B店"].orders
    assert by_store["B店"].items == [("苹果", "", 2 * len(by_store["B店"].orders))]  # B店 orders only
    # one store only (the board's store filter)
    only_a = tickets.pick_list(session, actor=world.admin, store_ids=[world.store_a])
    assert [s.store_name for s in only_a] == ["A店"]
