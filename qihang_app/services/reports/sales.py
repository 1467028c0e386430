"""Sales: orders, GMV, paid amount, average order value and discounts (platform vs merchant),
in total and by day, platform, store and shop. Read from report_daily only."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.domain.report_period import average_fen
from qihang_app.models import ReportDaily

from .query import ReportQuery, check, shop_names, store_names, where

_daily = ReportDaily.__table__
SUMS = (
    "orders", "valid_orders", "cancelled", "goods_fen", "freight_fen", "packing_fen",
    "platform_discount_fen", "merchant_discount_fen", "paid_fen", "merchant_receivable_fen",
)  # fmt: skip
DIMENSIONS = {"day": ("day",), "platform": ("platform",), "store": ("store_id",), "shop": ("shop_id", "platform")}


def _figures(row: dict) -> dict:
    """The derived figures of a row of sums (all integer fen)."""
    out = {k: int(row.get(k) or 0) for k in SUMS}
    out["gmv_fen"] = out["goods_fen"] + out["freight_fen"] + out["packing_fen"]
    out["discount_fen"] = out["platform_discount_fen"] + out["merchant_discount_fen"]
    out["aov_fen"] = average_fen(out["paid_fen"], out["valid_orders"])
    return out


def totals(session: Session, q: ReportQuery) -> dict:
    check(q)
    query = sa.select(*(sa.func.coalesce(sa.func.sum(_daily.c[k]), 0).label(k) for k in SUMS))
    row = session.execute(query.where(*where(q, _daily, by_shop=True))).mappings().one()
    return _figures(dict(row))


def by(session: Session, q: ReportQuery, dimension: str) -> list[dict]:
    """Rows of figures per day / platform / store / shop, in a stable order."""
    check(q)
    keys = [_daily.c[k] for k in DIMENSIONS[dimension]]
    query = (
        sa.select(*keys, *(sa.func.sum(_daily.c[k]).label(k) for k in SUMS))
        .where(*where(q, _daily, by_shop=True))
        .group_by(*keys)
    )
    rows = [dict(r) for r in session.execute(query).mappings()]
    if dimension == "day":  # every day of the period, the empty ones too (a chart needs them)
        found = {r["day"]: r for r in rows}
        rows = [found.get(day, {"day": day}) for day in q.period.each_day()]
    out = []
    for row in rows:
        figures = _figures(row) | {k: row[k] for k in DIMENSIONS[dimension]}
        out.append(figures)
    names = store_names(session) if dimension == "store" else shop_names(session) if dimension == "shop" else {}
    for row in out:
        if dimension == "store":
            row["name"] = names.get(row["store_id"], str(row["store_id"]))
        elif dimension == "shop":
            row["name"] = names.get(row["shop_id"], str(row["shop_id"]))
    if dimension != "day":
        out.sort(key=lambda r: (-r["paid_fen"], str(r.get("name") or r.get("platform"))))
    return out
