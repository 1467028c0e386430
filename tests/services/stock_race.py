"""One racing worker process: orders from its shops, each reserved in its own transaction."""

from __future__ import annotations

from qihang_app.db import make_engine, session_scope
from qihang_app.services import stock

from .stock_support import linked_order


def race(url: str, shops: list[tuple[int, int]], sku_id: int, orders: int, start) -> int:
    """Place `orders` orders (alternating shops, 1-2 units each) and reserve them; returns how
    many were left short. `start` (a multiprocessing Event) lines the processes up."""
    engine = make_engine(url)
    short = 0
    try:
        start.wait(30)
        for i in range(orders):
            shop_id, store_id = shops[i % len(shops)]
            with session_scope(engine) as session:
                order = linked_order(
                    session, shop_id=shop_id, store_id=store_id, lines=[(sku_id, 1 + i % 2)], status="to_ship"
                )
                short += bool(stock.sync_orders(session, [order]))
    finally:
        engine.dispose()
    return short
