"""Top SKUs by quantity and by amount (with their ERP SKU), and orders per hour of day × day of
week (the busy-hours heat map)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.models import ErpSku, ReportHourly, ReportSku, ReportSkuMonth
from qihang_app.services.scope import store_filter

from .query import ReportQuery, check, where
from .rollups import month_end

_skus = ReportSku.__table__
_hourly = ReportHourly.__table__
_months = ReportSkuMonth.__table__


def _sku_rows(q: ReportQuery) -> sa.Subquery:
    """SKU rows covering the period: whole months from the monthly table, the days at either end
    from the daily one (a year reads about 12 × SKUs rows, not 365 ×)."""
    first_month = q.period.first if q.period.first.day == 1 else month_end(q.period.first) + timedelta(days=1)
    last_month = first_month
    while month_end(last_month) <= q.period.last:
        last_month = month_end(last_month) + timedelta(days=1)
    cols = ("sku_key", "erp_sku_id", "name", "quantity", "amount_fen")
    scope = [store_filter(q.actor, _months.c.store_id)] + ([_months.c.store_id == q.store_id] if q.store_id else [])
    monthly = sa.select(*(_months.c[c] for c in cols)).where(
        _months.c.month >= first_month, _months.c.month < last_month, *scope
    )
    days = where(q, _skus)
    if last_month > first_month:  # days outside the whole months
        days.append(sa.or_(_skus.c.day < first_month, _skus.c.day >= last_month))
    daily = sa.select(*(_skus.c[c] for c in cols)).where(*days)
    return sa.union_all(monthly, daily).subquery() if last_month > first_month else daily.subquery()


def top_skus(session: Session, q: ReportQuery, *, by: str = "quantity", limit: int = 20) -> list[dict]:
    check(q)
    rows_in = _sku_rows(q)
    order = sa.func.sum(rows_in.c.quantity if by == "quantity" else rows_in.c.amount_fen)
    query = (
        sa.select(
            rows_in.c.sku_key,
            sa.func.max(rows_in.c.erp_sku_id).label("erp_sku_id"),
            sa.func.max(rows_in.c.name).label("name"),
            sa.func.sum(rows_in.c.quantity).label("quantity"),
            sa.func.sum(rows_in.c.amount_fen).label("amount_fen"),
        )
        .group_by(rows_in.c.sku_key)
        .order_by(order.desc(), rows_in.c.sku_key)
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
    hours = [sa.func.sum(_hourly.c[f"h{h}"]) for h in range(24)]
    query = sa.select(_hourly.c.day, *hours).where(*where(q, _hourly)).group_by(_hourly.c.day)
    grid = [[0] * 24 for _ in range(7)]
    for day, *counts in session.execute(query):
        row = grid[day.weekday()]
        for hour, orders in enumerate(counts):
            row[hour] += int(orders or 0)
    return grid
