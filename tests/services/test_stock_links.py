"""Linking a shop SKU back-fills waiting order lines; those lines then hold their stock at once,
and the orders that still cannot be served are marked short."""

from __future__ import annotations

import sqlalchemy as sa

from qihang_app.models import OrderLine, ShopSku, StockShortage
from qihang_app.services import sku_links, stock_admin
from qihang_app.services.stock_levels import store_location
from qihang_app.services.stock_queries import available_by_sku

from .factories import platform_order
from .stock_support import level, make_sku


def _waiting(session, world, no: str, platform_sku: str, quantity: int, status: str = "to_ship") -> int:
    order = platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no=no, status=status)
    session.add(OrderLine(order_id=order.id, line_no=2, platform_sku_id=platform_sku, name="可乐", quantity=quantity))
    session.flush()
    return order.id


def _link(session, world, platform_sku: str, erp_sku: int) -> list[int]:
    shop_sku = ShopSku(shop_id=world.shop_a, platform_sku_id=platform_sku, name="可乐")
    session.add(shop_sku)
    session.flush()
    result = sku_links.link_shop_sku(session, actor=world.manager_a, shop_sku_id=shop_sku.id, erp_sku_id=erp_sku)
    session.commit()
    return result.order_ids


def test_linking_a_waiting_line_reserves_its_stock(session, world):
    sku = make_sku(session)
    loc = store_location(session, world.store_a)
    stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=5, note="首批")
    accepted = _waiting(session, world, "L1", "MT-COLA", 3)
    not_yet = _waiting(session, world, "L2", "MT-COLA", 1, status="awaiting_accept")  # nothing held before 接单
    session.commit()
    assert level(session, loc, sku) == (5, 0)
    assert _link(session, world, "MT-COLA", sku) == sorted([accepted, not_yet])
    assert level(session, loc, sku) == (5, 3)


def test_linking_more_than_is_on_the_shelf_marks_the_order_short(session, world):
    sku = make_sku(session)
    loc = store_location(session, world.store_a)
    stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=2, note="首批")
    served = _waiting(session, world, "M1", "MT-TEA", 2)
    short = _waiting(session, world, "M2", "MT-TEA", 1)
    session.commit()
    _link(session, world, "MT-TEA", sku)
    assert level(session, loc, sku) == (2, 2)
    marked = session.execute(sa.select(StockShortage.order_id)).scalars().all()
    assert marked == [short] and served not in marked


def test_the_product_list_sums_what_each_viewer_may_see(session, world):
    cola, tea, unstocked = make_sku(session), make_sku(session), make_sku(session)
    shelf_a, shelf_b = store_location(session, world.store_a), store_location(session, world.store_b)
    warehouse = stock_admin.create_warehouse(session, actor=world.admin, name="中心仓").id
    for place, sku, units in ((shelf_a, cola, 4), (shelf_b, cola, 6), (warehouse, cola, 10), (shelf_b, tea, 2)):
        stock_admin.receive(session, actor=world.admin, location_id=place, sku_id=sku, quantity=units, note="首批")
    session.commit()
    wanted = [cola, tea, unstocked]
    assert available_by_sku(session, actor=world.admin, sku_ids=wanted) == {cola: 20, tea: 2}
    assert available_by_sku(session, actor=world.manager_a, sku_ids=wanted) == {cola: 14}  # not store B's shelf
    assert available_by_sku(session, actor=world.admin, sku_ids=[]) == {}
