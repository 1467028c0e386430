"""报表 arithmetic against random orders (hypothesis), on both databases: the rollup reports
equal sums computed here from the orders' own values, and the exports equal the screen."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qihang_app.domain.report_period import Period, average_fen, preset_period
from qihang_app.domain.report_rollup import METRICS
from qihang_app.models import Delivery
from qihang_app.services.reports import delivery_costs, export, fulfilment, products, registry, rollups, sales
from qihang_app.services.reports.query import ReportQuery
from qihang_app.services.scope import ScopeError

from .report_support import BASE, FIRST_DAY, LAST_DAY, SH, expected, insert, nearest_rank_bin_edge, order_st

EXAMPLES = settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def committed_world(session, world):
    session.commit()
    return world


def _run(session, world, specs):
    for i, spec in enumerate(specs):
        insert(session, spec, world=world, no=f"R{i}")
    rollups.settle(session)


@EXAMPLES
@given(specs=st.lists(order_st, max_size=25), first_offset=st.integers(0, 3), length=st.integers(1, 4))
def test_sales_totals_equal_the_sum_of_the_orders_covered(session, committed_world, specs, first_offset, length):
    world = committed_world
    try:
        _run(session, world, specs)
        first = FIRST_DAY + timedelta(days=first_offset)
        period = Period(first, first + timedelta(days=length - 1))
        for actor, stores in ((world.admin, {world.store_a, world.store_b}), (world.manager_a, {world.store_a})):
            want = expected(specs, first=period.first, last=period.last, stores=stores, world=world)
            got = sales.totals(session, ReportQuery(actor=actor, period=period))
            for k in ("orders", "valid_orders", "cancelled", "goods_fen", "paid_fen", "platform_discount_fen",
                      "merchant_discount_fen"):  # fmt: skip
                assert got[k] == want.get(k, 0), k
            gmv = sum(want.get(k, 0) for k in ("goods_fen", "freight_fen", "packing_fen"))
            assert got["gmv_fen"] == gmv
            assert got["aov_fen"] == average_fen(want.get("paid_fen", 0), want.get("valid_orders", 0))
            # the breakdowns add up to the total
            q = ReportQuery(actor=actor, period=period)
            for dimension in ("day", "platform", "store", "shop"):
                rows = sales.by(session, q, dimension)
                assert sum(r["paid_fen"] for r in rows) == got["paid_fen"], dimension
                assert sum(r["valid_orders"] for r in rows) == got["valid_orders"], dimension
            skus = products.top_skus(session, q, limit=500)
            assert sum(r["quantity"] for r in skus) == want.get("quantity", 0)
            assert sum(r["amount_fen"] for r in skus) == want.get("line_fen", 0)
            assert sum(map(sum, products.heatmap(session, q))) == want.get("valid_orders", 0)
    finally:
        session.rollback()


@EXAMPLES
@given(specs=st.lists(order_st, min_size=1, max_size=25))
def test_percentiles_and_shares_from_rollups_equal_the_raw_orders(session, committed_world, specs):
    world = committed_world
    try:
        _run(session, world, specs)
        period = Period(FIRST_DAY - timedelta(days=1), LAST_DAY + timedelta(days=1))
        q = ReportQuery(actor=world.admin, period=period)
        got = fulfilment.percentiles(session, q).get(None, {})
        counted = [s for s in specs if s["status"] not in ("pending_payment", "invalid")]
        for metric, key in (("accept", "accept_s"), ("deliver", "deliver_s")):
            raw = [s[key] for s in counted if s[key] is not None]
            for p, qv in (("p50", 0.5), ("p90", 0.9)):
                assert got.get(metric, {}).get(p) == nearest_rank_bin_edge(raw, qv), (metric, p)
        rates = fulfilment.rates(session, q).get(None, {})
        late = sum(
            1
            for s in counted
            if s["accept_s"] is not None and s["deadline_s"] is not None and s["accept_s"] > s["deadline_s"]
        )
        assert rates.get("accepted_late", 0) == late
        assert rates.get("refunded", 0) == sum(1 for s in counted if s["refund"])
        reasons = fulfilment.cancel_reasons(session, q)
        assert sum(r["count"] for r in reasons) == sum(1 for s in counted if s["status"] in ("cancelled", "closed"))
    finally:
        session.rollback()


def test_days_are_shanghai_days(session, committed_world):
    world = committed_world
    spec = {"which": 0, "status": "completed", "minutes": -1, "money": {"paid_fen": 100}, "accept_s": None,
            "deadline_s": None, "deliver_s": None, "reason": "", "by": None, "refund": False, "lines": []}  # fmt: skip
    insert(session, spec, world=world, no="late-night")  # 23:59 in Shanghai, 15:59 UTC
    insert(session, spec | {"minutes": 0}, world=world, no="midnight")  # 00:00 the next day
    rollups.settle(session)
    rows = sales.by(
        session, ReportQuery(actor=world.admin, period=Period(FIRST_DAY, FIRST_DAY + timedelta(days=1))), "day"
    )
    assert [(r["day"], r["valid_orders"]) for r in rows] == [(FIRST_DAY, 1), (FIRST_DAY + timedelta(days=1), 1)]
    assert (BASE - timedelta(minutes=1)).astimezone(SH).hour == 23
    heat = products.heatmap(session, ReportQuery(actor=world.admin, period=Period(FIRST_DAY, LAST_DAY)))
    assert heat[FIRST_DAY.weekday()][23] == 1 and heat[(FIRST_DAY + timedelta(days=1)).weekday()][0] == 1


def test_a_store_outside_the_scope_is_refused(session, committed_world):
    world = committed_world
    q = ReportQuery(actor=world.manager_a, period=Period(FIRST_DAY, LAST_DAY), store_id=world.store_b)
    with pytest.raises(ScopeError):
        sales.totals(session, q)
    with pytest.raises(ScopeError):
        registry.table(session, "fulfil_store", q)


@pytest.mark.parametrize("key", sorted(registry.REPORTS))
def test_every_export_equals_the_screen(session, committed_world, key):
    world = committed_world
    specs = [
        {"which": i % 2, "status": ("completed", "cancelled", "to_ship")[i % 3], "minutes": i * 97 - 600,
         "money": {"goods_fen": 1000 + i, "paid_fen": 999 + 7 * i, "platform_discount_fen": i, "merchant_discount_fen": 3},
         "accept_s": 40 * i, "deadline_s": 300, "deliver_s": 1800 + i * 60, "reason": "=HYPERLINK(1)" if i == 4 else "售罄",
         "by": "user", "refund": i % 5 == 0, "lines": [{"quantity": i + 1, "paid_fen": 505 + i, "sku": "AB"[i % 2]}]}
        for i in range(12)
    ]  # fmt: skip
    _run(session, world, specs)
    for i, status in enumerate(("delivered", "cancelled", "delivering")):  # the delivery cost tables' rides
        session.add(Delivery(order_id=world.order_a, store_id=world.store_a, carrier=("own", "platform")[i % 2],
                             order_ref=f"D{i}", status=status, fee_fen=500 + i, tip_fen=i * 100,
                             created_at=BASE + timedelta(hours=i)))  # fmt: skip
    session.flush()
    delivery_costs.rebuild(session)
    for lang in ("zh", "en"):
        table = registry.table(session, key, ReportQuery(actor=world.admin, period=Period(FIRST_DAY, LAST_DAY)), lang)
        assert table.cells, key
        data, name = export.export(table, "csv")
        assert name == f"{key}.csv" and data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == table.headers
        shown = [[c.removeprefix("'") for c in row] for row in rows[1:]]
        assert shown == table.cells
        book = load_workbook(io.BytesIO(export.export(table, "xlsx")[0]))
        sheet = book.active
        lines = list(sheet.iter_rows(values_only=True))
        assert list(lines[0]) == table.headers
        for kinds, cells, line in zip(table.kinds, table.cells, lines[1:]):
            assert [_as_screen(k, v) for k, v in zip(kinds, line)] == cells


def _as_screen(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{value:.2f}"
    if kind == "minutes":
        return registry.cell("minutes", int(round(float(value) * 60)))
    return str(value)


def test_presets_cover_the_right_days():
    today = date(2026, 11, 27)
    assert preset_period("today", today) == Period(today, today)
    assert preset_period("last7", today).days == 7 and preset_period("last30", today).first == date(2026, 10, 29)
    assert preset_period("yesterday", today).previous() == Period(date(2026, 11, 25), date(2026, 11, 25))
    assert set(METRICS) == {"accept", "ready", "pickup", "deliver"}
