"""Top SKUs by quantity and by amount (with their ERP SKU), and orders per hour of day × day of
week (the busy-hours heat map)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.models import ErpSku, ReportHourly, ReportSku

from .query import ReportQuery, check, where

_skus = ReportSku.__table__
_hourly = ReportHourly.__table__


def top_skus(session: Session, q: ReportQuery, *, by: str = "quantity", limit: int = 20) -> list[dict]:
    check(q)
    order = sa.func.sum(_skus.c.quantity if by == "quantity" else _skus.c.amount_fen)
    query = (
        sa.select(
            _skus.c.sku_key,
            sa.func.max(_skus.c.erp_sku_id).label("erp_sku_id"),
            sa.func.max(_skus.c.name).label("name"),
            sa.func.sum(_skus.c.quantity).label("quantity"),
            sa.func.sum(_skus.c.amount_fen).label("amount_fen"),
        )
        .where(*where(q, _skus))
        .group_by(_skus.c.sku_key)
        .order_by(order.desc(), _skus.c.sku_key)
        .limit(max(1, min(limit, 500)))
    )
    rows = [dict(r) for r in session.execute(query).mappings()]
    erp_ids = sorted({r["erp_sku_id"] for r in rows if r["erp_sku_id"]})
    erp = {}
    if erp_ids:
        erp = {
            i: (c, n)
            for i, c, n in session.execute(sa.select(ErpSku.id, ErpSku.code, ErpSku.name).where(ErpSku.id.in_(erp_ids)))
        }
    for row in rows:
        code, erp_name = erp.get(row["erp_sku_id"], ("", ""))
        row.update(
            erp_code=code,
            name=erp_name or row["name"],
            quantity=int(row["quantity"]),
            amount_fen=int(row["amount_fen"]),
        )
    return rows


def heatmap(session: Session, q: ReportQuery) -> list[list[int]]:
    """7 rows (Monday first) × 24 hours of valid orders in the period."""
    check(q)
    query = (
        sa.select(_hourly.c.day, _hourly.c.hour, sa.func.sum(_hourly.c.orders).label("orders"))
        .where(*where(q, _hourly))
        .group_by(_hourly.c.day, _hourly.c.hour)
    )
    grid = [[0] * 24 for _ in range(7)]
    for day, hour, orders in session.execute(query):
        grid[day.weekday()][hour] += int(orders)
    return grid
