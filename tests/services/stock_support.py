"""Builders for stock tests: ERP SKUs, orders with linked lines, a location's level and ledger."""

from __future__ import annotations

import itertools
import secrets

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.models import ErpSku, Order, OrderLine, StockLevel, StockMove, utcnow

_numbers = itertools.count(1)


def make_sku(session: Session, code: str | None = None, name: str = "可乐") -> int:
    sku = ErpSku(code=code or f"SKU{next(_numbers):05d}{secrets.token_hex(2)}", name=name)
    session.add(sku)
    session.flush()
    return sku.id


def linked_order(
    session: Session, *, shop_id: int, store_id: int, lines: list[tuple[int, int]], status: str = "awaiting_accept"
) -> int:
    """An order whose lines are (erp sku id, quantity), already linked."""
    no = f"S{next(_numbers):06d}-{secrets.token_hex(3)}"  # unique across racing processes
    order = Order(
        platform="meituan",
        shop_id=shop_id,
        store_id=store_id,
        platform_order_id=no,
        display_no=no,
        status=status,
        delivery_type="self",
        placed_at=utcnow(),
    )
    session.add(order)
    session.flush()
    for no, (sku_id, qty) in enumerate(lines, start=1):
        session.add(OrderLine(order_id=order.id, line_no=no, name=f"sku{sku_id}", quantity=qty, erp_sku_id=sku_id))
    session.flush()
    return order.id


def level(session: Session, location_id: int, sku_id: int) -> tuple[int, int]:
    """(on hand, reserved) as stored."""
    row = session.execute(
        sa.select(StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.location_id == location_id, StockLevel.erp_sku_id == sku_id
        )
    ).first()
    return (row[0], row[1]) if row else (0, 0)


def ledger_sums(session: Session, location_id: int, sku_id: int) -> tuple[int, int]:
    """(sum of on-hand deltas, sum of reserved deltas) of the ledger."""
    row = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(StockMove.on_hand_delta), 0),
            sa.func.coalesce(sa.func.sum(StockMove.reserved_delta), 0),
        ).where(StockMove.location_id == location_id, StockMove.erp_sku_id == sku_id)
    ).one()
    return int(row[0]), int(row[1])
