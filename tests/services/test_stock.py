"""Orders and stock on both databases: reserve on accept (or on payment, per shop), release on
cancel, deduct on hand-over, once per line and kind; shortages; staff changes with their ledger."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from qihang_app.models import Order, StockMove, StockShortage
from qihang_app.services import dispatch, stock, stock_admin
from qihang_app.services.errors import ValidationError
from qihang_app.services.stock_levels import store_location

from .stock_support import ledger_sums, level, linked_order, make_sku


@pytest.fixture
def shelf(session, world):
    """Store A's location with 10 cola on hand."""
    sku = make_sku(session)
    loc = store_location(session, world.store_a)
    stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=10, note="首批")
    session.commit()
    return loc, sku


def _kinds(session, order_id):
    return sorted(session.execute(sa.select(StockMove.kind).where(StockMove.order_id == order_id)).scalars())


def test_accept_reserves_cancel_releases(session, world, shelf):
    loc, sku = shelf
    order = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 3)])
    assert stock.sync_orders(session, [order]) == []  # waiting to be accepted: nothing held yet
    assert level(session, loc, sku) == (10, 0)
    dispatch.accept(session, actor=world.admin, order_id=order)
    assert level(session, loc, sku) == (10, 3)
    stock.sync_orders(session, [order])  # again: nothing more
    stock.reserve_lines(session, [order])
    assert level(session, loc, sku) == (10, 3)
    dispatch.reject(session, actor=world.admin, order_id=order, reason_code="1001")
    assert level(session, loc, sku) == (10, 0)
    assert _kinds(session, order) == ["release", "reserve"]
    assert ledger_sums(session, loc, sku) == (10, 0)


def test_hand_over_deducts_what_was_reserved(session, world, shelf):
    loc, sku = shelf
    order = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 4)])
    dispatch.accept(session, actor=world.admin, order_id=order)
    dispatch.dispatch_self(session, actor=world.admin, order_id=order)
    assert level(session, loc, sku) == (6, 0)
    dispatch.mark_delivered(session, actor=world.admin, order_id=order)
    assert level(session, loc, sku) == (6, 0)
    assert _kinds(session, order) == ["deduct", "reserve"]
    assert ledger_sums(session, loc, sku) == (6, 0)


def test_paid_shops_reserve_before_accepting(session, world, shelf):
    loc, sku = shelf
    stock_admin.set_shop_setting(session, actor=world.admin, shop_id=world.shop_a, reserve_on="paid", buffer=0)
    order = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 2)])
    stock.sync_orders(session, [order])
    assert level(session, loc, sku) == (10, 2)


def test_too_little_stock_is_a_shortage_until_stock_arrives(session, world, shelf):
    loc, sku = shelf
    first = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 8)], status="to_ship")
    second = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 5)], status="to_ship")
    assert stock.sync_orders(session, [first]) == []
    short = stock.sync_orders(session, [second])
    assert [(s.order_id, s.missing) for s in short] == [(second, 3)]
    assert stock.shortages_of(session, [first, second]) == {second: [(1, 3)]}
    assert level(session, loc, sku) == (10, 8)  # the loser holds nothing
    stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=3)
    assert stock.shortages_of(session, [second]) == {}
    assert stock.served_orders(session) == [(second, world.store_a)]  # its card hears it
    assert level(session, loc, sku) == (13, 13)
    assert ledger_sums(session, loc, sku) == (13, 13)


def test_a_cancel_gives_its_units_to_the_order_waiting_short(session, world, shelf):
    loc, sku = shelf
    first = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 8)], status="to_ship")
    second = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 4)], status="to_ship")
    stock.sync_orders(session, [first, second])
    assert stock.shortages_of(session, [second]) == {second: [(1, 2)]}
    session.get(Order, first).status = "cancelled"
    session.flush()
    stock.sync_orders(session, [first])
    assert stock.shortages_of(session, [second]) == {}
    assert level(session, loc, sku) == (10, 4)
    assert stock.served_orders(session) == [(second, world.store_a)]


def test_a_cancelled_short_order_loses_its_mark(session, world, shelf):
    loc, sku = shelf
    order = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 50)], status="to_ship")
    assert stock.sync_orders(session, [order])
    session.get(Order, order).status = "cancelled"
    session.flush()
    assert stock.sync_orders(session, [order]) == []
    assert session.execute(sa.select(sa.func.count()).select_from(StockShortage)).scalar() == 0
    assert level(session, loc, sku) == (10, 0)


def test_unlinked_lines_take_nothing_until_linked(session, world, shelf):
    loc, sku = shelf
    order = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 2)], status="to_ship")
    session.execute(sa.text("UPDATE order_lines SET erp_sku_id = NULL WHERE order_id = :o"), {"o": order})
    assert stock.sync_orders(session, [order]) == []
    assert level(session, loc, sku) == (10, 0)
    session.execute(sa.text("UPDATE order_lines SET erp_sku_id = :s WHERE order_id = :o"), {"s": sku, "o": order})
    stock.reserve_lines(session, [order])  # what the catalog's link back-fill calls
    assert level(session, loc, sku) == (10, 2)


def test_count_write_off_and_transfer_keep_the_ledger(session, world, shelf):
    loc, sku = shelf
    depot = stock_admin.create_warehouse(session, actor=world.admin, name="中心仓").id
    order = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 4)], status="to_ship")
    stock.sync_orders(session, [order])
    with pytest.raises(ValidationError) as refused:
        stock_admin.count(session, actor=world.admin, location_id=loc, sku_id=sku, counted=3)  # 4 are held
    assert refused.value.key == "stock.err.below_reserved" and refused.value.field == "quantity"
    stock_admin.count(session, actor=world.admin, location_id=loc, sku_id=sku, counted=9, note="月底盘点")
    stock_admin.write_off(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=1, note="破损")
    with pytest.raises(ValidationError):
        stock_admin.transfer(session, actor=world.admin, from_id=loc, to_id=depot, sku_id=sku, quantity=5)
    stock_admin.transfer(session, actor=world.admin, from_id=loc, to_id=depot, sku_id=sku, quantity=4)
    assert level(session, loc, sku) == (4, 4)
    assert level(session, depot, sku) == (4, 0)
    assert ledger_sums(session, loc, sku) == (4, 4)
    assert ledger_sums(session, depot, sku) == (4, 0)
    reasons = session.execute(
        sa.select(StockMove.reason, StockMove.actor).where(StockMove.location_id == loc).order_by(StockMove.id)
    ).all()
    assert [r for r, _ in reasons] == ["purchase", "order", "count", "damage", "transfer"]
    assert {a for r, a in reasons if r != "order"} == {world.admin.ref}


@pytest.mark.parametrize("typed", ["", "abc", "-3", "0", "99999999999", "😀", "<b>1</b>", "1" * 3000])
def test_bad_quantities_are_refused_at_the_field(session, world, shelf, typed):
    loc, sku = shelf
    with pytest.raises(ValidationError) as refused:
        stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=typed)
    assert refused.value.field == "quantity"
    assert level(session, loc, sku) == (10, 0)


def test_notes_are_checked_like_any_text(session, world, shelf):
    loc, sku = shelf
    for note in ("x" * 3000, "<script>", "🍺"):
        with pytest.raises(ValidationError) as refused:
            stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=1, note=note)
        assert refused.value.field == "note"
    assert level(session, loc, sku) == (10, 0)


def test_staff_of_another_store_cannot_touch_its_stock(session, world, shelf):
    from qihang_app.services.scope import ScopeError

    other = store_location(session, world.store_b)
    with pytest.raises(ScopeError):
        stock_admin.receive(session, actor=world.staff_a, location_id=other, sku_id=shelf[1], quantity=1)
    assert [loc.id for loc in stock_admin.locations(session, actor=world.staff_a)] == [shelf[0]]


def test_shop_settings_are_scoped_and_a_new_buffer_is_pushed_at_once(session, world, shelf):
    import json

    from qihang_app.models import OutboxMessage, ShopSku

    loc, sku = shelf
    session.add(ShopSku(shop_id=world.shop_a, platform_item_id="I1", platform_sku_id="S1", erp_sku_id=sku))
    session.flush()
    assert [shop.id for shop, _ in stock_admin.shop_settings(session, actor=world.staff_a)] == [world.shop_a]
    with pytest.raises(ValidationError) as refused:
        stock_admin.set_shop_setting(session, actor=world.admin, shop_id=world.shop_a, reserve_on="never", buffer=1)
    assert refused.value.field == "reserve_on"
    with pytest.raises(ValidationError) as refused:
        stock_admin.set_shop_setting(session, actor=world.admin, shop_id=world.shop_a, reserve_on="paid", buffer="-1")
    assert refused.value.field == "buffer"
    stock_admin.set_shop_setting(session, actor=world.admin, shop_id=world.shop_a, reserve_on="paid", buffer=4)
    (row,) = session.execute(sa.select(OutboxMessage).where(OutboxMessage.shop_id == world.shop_a)).scalars()
    assert json.loads(row.payload)["stock"] == [["I1", "S1", 6]]  # 10 on hand − buffer 4


def test_warehouses_are_for_managers_and_admins(session, world, shelf):
    from qihang_app.services.scope import ScopeError

    depot = stock_admin.create_warehouse(session, actor=world.admin, name="中心仓").id
    with pytest.raises(ScopeError):
        stock_admin.create_warehouse(session, actor=world.manager_a, name="二号仓")
    with pytest.raises(ValidationError) as refused:
        stock_admin.create_warehouse(session, actor=world.admin, name="<b>仓</b>")
    assert refused.value.field == "name"
    assert depot in [loc.id for loc in stock_admin.locations(session, actor=world.manager_a)]
    assert depot not in [loc.id for loc in stock_admin.locations(session, actor=world.staff_a)]
    with pytest.raises(ScopeError):
        stock_admin.receive(session, actor=world.staff_a, location_id=depot, sku_id=shelf[1], quantity=1)


def test_sync_waits_for_quiet_but_not_forever(session, world, shelf):
    from datetime import timedelta

    from qihang_app.domain.stock import Delta
    from qihang_app.models import ShopSku, utcnow
    from qihang_app.services import stock_sync
    from qihang_app.services.stock_levels import change_level

    loc, sku = shelf
    session.add(ShopSku(shop_id=world.shop_a, platform_item_id="I1", platform_sku_id="S1", erp_sku_id=sku))
    t0 = utcnow() + timedelta(minutes=1)
    assert stock_sync.flush_due(session, now=t0) == 1  # the receipt of the fixture, long quiet
    for second in range(0, 7):  # a change every second: never quiet for QUIET
        change_level(session, loc, sku, Delta(reserved=1), now=t0 + timedelta(seconds=second))
        queued = stock_sync.flush_due(session, now=t0 + timedelta(seconds=second, milliseconds=500))
        assert queued == (1 if second == 5 else 0), second  # dirty since t0: pushed at MAX_WAIT


def test_the_short_order_card_says_what_is_missing(session, world, shelf):
    from qihang_app.services.board import load_cards
    from state.board_cards import view_of

    loc, sku = shelf
    full = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 10)], status="to_ship")
    short = linked_order(session, shop_id=world.shop_a, store_id=world.store_a, lines=[(sku, 3)], status="to_ship")
    stock.sync_orders(session, [full, short])
    cards = load_cards(session, store_ids=[world.store_a])
    assert view_of(cards[short]).short == f"缺货：sku{sku} ×3"
    assert view_of(cards[short]).short_en == f"Out of stock: sku{sku} ×3"
    assert view_of(cards[full]).short == ""
