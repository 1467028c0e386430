"""The refund pull on its own cursor (test platform over HTTP, real Redis): refunds reach the
after-sale intake once, out of order safely; the cursor moves only on success; each run writes a
`refunds` pull log shown in the shop's list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from qihang_app.models import AfterSale, PullLog, Shop, utcnow
from qihang_app.services import pulls as pull_service
from qihang_app.services import refund_pulls
from tests.oauth_support import CODE, platform_server, test_platform  # noqa: F401  (fixtures)
from tests.services.factories import platform_order
from tests.workers.oauth_world import oauth_world  # noqa: F401  (fixture)
from workers.tasks.refund_pull import pull_refunds, schedule_refund_pulls

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def orders(engine, oauth_world):  # noqa: F811
    with Session(engine) as session:
        for no in ("T1", "T2"):
            platform_order(
                session, shop_id=oauth_world.shop_id, store_id=oauth_world.store_id, no=no, platform=CODE,
                status="shipped",
            )  # fmt: skip
        session.commit()


def _refund(rid: str, order: str, status: str, minutes_ago: int) -> dict:
    at = (utcnow() - timedelta(minutes=minutes_ago)).isoformat()
    return {"id": rid, "order": order, "status": status, "fen": 1990, "at": at}


def _after_sales(engine) -> dict[str, AfterSale]:
    with Session(engine) as session:
        return {a.platform_refund_id: a for a in session.exec(select(AfterSale))}


def _logs(engine, shop_id) -> list[PullLog]:
    with Session(engine) as session:
        return list(session.exec(select(PullLog).where(PullLog.shop_id == shop_id).order_by(PullLog.id)))


def _cursor(engine, shop_id):
    with Session(engine) as session:
        shop = session.get(Shop, shop_id)
        return shop.last_refund_cursor_at, shop.last_sweep_cursor_at


async def test_refunds_reach_the_after_sale_center_once(ctx, engine, oauth_world, orders, platform_server):  # noqa: F811
    platform_server.refunds = [
        _refund("R1", "T1", "applied", 30),
        _refund("R2", "T2", "agreed", 20),
        _refund("R3", "T1", "applied", 10),
    ]
    first = await pull_refunds(ctx, oauth_world.shop_id)
    assert first == {"ok": True, "pages": 2, "orders": 3, "changed": 3}
    assert sorted(_after_sales(engine)) == ["R1", "R2", "R3"]
    log = _logs(engine, oauth_world.shop_id)[-1]
    assert (log.kind, log.status, log.orders, log.changed) == ("refunds", "ok", 3, 3)
    refund_cursor, order_cursor = _cursor(engine, oauth_world.shop_id)
    assert refund_cursor == log.window_end and order_cursor is None  # each kind its own cursor

    again = await pull_refunds(ctx, oauth_world.shop_id)  # the overlap re-reads them: nothing new
    assert again["ok"] and again["changed"] == 0 and len(_after_sales(engine)) == 3
    start, _ = platform_server.refund_windows[-1]
    assert start == (refund_cursor - refund_pulls.OVERLAP).isoformat()


async def test_an_older_report_never_replaces_a_newer_one(ctx, engine, oauth_world, orders, platform_server):  # noqa: F811
    platform_server.refunds = [_refund("R1", "T1", "succeeded", 5)]
    await pull_refunds(ctx, oauth_world.shop_id)
    newer = _after_sales(engine)["R1"].state
    platform_server.refunds = [_refund("R1", "T1", "applied", 50)]  # arrives later, happened earlier
    result = await pull_refunds(ctx, oauth_world.shop_id)
    assert result["ok"] and result["changed"] == 0
    assert _after_sales(engine)["R1"].state == newer


async def test_a_failed_pull_keeps_the_cursor_and_logs_the_error(ctx, engine, oauth_world, orders, platform_server):  # noqa: F811
    platform_server.refunds = [_refund(f"R{i}", "T1", "applied", 40 - i) for i in range(1, 4)]
    platform_server.fail_refund_page = 2
    result = await pull_refunds(ctx, oauth_world.shop_id)
    assert result["ok"] is False and result["orders"] == 2
    log = _logs(engine, oauth_world.shop_id)[-1]
    assert (log.kind, log.status) == ("refunds", "failed") and log.error
    assert _cursor(engine, oauth_world.shop_id) == (None, None)
    platform_server.fail_refund_page = 0
    assert (await pull_refunds(ctx, oauth_world.shop_id))["ok"]  # the next run reads the window again
    assert sorted(_after_sales(engine)) == ["R1", "R2", "R3"]
    assert _cursor(engine, oauth_world.shop_id)[0] is not None


async def test_the_shop_pull_list_shows_refund_pulls(ctx, engine, oauth_world, orders, platform_server):  # noqa: F811
    await pull_refunds(ctx, oauth_world.shop_id)
    with Session(engine) as session:
        shown = pull_service.recent_pulls(session, actor=oauth_world.admin)
    assert [(v.kind, v.status, v.orders) for v in shown[oauth_world.shop_id]] == [("refunds", "ok", 0)]


async def test_the_cron_queues_due_shops(ctx, engine, oauth_world, platform_server):  # noqa: F811
    assert await schedule_refund_pulls(ctx) == {"queued": 1}
    await pull_refunds(ctx, oauth_world.shop_id)
    with Session(engine) as session:
        assert refund_pulls.due_refund_pulls(session) == []  # ran within its interval


async def test_a_refund_before_its_order_holds_the_cursor_until_the_order_comes(
    ctx,
    engine,
    oauth_world,
    orders,
    platform_server,  # noqa: F811
):
    platform_server.refunds = [_refund("R1", "T1", "applied", 30), _refund("R9", "T9", "applied", 20)]
    await pull_refunds(ctx, oauth_world.shop_id)
    assert sorted(_after_sales(engine)) == ["R1"]  # T9 is not in the OMS yet
    held = _cursor(engine, oauth_world.shop_id)[0]
    assert held < utcnow() - timedelta(minutes=19)
    with Session(engine) as session:  # the order arrives (sweep or stream)
        platform_order(session, shop_id=oauth_world.shop_id, store_id=oauth_world.store_id, no="T9", platform=CODE,
                       status="shipped")  # fmt: skip
        session.commit()
    await pull_refunds(ctx, oauth_world.shop_id)
    assert sorted(_after_sales(engine)) == ["R1", "R9"]
    assert _cursor(engine, oauth_world.shop_id)[0] > utcnow() - timedelta(minutes=1)
