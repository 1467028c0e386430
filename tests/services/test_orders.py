"""Order center: manual orders (exact discount allocation), list filters and search, detail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from qihang_app.models import Order, OrderEvent, OrderLine, Shop, User, utcnow
from qihang_app.services import orders
from qihang_app.services.errors import ValidationError

from .factories import platform_order

LINES = [
    {"name": "苹果", "spec": "500g", "quantity": 3, "unit_price_fen": 333, "outer_sku_code": "AP"},
    {"name": "香蕉", "quantity": 1, "unit_price_fen": 1000},
    {"name": "梨", "quantity": 7, "unit_price_fen": 1},
]


def test_manual_order_allocates_the_discount_exactly(session, world):
    order = orders.create_manual_order(
        session,
        actor=world.staff_a,
        store_id=world.store_a,
        receiver_name=" 李四 ",
        receiver_phone="13800001234",
        receiver_address="上海市",
        lines=LINES,
        buyer_memo="少放冰",
        freight_fen=500,
        discount_fen=1001,
    )
    session.commit()
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    goods = 3 * 333 + 1000 + 7
    assert order.goods_fen == goods
    assert sum(line.allocated_discount_fen for line in lines) == 1001
    # exact shares 498.50, 499.00, 3.49: floors sum to 1000, the spare fen goes to line 1
    assert [line.allocated_discount_fen for line in lines] == [499, 499, 3]
    assert all(line.paid_fen == line.quantity * line.unit_price_fen - line.allocated_discount_fen
               for line in lines)  # fmt: skip
    assert sum(line.paid_fen for line in lines) + order.freight_fen == order.paid_fen
    assert order.paid_fen == goods - 1001 + 500 == order.merchant_receivable_fen
    assert (order.platform, order.status, order.receiver_name) == ("offline", "to_ship", "李四")
    assert order.receiver_phone_tail == "1234"
    assert order.placed_at.tzinfo is not None

    event = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).one()
    assert (event.kind, event.to_status, event.actor) == ("created", "to_ship", world.staff_a.ref)


def test_manual_orders_share_one_offline_shop_and_number_the_day(session, world):
    now = datetime(2024, 5, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    kw = dict(actor=world.staff_a, store_id=world.store_a, receiver_name="a", receiver_phone="13800000001",
              receiver_address="x", lines=LINES[:1])  # fmt: skip
    first = orders.create_manual_order(session, now=now, **kw)
    second = orders.create_manual_order(session, now=now + timedelta(minutes=30), **kw)
    next_day = orders.create_manual_order(session, now=now + timedelta(hours=1, minutes=5), **kw)
    session.commit()
    assert first.shop_id == second.shop_id == next_day.shop_id
    assert (first.day_seq, second.day_seq, next_day.day_seq) == (1, 2, 1)
    assert first.platform_order_id != second.platform_order_id
    shop = session.get(Shop, first.shop_id)
    assert (shop.platform, shop.store_id) == ("offline", world.store_a)


@pytest.mark.parametrize(
    ("change", "lines"),
    [
        ({"discount_fen": 10_000}, LINES),
        ({"freight_fen": -1}, LINES),
        ({"discount_fen": 1.5}, LINES),
        ({}, []),
        ({}, [{"name": "x", "quantity": 0, "unit_price_fen": 1}]),
        ({}, [{"name": "x", "quantity": True, "unit_price_fen": 1}]),
        ({}, [{"name": " ", "quantity": 1, "unit_price_fen": 1}]),
        ({}, [{"name": "x", "quantity": 1, "unit_price_fen": 1, "price": 3}]),
    ],
)
def test_manual_order_validation(session, world, change, lines):
    with pytest.raises(ValidationError):
        orders.create_manual_order(
            session, actor=world.admin, store_id=world.store_a, receiver_name="a",
            receiver_phone="13800000001", receiver_address="x", lines=lines, **change,
        )  # fmt: skip
    assert session.exec(select(Order).where(Order.platform == "offline")).first() is None


def _ids(page):
    return [row.id for row in page.rows]


def test_list_orders_search(session, world):
    extra = platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no="8800123",
        day_seq=12, receiver_phone="186****4321",
    )  # fmt: skip
    session.commit()
    search = lambda q: _ids(orders.list_orders(session, actor=world.admin, query=q))  # noqa: E731
    assert search("A0001") == [world.order_a]
    assert search("8800123") == [extra.id]
    assert search("#12") == [extra.id]
    assert search("12") == [extra.id]
    assert sorted(search("7")) == sorted([world.order_a, world.order_b])
    assert search("4321") == [extra.id]
    assert search("5678") == [world.order_a]
    assert search("nothing") == []
    assert len(search("  ")) == 3


def test_list_orders_filters_pages_and_rows(session, world):
    t0 = utcnow()
    for i in range(5):
        platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no=f"P{i}",
                       placed_at=t0 - timedelta(hours=i + 1), status="completed")  # fmt: skip
    session.commit()
    page = orders.list_orders(session, actor=world.admin, store_id=world.store_a, page_size=2)
    assert (page.total, page.pages, len(page.rows)) == (6, 3, 2)
    last = orders.list_orders(session, actor=world.admin, store_id=world.store_a, page=3,
                              page_size=2)  # fmt: skip
    assert [r.display_no for r in last.rows] == ["P3", "P4"]  # newest first
    # a page past the end (an old link, ?page=99999) is the last page, not an empty "99999 / 3"
    beyond = orders.list_orders(session, actor=world.admin, store_id=world.store_a, page=99999, page_size=2)
    assert (beyond.page, beyond.pages, [r.display_no for r in beyond.rows]) == (3, 3, ["P3", "P4"])
    nothing = orders.list_orders(session, actor=world.admin, platform="jd", page=5)
    assert (nothing.page, nothing.pages, nothing.rows) == (1, 1, [])

    done = orders.list_orders(session, actor=world.admin, status="completed")
    assert done.total == 5
    both = orders.list_orders(session, actor=world.admin, status=["completed", "to_ship"])
    assert both.total == 7
    window = orders.list_orders(
        session, actor=world.admin, placed_from=t0 - timedelta(hours=2, minutes=30),
        placed_to=t0 - timedelta(minutes=90),
    )  # fmt: skip
    assert [r.display_no for r in window.rows] == ["P1"]
    assert orders.list_orders(session, actor=world.admin, platform="jd").total == 0
    assert orders.list_orders(session, actor=world.admin, shop_id=world.shop_b).total == 1

    row = orders.list_orders(session, actor=world.admin, query="A0001").rows[0]
    assert (row.shop_name, row.store_name, row.item_summary) == ("美团A", "A店", "苹果×2")
    assert (row.receiver_phone, row.paid_fen, row.day_seq) == ("138****5678", 1990, 7)


def test_item_summary_is_short(session, world):
    order = orders.create_manual_order(
        session, actor=world.admin, store_id=world.store_a, receiver_name="a",
        receiver_phone="13800000001", receiver_address="x",
        lines=[{"name": f"商品{i}", "quantity": i, "unit_price_fen": 1} for i in range(1, 6)],
    )  # fmt: skip
    row = orders.list_orders(session, actor=world.admin, query=order.display_no).rows[0]
    assert row.item_summary == "商品1×1、商品2×2、商品3×3 等5种"


def test_order_detail(session, world):
    order = orders.create_manual_order(
        session, actor=world.manager_a, store_id=world.store_a, receiver_name="a",
        receiver_phone="13800000001", receiver_address="x", lines=LINES,
    )  # fmt: skip
    session.commit()
    detail = orders.get_order_detail(session, actor=world.staff_a, order_id=order.id)
    assert detail.order.id == order.id
    assert [line.line_no for line in detail.lines] == [1, 2, 3]
    assert [e.kind for e in detail.events] == ["created"]
    assert detail.store_name == "A店" and detail.shop_name == "A店·线下"
    # the timeline names the person who acted by username, not "user:3"
    manager = session.get(User, world.manager_a.user_id)
    assert detail.usernames == {world.manager_a.ref: manager.username}
