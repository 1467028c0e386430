"""The ledger property on a real database (both): over random sequences of orders, accepts,
cancels, hand-overs, counts, write-offs and receipts, the sum of movements is the stored on hand
and reserved, reserved is what live orders hold, and available never goes below zero."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qihang_app.models import Order
from qihang_app.services import stock, stock_admin
from qihang_app.services.errors import ValidationError
from qihang_app.services.stock_levels import store_location

from .stock_support import ledger_sums, level, linked_order, make_sku

STEP = st.one_of(
    st.tuples(st.just("order"), st.integers(1, 6)),
    st.tuples(st.just("accept"), st.integers(0, 30)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("hand_over"), st.integers(0, 30)),
    st.tuples(st.just("receive"), st.integers(1, 8)),
    st.tuples(st.just("count"), st.integers(0, 15)),
    st.tuples(st.just("write_off"), st.integers(1, 4)),
)
NEXT = {"accept": ("awaiting_accept", "to_ship"), "hand_over": ("to_ship", "shipped")}


@pytest.mark.parametrize("reserve_on", ["accept", "paid"])
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=25))
def test_ledger_sums_to_the_level_and_available_never_goes_negative(session, world, reserve_on, steps):
    stock_admin.set_shop_setting(session, actor=world.admin, shop_id=world.shop_a, reserve_on=reserve_on, buffer=0)
    sku = make_sku(session)
    loc = store_location(session, world.store_a)
    orders: list[tuple[int, int]] = []  # (order id, quantity)
    for kind, n in steps:
        if kind == "order":
            orders.append((linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, n)]), n))
        elif kind in ("accept", "cancel", "hand_over") and orders:
            order = session.get(Order, orders[n % len(orders)][0])
            if kind == "cancel" and order.status in ("awaiting_accept", "to_ship"):
                order.status = "cancelled"
            elif kind in NEXT and order.status == NEXT[kind][0]:
                order.status = NEXT[kind][1]
            session.flush()
        elif kind == "receive":
            stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=n)
        elif kind in ("count", "write_off"):
            try:
                if kind == "count":
                    stock_admin.count(session, actor=world.admin, location_id=loc, sku_id=sku, counted=n)
                else:
                    stock_admin.write_off(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=n)
            except ValidationError as refused:  # would take what orders hold: refused, nothing changed
                assert refused.key == "stock.err.below_reserved"
        stock.sync_orders(session, [o for o, _ in orders])

        on_hand, reserved = level(session, loc, sku)
        assert ledger_sums(session, loc, sku) == (on_hand, reserved)
        assert 0 <= reserved <= on_hand
        short = stock.shortages_of(session, [o for o, _ in orders])
        held = 0
        for order_id, qty in orders:
            status = session.get(Order, order_id).status
            holds = status == "to_ship" or (status == "awaiting_accept" and reserve_on == "paid")
            if holds and order_id not in short:
                held += qty
        assert reserved == held
    session.rollback()
