"""Recreate every report rollup from the orders (after a restore, a bug fix, or the upgrade
that added them). Safe while workers run: each month is one transaction under the buckets'
locks, and later order changes recompute their buckets again.

    python -m qihang_app.services.reports.rebuild [--store ID]
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.models import Order

from . import delivery_costs, rollups


def order_days(session: Session, store_id: int | None = None) -> dict[int, tuple[date, date]]:
    """{store id: (first day, last day)} of the stores that have orders."""
    query = sa.select(Order.store_id, sa.func.min(Order.placed_at), sa.func.max(Order.placed_at)).group_by(
        Order.store_id
    )
    if store_id is not None:
        query = query.where(Order.store_id == store_id)
    found = {}
    for sid, first, last in session.execute(query):
        if first is not None:
            found[sid] = (rollups.local_day(first), rollups.local_day(last))
    return found


def rebuild(session: Session, *, store_id: int | None = None, commit: bool = False) -> int:
    """Rewrite all buckets (of one store, or all). Returns the orders read."""
    read = 0
    tables = [t.__table__ for t in rollups.TABLES]
    if store_id is None:
        for t in tables:
            session.execute(t.delete())
    for sid, (first, last) in sorted(order_days(session, store_id).items()):
        month = first.replace(day=1)
        while month <= last:
            end = rollups.month_end(month)
            rollups.lock_days(session, sid, month, end)
            read += rollups.rewrite(session, sid, month, end)
            rollups.lock(session, "month", sid, month)
            rollups.rewrite_month(session, sid, month)
            if commit:
                session.commit()
            month = end + timedelta(days=1)
    delivery_costs.rebuild(session, store_id=store_id)  # rides, fees and tips (their own buckets)
    if commit:
        session.commit()
    return read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=int, default=None)
    args = parser.parse_args(argv)
    from qihang_app.db import session_scope

    with session_scope() as session:
        read = rebuild(session, store_id=args.store, commit=True)
    print(f"rebuilt report rollups from {read} orders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
