"""The rollups equal raw GROUP BYs over the orders after random inserts, updates and cancels made
the way the app makes them (ORM commits, ingest's bulk writes, board actions), on both databases;
concurrent writers to one bucket lose nothing; the rebuild gives the same rows."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import EventKind
from qihang_app.domain.report_period import Period
from qihang_app.models import Order, OrderEvent, OrderLine, ReportDaily, ReportHourly, ReportSku, ReportSkuMonth
from qihang_app.services import dispatch
from qihang_app.services.reports import products, rebuild, rollups
from qihang_app.services.reports.query import ReportQuery
from qihang_app.services.reports.raw import RAW_SUMS, raw_daily
from tests.services.ingest_factories import T0, apply, event, snapshot

from .report_support import BASE, insert, order_st

WIDE = (date(2000, 1, 1), date(2100, 1, 1))  # every order, the world's own ones (placed now) too


def rollup_daily(session) -> dict[tuple, dict]:
    out = {}
    for row in session.execute(sa.select(ReportDaily.__table__)).mappings():
        if row["orders"]:
            key = (row["day"].isoformat(), row["store_id"], row["shop_id"], row["platform"])
            out[key] = {k: row[k] for k in ("orders", "valid_orders", *RAW_SUMS)}
    return out


def monthly_skus(session) -> tuple[dict, dict]:
    """(the monthly table, the daily SKU rows summed per month) as {(month, store, key): (qty, fen)}."""
    stored = {
        (r.month, r.store_id, r.sku_key): (r.quantity, r.amount_fen)
        for r in session.execute(sa.select(ReportSkuMonth.__table__))
    }
    summed: dict = {}
    for r in session.execute(sa.select(ReportSku.__table__)):
        key = (r.day.replace(day=1), r.store_id, r.sku_key)
        q, a = summed.get(key, (0, 0))
        summed[key] = (q + r.quantity, a + r.amount_fen)
    return stored, summed


def assert_rollups_equal_raw(session):
    assert rollup_daily(session) == raw_daily(session, *WIDE)
    stored, summed = monthly_skus(session)
    assert stored == summed
    hourly = session.execute(sa.select(sa.func.coalesce(sa.func.sum(ReportHourly.orders), 0))).scalar()
    assert hourly == sum(v["valid_orders"] for v in raw_daily(session, *WIDE).values())


edit_st = st.one_of(
    st.tuples(st.just("insert"), order_st),
    st.tuples(st.just("money"), st.integers(0, 99), st.integers(0, 500_000)),
    st.tuples(st.just("cancel"), st.integers(0, 99)),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(-3000, 3000)),  # placed_at moves (minutes)
    st.tuples(st.just("store"), st.integers(0, 99)),  # the shop moves to the other store
    st.tuples(st.just("delete"), st.integers(0, 99)),
)


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(edit_st, min_size=1, max_size=14))
def test_rollups_equal_raw_after_random_inserts_updates_and_cancels(engine, edits):
    with Session(engine, expire_on_commit=False) as session:
        from .factories import build_world

        world = build_world(session)
        session.commit()
        try:
            for n, edit in enumerate(edits):
                ids = list(session.exec(select(Order.id).order_by(Order.id)))
                target = session.get(Order, ids[edit[1] % len(ids)]) if ids and edit[0] != "insert" else None
                if edit[0] == "insert":
                    insert(session, edit[1], world=world, no=f"E{n}")
                elif target is None:
                    continue
                elif edit[0] == "money":
                    target.paid_fen, target.goods_fen = edit[2], edit[2] + 1
                elif edit[0] == "cancel":
                    target.status, target.cancelled_by, target.cancel_reason = "cancelled", "user", "不要了"
                elif edit[0] == "move":
                    target.placed_at = target.placed_at + timedelta(minutes=edit[2])
                elif edit[0] == "store":
                    swap = {world.store_a: world.store_b, world.store_b: world.store_a}
                    target.store_id = swap[target.store_id]
                elif edit[0] == "delete":
                    session.delete(target)
                session.commit()  # the listeners recompute the buckets touched, nothing else is called
                assert_rollups_equal_raw(session)
        finally:
            session.rollback()
            for table in ("order_events", "order_lines", "orders", *(t.__tablename__ for t in rollups.TABLES)):
                session.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
            session.execute(sa.text("DELETE FROM user_store_grants"))
            session.execute(sa.text("DELETE FROM shops"))
            session.execute(sa.text("DELETE FROM stores"))
            session.execute(sa.text("DELETE FROM users"))
            session.commit()


def test_ingest_and_board_actions_keep_rollups_current(session, world):
    session.commit()
    apply(session, world, snapshot("MT1"), snapshot("MT2", status=OrderStatus.AWAITING_ACCEPT))
    assert_rollups_equal_raw(session)
    day = rollups.local_day(T0)
    row = session.get(ReportDaily, (day, world.store_a, world.shop_a, "meituan"))
    assert (row.orders, row.valid_orders, row.paid_fen) == (2, 2, 2000)
    # a platform cancel (bulk write) and a refund event
    apply(session, world, event(EventKind.CANCEL, no="MT1", at=T0 + timedelta(seconds=5), cancel_reason="不想要了"))
    session.expire_all()
    row = session.get(ReportDaily, (day, world.store_a, world.shop_a, "meituan"))
    assert (row.orders, row.valid_orders, row.cancelled, row.paid_fen) == (2, 1, 1, 1000)
    assert_rollups_equal_raw(session)
    # 接单 on the board (an ORM write): the accept time reaches the duration histogram
    mt2 = session.exec(select(Order).where(Order.platform_order_id == "MT2")).one()
    dispatch.accept(session, actor=world.admin, order_id=mt2.id, now=T0 + timedelta(seconds=90))
    session.commit()
    session.expire_all()
    row = session.get(ReportDaily, (day, world.store_a, world.shop_a, "meituan"))
    assert row.accepted == 1
    skus = session.exec(select(ReportSku).where(ReportSku.day == day)).all()
    assert [(s.quantity, s.amount_fen) for s in skus] == [(1, 1000)]


def test_a_rolled_back_change_leaves_no_trace(session, world):
    session.commit()
    spec = {"which": 0, "status": "completed", "minutes": 5, "money": {"paid_fen": 700}, "accept_s": None,
            "deadline_s": None, "deliver_s": None, "reason": "", "by": None, "refund": False, "lines": []}  # fmt: skip
    insert(session, spec, world=world, no="kept")
    session.commit()
    insert(session, spec, world=world, no="dropped")
    session.rollback()
    kept = session.exec(select(Order.id).where(Order.platform_order_id == "kept")).one()
    session.add(OrderEvent(order_id=kept, actor="test", kind="memo"))
    session.commit()
    assert_rollups_equal_raw(session)
    day = rollups.local_day(BASE + timedelta(minutes=5))
    assert session.execute(sa.select(sa.func.sum(ReportDaily.paid_fen)).where(ReportDaily.day == day)).scalar() == 700


def test_rebuild_writes_the_same_rows(session, world):
    session.commit()
    specs = [{"which": i % 2, "status": ("completed", "cancelled")[i % 2], "minutes": i * 300, "money": {"paid_fen": i},
              "accept_s": 60, "deadline_s": 30, "deliver_s": 999, "reason": "x", "by": "user", "refund": i == 3,
              "lines": [{"quantity": 1, "paid_fen": i, "sku": "A"}]} for i in range(20)]  # fmt: skip
    for i, spec in enumerate(specs):
        insert(session, spec, world=world, no=f"B{i}")
    session.commit()
    before = {
        t.__tablename__: sorted(map(tuple, session.execute(sa.select(t.__table__)).all())) for t in rollups.TABLES
    }
    session.execute(ReportDaily.__table__.delete())
    assert rebuild.rebuild(session) == 22  # and the two orders of the world
    session.commit()
    after = {t.__tablename__: sorted(map(tuple, session.execute(sa.select(t.__table__)).all())) for t in rollups.TABLES}
    assert after == before and before["report_daily"]


def test_concurrent_writers_to_one_bucket_lose_nothing(engine, world, session):
    """Two sessions change different orders of the same store-day at once; both commits land."""
    session.commit()
    spec = {"which": 0, "status": "completed", "minutes": 60, "money": {"paid_fen": 100}, "accept_s": None,
            "deadline_s": None, "deliver_s": None, "reason": "", "by": None, "refund": False, "lines": []}  # fmt: skip
    ids = [insert(session, spec, world=world, no=f"C{i}").id for i in range(2)]
    session.commit()
    barrier = threading.Barrier(2, timeout=30)
    errors = []

    def change(order_id: int, paid: int) -> None:
        try:
            with Session(engine) as other:
                order = other.get(Order, order_id)
                order.paid_fen = paid
                other.flush()  # the row is written; on SQLite the second writer waits here
                if engine.dialect.name == "postgresql":
                    barrier.wait()  # both have written and now settle their bucket at once
                other.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(order_id, paid)) for order_id, paid in zip(ids, (1000, 20000))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    session.expire_all()
    assert_rollups_equal_raw(session)
    day = rollups.local_day(BASE + timedelta(minutes=60))
    assert session.get(ReportDaily, (day, world.store_a, world.shop_a, "meituan")).paid_fen == 21000


@pytest.mark.parametrize("bad", [None, {"store_id": 1}, {"placed_at": T0}])
def test_orders_without_a_store_or_a_time_have_no_bucket(bad):
    assert rollups.bucket_of(bad or {}) is None


@pytest.mark.parametrize(
    "first,last",
    [
        ("2026-10-01", "2026-12-31"),
        ("2026-10-15", "2026-12-02"),
        ("2026-11-01", "2026-11-30"),
        ("2026-11-03", "2026-11-03"),
    ],
)
def test_top_skus_over_whole_months_and_edge_days_equal_the_lines(session, world, first, last):
    session.commit()
    start = BASE - timedelta(days=60)
    for i in range(90):  # one order a day from late September to mid December, 1..3 of SKU A or B
        spec = {"which": i % 2, "status": "completed", "minutes": int((start - BASE).total_seconds() // 60) + i * 1440,
                "money": {"paid_fen": 10}, "accept_s": None, "deadline_s": None, "deliver_s": None, "reason": "",
                "by": None, "refund": False, "lines": [{"quantity": 1 + i % 3, "paid_fen": 100 + i, "sku": "AB"[i % 2]}]}  # fmt: skip
        insert(session, spec, world=world, no=f"M{i}")
    session.commit()
    period = Period(date.fromisoformat(first), date.fromisoformat(last))
    got = products.top_skus(session, ReportQuery(actor=world.admin, period=period), limit=500)
    want = session.execute(
        sa.select(sa.func.sum(OrderLine.quantity), sa.func.sum(OrderLine.paid_fen))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.placed_at >= rollups.day_start(period.first),
            Order.placed_at < rollups.day_start(period.last + timedelta(days=1)),
        )
    ).one()
    assert (sum(r["quantity"] for r in got), sum(r["amount_fen"] for r in got)) == (want[0] or 0, want[1] or 0)
