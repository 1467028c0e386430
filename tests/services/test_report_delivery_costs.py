"""The delivery cost report on SQLite and PostgreSQL: the rollup equals the rides after random
bookings, fee corrections, added tips and cancels; every table's rows add up to the period's
totals; per store and day and by carrier; the export is the screen."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from qihang_app.domain.delivery_cost import per_order
from qihang_app.domain.report_period import Period
from qihang_app.domain.report_rollup import local_day
from qihang_app.models import Delivery, ReportDelivery
from qihang_app.services.reports import delivery_costs, export, registry
from qihang_app.services.reports.query import ReportQuery

BASE = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # Shanghai midnight: rides straddle days
FIRST, LAST = date(2026, 11, 20), date(2026, 11, 23)
CARRIERS = ("dada", "own", "platform", "sf_same_city")

ride_st = st.fixed_dictionaries(
    {
        "which": st.integers(0, 1),  # the order of store a or of store b
        "carrier": st.sampled_from(CARRIERS),
        "minutes": st.integers(-10, 3 * 24 * 60),
        "status": st.sampled_from(["awaiting_rider", "delivering", "delivered", "cancelled", "exception"]),
        "fee_fen": st.integers(0, 20_000),
        "tip_fen": st.integers(0, 3_000),
        "later": st.sampled_from([None, "tip", "cancel", "fee"]),
    }
)


def _book(session, world, rides: list[dict]) -> None:
    session.execute(sa.delete(Delivery))  # a bulk delete passes no listener: clear the rollup too
    session.execute(sa.delete(ReportDelivery))
    session.commit()
    for n, spec in enumerate(rides):
        order_id = (world.order_a, world.order_b)[spec["which"]]
        store_id = (world.store_a, world.store_b)[spec["which"]]
        row = Delivery(
            order_id=order_id, store_id=store_id, carrier=spec["carrier"], order_ref=f"R{n}", status=spec["status"],
            fee_fen=spec["fee_fen"], tip_fen=spec["tip_fen"], created_at=BASE + timedelta(minutes=spec["minutes"]),
        )  # fmt: skip
        session.add(row)
    session.commit()  # the listeners recompute the buckets touched
    for row, spec in zip(session.exec(select(Delivery).order_by(Delivery.id)).all(), rides, strict=True):
        if spec["later"] == "tip":
            row.tip_fen += 500
        elif spec["later"] == "cancel":
            row.status = "cancelled"
        elif spec["later"] == "fee":
            row.fee_fen = row.fee_fen // 2
        session.add(row)
    session.commit()


def _expected(session) -> dict[tuple, dict]:
    """An independent sum straight from the rides."""
    out: dict[tuple, dict] = defaultdict(
        lambda: {"rides": 0, "cancelled": 0, "fee_fen": 0, "tip_fen": 0, "orders": set()}
    )
    for d in session.exec(select(Delivery)).all():
        row = out[(local_day(d.created_at), d.store_id, d.carrier)]
        if d.status == "cancelled":
            row["cancelled"] += 1
        else:
            row["rides"] += 1
            row["fee_fen"] += d.fee_fen
            row["tip_fen"] += d.tip_fen
            row["orders"].add(d.order_id)
    return {k: v | {"orders": len(v["orders"])} for k, v in out.items()}


def _stored(session) -> dict[tuple, dict]:
    return {
        (r.day, r.store_id, r.carrier): {"rides": r.rides, "cancelled": r.cancelled, "fee_fen": r.fee_fen,
                                         "tip_fen": r.tip_fen, "orders": r.orders}
        for r in session.exec(select(ReportDelivery)).all()
    }  # fmt: skip


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rides=st.lists(ride_st, max_size=12))
def test_totals_add_up_from_random_rides(session, world, rides):
    session.commit()
    _book(session, world, rides)
    assert _stored(session) == _expected(session)
    q = ReportQuery(actor=world.admin, period=Period(FIRST, LAST))
    whole = delivery_costs.totals(session, q)
    for group in (("day", "store_id", "carrier"), ("carrier",), ("store_id",), ("day",)):
        parts = delivery_costs.rows(session, q, group)
        for k in ("rides", "cancelled", "fee_fen", "tip_fen", "total_fen"):
            assert sum(p[k] for p in parts) == whole[k], (group, k)
        assert all(p["per_order_fen"] == per_order(p["total_fen"], p["orders"]) for p in parts)
    inside = [v for (day, _, _), v in _expected(session).items() if FIRST <= day <= LAST]
    assert whole["fee_fen"] + whole["tip_fen"] == sum(v["fee_fen"] + v["tip_fen"] for v in inside)
    assert whole["rides"] == sum(v["rides"] for v in inside)


def test_the_report_per_store_day_and_carrier_and_its_export(session, world):
    session.commit()
    rides = [
        {"which": 0, "carrier": "own", "minutes": 30, "status": "delivered", "fee_fen": 600, "tip_fen": 200, "later": None},
        {"which": 0, "carrier": "own", "minutes": 40, "status": "delivered", "fee_fen": 700, "tip_fen": 0, "later": None},
        {"which": 0, "carrier": "platform", "minutes": 50, "status": "cancelled", "fee_fen": 900, "tip_fen": 0, "later": None},
        {"which": 1, "carrier": "own", "minutes": 60 * 25, "status": "delivered", "fee_fen": 1001, "tip_fen": 0, "later": "tip"},
    ]  # fmt: skip
    _book(session, world, rides)
    q = ReportQuery(actor=world.admin, period=Period(FIRST, LAST))
    table = registry.table(session, "delivery_day", q)
    assert table.headers[:3] == ["日期", "门店", "运力"]
    assert table.cells == [
        ["2026-11-21", "A店", "自有骑手", "2", "1", "13.00", "2.00", "15.00", "15.00"],
        ["2026-11-21", "A店", "平台配送", "0", "0", "0.00", "0.00", "0.00", ""],
        ["2026-11-22", "B店", "自有骑手", "1", "1", "10.01", "5.00", "15.01", "15.01"],
    ]
    by_carrier = registry.table(session, "delivery_carrier", q, "en")
    assert by_carrier.cells == [
        ["Own riders", "3", "2", "23.01", "7.00", "30.01", "15.01", "0"],
        ["Platform delivery", "0", "0", "0.00", "0.00", "0.00", "", "1"],
    ]
    data, _ = export.export(table, "csv")
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    assert list(csv.reader(io.StringIO(text))) == [table.headers, *table.cells]
    manager = ReportQuery(actor=world.manager_a, period=Period(FIRST, LAST))
    assert {c[1] for c in registry.table(session, "delivery_day", manager).cells} == {"A店"}  # scope
