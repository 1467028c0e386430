"""The same sales sums straight from the orders with one GROUP BY (no rollups). Too slow for the
page on a year of orders; the tests check the rollups against it and benchmarks/reports.py
times it beside the rollup report."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.domain.report_rollup import ENDED, NOT_COUNTED

from .rollups import day_start

RAW_SUMS = (
    "goods_fen", "freight_fen", "packing_fen", "platform_discount_fen",
    "merchant_discount_fen", "paid_fen", "merchant_receivable_fen",
)  # fmt: skip


def _local_day_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "CAST((placed_at AT TIME ZONE 'Asia/Shanghai') AS date)"
    return "date(placed_at, '+8 hours')"  # stored as UTC text; China has no daylight saving


def raw_daily(session: Session, first: date, last: date, store_ids: list[int] | None = None) -> dict[tuple, dict]:
    """{(day iso, store id, shop id, platform): sums of valid orders, and counts} from orders."""
    from datetime import timedelta

    dialect = session.get_bind().dialect.name
    day = _local_day_sql(dialect)
    valid = f"status NOT IN ({', '.join(repr(s) for s in sorted(ENDED))})"
    sums = ", ".join(f"SUM(CASE WHEN {valid} THEN {c} ELSE 0 END) AS {c}" for c in RAW_SUMS)
    stores = f"AND store_id IN ({', '.join(str(int(s)) for s in store_ids)})" if store_ids else ""
    sql = f"""
        SELECT {day} AS day, store_id, shop_id, platform, COUNT(*) AS orders,
               SUM(CASE WHEN {valid} THEN 1 ELSE 0 END) AS valid_orders, {sums}
        FROM orders
        WHERE placed_at >= :start AND placed_at < :end
          AND status NOT IN ({", ".join(repr(s) for s in sorted(NOT_COUNTED))}) {stores}
        GROUP BY {day}, store_id, shop_id, platform
    """  # noqa: S608 (no user input: constants and ints)
    start, end = day_start(first), day_start(last + timedelta(days=1))
    if dialect == "sqlite":  # UTCDateTime stores naive UTC text there
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    out = {}
    for row in session.execute(sa.text(sql), {"start": start, "end": end}).mappings():
        key = (str(row["day"])[:10], row["store_id"], row["shop_id"], row["platform"])
        out[key] = {k: int(row[k] or 0) for k in ("orders", "valid_orders", *RAW_SUMS)}
    return out
