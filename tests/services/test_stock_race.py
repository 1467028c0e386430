"""No oversell: three real worker processes place orders from two shops for the last units of one
hot SKU at the same time, on SQLite and on PostgreSQL. Reserved never exceeds on hand, every
order either holds all it asked for or is marked short with what is missing."""

from __future__ import annotations

import multiprocessing

import sqlalchemy as sa

from qihang_app.models import StockMove, StockShortage
from qihang_app.services import stock_admin
from qihang_app.services.stock_levels import store_location

from .stock_race import race
from .stock_support import ledger_sums, level, make_sku

WORKERS = 3
ORDERS_EACH = 15  # 45 orders wanting ~67 units of 25


def test_racing_workers_never_oversell(session, world, db_url):
    sku = make_sku(session)
    loc = store_location(session, world.store_a)
    # shop B sells from store A's shelf too: two shops, one hot SKU
    stock_admin.set_shop_setting(
        session, actor=world.admin, shop_id=world.shop_b, reserve_on="accept", buffer=0, location_id=loc
    )
    stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku, quantity=25)
    session.commit()

    ctx = multiprocessing.get_context("spawn")
    start = ctx.Manager().Event()
    shops = [(world.shop_a, world.store_a), (world.shop_b, world.store_b)]
    with ctx.Pool(WORKERS) as pool:
        pending = [
            pool.apply_async(race, (db_url, shops[i:] + shops[:i], sku, ORDERS_EACH, start)) for i in range(WORKERS)
        ]
        start.set()
        short = sum(p.get(timeout=300) for p in pending)

    session.expire_all()
    on_hand, reserved = level(session, loc, sku)
    held = session.execute(
        sa.select(sa.func.sum(StockMove.reserved_delta)).where(StockMove.erp_sku_id == sku, StockMove.kind == "reserve")
    ).scalar()
    oversold = max(0, reserved - on_hand)
    assert oversold == 0
    assert on_hand == 25 and reserved == held and 24 <= reserved <= 25  # the last unit may fit nobody's 2
    assert ledger_sums(session, loc, sku) == (25, reserved)
    marks = session.execute(sa.select(sa.func.count()).select_from(StockShortage)).scalar()
    assert short == marks > 0
    reserving_shops = set(
        session.execute(
            sa.text(
                "SELECT DISTINCT o.shop_id FROM stock_moves m JOIN orders o ON o.id = m.order_id WHERE m.erp_sku_id = :s"
            ),
            {"s": sku},
        ).scalars()
    )
    assert reserving_shops == {world.shop_a, world.shop_b}
