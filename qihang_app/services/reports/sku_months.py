"""report_skus_monthly: the SKU rows of a store summed per calendar month.

A bucket recompute rewrites a day's SKU rows; the month then moves by exactly the difference
between the day's old rows and its new ones (`Deltas`), applied under the month's lock — a write
costs the day's SKUs, not a scan of the month. The rebuild sums whole months (`rewrite_month`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.models import ReportSku, ReportSkuMonth

_daily = ReportSku.__table__
_monthly = ReportSkuMonth.__table__
COLUMNS = ["month", "store_id", "sku_key", "erp_sku_id", "name", "quantity", "amount_fen"]


def month_end(month: date) -> date:
    """The last day of the month that starts on `month`."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


class Deltas:
    """(store, month, sku key) → change of quantity and amount, with the latest name / ERP id."""

    def __init__(self) -> None:
        self.by_key: dict[tuple, dict] = defaultdict(lambda: {"quantity": 0, "amount_fen": 0})

    def remove_days(self, session: Session, store_id: int, first: date, last: date) -> None:
        """Take away the stored rows of these days (call before they are deleted)."""
        query = sa.select(_daily.c.day, _daily.c.sku_key, _daily.c.quantity, _daily.c.amount_fen).where(
            _daily.c.store_id == store_id, _daily.c.day >= first, _daily.c.day <= last
        )
        for day, key, quantity, amount in session.execute(query):
            delta = self.by_key[(store_id, day.replace(day=1), key)]
            delta["quantity"] -= quantity
            delta["amount_fen"] -= amount

    def add_rows(self, rows: dict[tuple, dict]) -> None:
        """Add the new rows ({(day, store, key): {quantity, amount_fen, erp_sku_id, name}})."""
        for (day, store_id, key), row in rows.items():
            delta = self.by_key[(store_id, day.replace(day=1), key)]
            delta["quantity"] += row["quantity"]
            delta["amount_fen"] += row["amount_fen"]
            delta["erp_sku_id"], delta["name"] = row.get("erp_sku_id"), row.get("name", "")

    def months(self) -> list[tuple[int, date]]:
        return sorted({(store_id, month) for store_id, month, _ in self.by_key})

    def apply(self, session: Session, store_id: int, month: date) -> None:
        """Move one store-month by its deltas (the caller holds the month's lock): one read, then
        batched inserts, updates and deletes (a write costs a few round trips, not one per SKU)."""
        mine = {k[2]: v for k, v in self.by_key.items() if k[:2] == (store_id, month)}
        keys = sorted(mine)
        where = (_monthly.c.store_id == store_id, _monthly.c.month == month)
        inserts, updates, deletes = [], [], []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            query = sa.select(_monthly).where(*where, _monthly.c.sku_key.in_(chunk))
            found = {r.sku_key: r for r in session.execute(query)}
            for key in chunk:
                delta, row = mine[key], found.get(key)
                if row is None:
                    inserts.append(
                        {"month": month, "store_id": store_id, "sku_key": key, "erp_sku_id": delta.get("erp_sku_id"),
                         "name": delta.get("name", ""), "quantity": delta["quantity"], "amount_fen": delta["amount_fen"]}
                    )  # fmt: skip
                    continue
                quantity, amount = row.quantity + delta["quantity"], row.amount_fen + delta["amount_fen"]
                if quantity == 0 and amount == 0 and "name" not in delta:
                    deletes.append(key)  # no day of the month sold it any more
                    continue
                fresh = "name" in delta
                updates.append(
                    {"b_key": key, "n_quantity": quantity, "n_amount": amount,
                     "n_erp": delta["erp_sku_id"] if fresh else row.erp_sku_id, "n_name": delta["name"] if fresh else row.name}
                )  # fmt: skip
        if inserts:
            session.execute(_monthly.insert(), inserts)
        if updates:
            statement = (
                _monthly.update()
                .where(*where, _monthly.c.sku_key == sa.bindparam("b_key"))
                .values(
                    quantity=sa.bindparam("n_quantity"),
                    amount_fen=sa.bindparam("n_amount"),
                    erp_sku_id=sa.bindparam("n_erp"),
                    name=sa.bindparam("n_name"),
                )
            )
            session.execute(statement, updates)
        for start in range(0, len(deletes), 500):
            session.execute(_monthly.delete().where(*where, _monthly.c.sku_key.in_(deletes[start : start + 500])))


def rewrite_month(session: Session, store_id: int, month: date) -> None:
    """A store-month summed again from its days' report_skus rows (the rebuild)."""
    session.execute(_monthly.delete().where(_monthly.c.store_id == store_id, _monthly.c.month == month))
    summed = (
        sa.select(
            sa.literal(month, sa.Date).label("month"),
            _daily.c.store_id,
            _daily.c.sku_key,
            sa.func.max(_daily.c.erp_sku_id),
            sa.func.max(_daily.c.name),
            sa.func.sum(_daily.c.quantity),
            sa.func.sum(_daily.c.amount_fen),
        )
        .where(_daily.c.store_id == store_id, _daily.c.day >= month, _daily.c.day <= month_end(month))
        .group_by(_daily.c.store_id, _daily.c.sku_key)
    )
    session.execute(_monthly.insert().from_select(COLUMNS, summed))
