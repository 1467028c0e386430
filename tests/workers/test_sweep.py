"""The per-shop sweep and manual pulls against the sandbox: dropped pushes are recovered, one
pull per shop at a time, tokens are persisted and reused, failures back off, logs are kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from integrations.douyin_laike.spec import TOKEN_PATH
from integrations.meituan.client import MeituanClient
from qihang_app.models import PullLog, Shop, utcnow
from qihang_app.services import pulls as pull_service
from qihang_app.services.shop_auth import shop_auth
from tests.ingest_support import FAST_RETRY, drain_all
from workers.locks import RedisLock
from workers.tasks.sweep import BACKOFF_KEY, run_pull, schedule_pulls, sweep_shop

pytestmark = pytest.mark.timeout(60)


def _logs(oms, pair=None) -> list[PullLog]:
    with Session(oms.engine) as session:
        query = select(PullLog).order_by(PullLog.id)
        if pair is not None:
            query = query.where(PullLog.shop_id == pair.shop_id)
        return list(session.exec(query).all())


async def test_sweep_recovers_dropped_pushes_on_both_platforms(oms, ctx):
    mt, dy = oms.add_shop("meituan"), oms.add_shop("douyin_laike")
    for pair in (mt, dy):
        oms.sandbox.fault("drop_push", shop_id=pair.platform_shop_id, count=3)
    placed = {pair.platform: [oms.new_order(pair) for _ in range(5)] for pair in (mt, dy)}
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    assert len(oms.orders()) == 4  # 3 + 3 paid pushes never came
    # a cancel push is lost too: only re-reading the order shows it
    victim = placed["meituan"][-1]["order_id"]
    oms.sandbox.fault("drop_push", shop_id=mt.platform_shop_id, count=1)
    oms.sandbox.control.post(f"/orders/meituan/{victim}/cancel", json={"by": "user"})
    oms.sandbox.wait_pushes()
    for pair in (mt, dy):
        result = await sweep_shop(ctx, pair.shop_id)
        assert result["ok"], result
    assert oms.mismatches() == []
    assert len(oms.orders()) == 10
    logs = _logs(oms)
    assert [(log.kind, log.status) for log in logs] == [("sweep", "ok"), ("sweep", "ok")]
    assert all(log.finished_at and log.duration_ms is not None and log.pages >= 1 for log in logs)
    assert logs[1].orders == 5  # Douyin: every order updated in the window
    with Session(oms.engine) as session:
        for pair in (mt, dy):
            assert session.get(Shop, pair.shop_id).last_sweep_cursor_at == next(
                log.window_end for log in logs if log.shop_id == pair.shop_id
            )
    # the next sweep starts 5 minutes before the cursor, and finds nothing new
    assert (await sweep_shop(ctx, dy.shop_id))["changed"] == 0
    later = _logs(oms, dy)[-1]
    assert later.window_start == logs[1].window_end - pull_service.OVERLAP


async def test_one_pull_per_shop_at_a_time(oms, ctx):
    dy = oms.add_shop("douyin_laike")
    oms.new_order(dy)
    oms.sandbox.wait_pushes()
    oms.sandbox.fault("slow", platform="douyin_laike", path_contains="order/query", delay_ms=400, count=5)
    first, second = await asyncio.gather(sweep_shop(ctx, dy.shop_id), sweep_shop(ctx, dy.shop_id))
    outcomes = sorted([first.get("skipped", "ran"), second.get("skipped", "ran")])
    assert outcomes[0] == "another pull of this shop is running" and outcomes[1] == "ran"
    assert len(_logs(oms, dy)) == 1
    # a lock held elsewhere (another worker) also keeps this one out, until it is released
    other = RedisLock(ctx["redis"], f"pull:{dy.shop_id}", 5_000)
    assert await other.acquire()
    assert "skipped" in await sweep_shop(ctx, dy.shop_id)
    await other.release()
    assert (await sweep_shop(ctx, dy.shop_id))["ok"]


async def test_douyin_token_is_persisted_and_reused_by_the_next_worker(oms, ctx):
    dy = oms.add_shop("douyin_laike")

    def token_calls() -> int:
        log = oms.sandbox.control.get("/requests", params={"path": TOKEN_PATH, "limit": 100000}).json()
        return len(log)

    before = token_calls()
    assert (await sweep_shop(ctx, dy.shop_id))["ok"]
    assert token_calls() == before + 1
    with Session(oms.engine) as session:
        auth = shop_auth(session, shop_id=dy.shop_id)
        shop = session.get(Shop, dy.shop_id)
        assert auth.credentials["access_token"].startswith("clt.")
        assert shop.token_expires_at > utcnow() + timedelta(minutes=100)
    ctx.pop("clients")  # a new worker process: no client in memory
    assert (await sweep_shop(ctx, dy.shop_id))["ok"]
    assert token_calls() == before + 1  # the stored token was reused


async def test_rate_limited_sweep_fails_and_backs_off(oms, ctx, arq_redis):
    mt = oms.add_shop("meituan")
    oms.sandbox.fault("rate_limit", platform="meituan", shop_id=mt.platform_shop_id, count=50)
    ctx["retry_policy"] = FAST_RETRY
    result = await sweep_shop(ctx, mt.shop_id)
    assert not result["ok"] and "711" in result["error"]
    [log] = _logs(oms, mt)
    assert log.status == "failed" and "711" in log.error
    assert await arq_redis.exists(BACKOFF_KEY.format(shop_id=mt.shop_id))
    with Session(oms.engine) as session:
        assert session.get(Shop, mt.shop_id).last_sweep_cursor_at is None  # cursor unmoved
        due = pull_service.due_sweeps(session, now=utcnow() + timedelta(hours=1))
    assert mt.shop_id in [shop_id for shop_id, _ in due]
    assert (await schedule_pulls(ctx))["sweeps"] == 0  # backing off


async def test_schedule_enqueues_due_sweeps_once_and_manual_pulls(oms, ctx, arq_redis):
    dy = oms.add_shop("douyin_laike")
    oms.add_shop("meituan", enabled=False)
    assert (await schedule_pulls(ctx)) == {"sweeps": 1, "pulls": 0}
    assert (await schedule_pulls(ctx)) == {"sweeps": 0, "pulls": 0}  # same slot
    await sweep_shop(ctx, dy.shop_id)
    assert (await schedule_pulls(ctx))["sweeps"] == 0  # not due again for 300 s

    orders = [oms.new_order(dy) for _ in range(3)]
    oms.sandbox.wait_pushes()
    with Session(oms.engine) as session:
        view = pull_service.request_pull(
            session, actor=oms.admin, shop_id=dy.shop_id, start=utcnow() - timedelta(hours=1), end=utcnow()
        )
        session.commit()
    assert (await schedule_pulls(ctx))["pulls"] == 1
    assert await arq_redis.keys("arq:job:pull:*")
    result = await run_pull(ctx, view.id)
    assert result["ok"] and result["orders"] >= 3
    with Session(oms.engine) as session:
        done = pull_service.get_pull(session, actor=oms.admin, pull_id=view.id)
        recent = pull_service.recent_pulls(session, actor=oms.admin)
    assert (done.status, done.kind, done.orders) == ("ok", "manual", result["orders"])
    assert [p.kind for p in recent[dy.shop_id]] == ["manual", "sweep"]
    assert {o.platform_order_id for o in oms.orders(dy)} >= {o["order_id"] for o in orders}
    assert (await run_pull(ctx, view.id))["skipped"] == "already taken"


async def test_meituan_manual_pull_rereads_every_order_of_the_days(oms, ctx):
    mt = oms.add_shop("meituan")
    for _ in range(3):
        oms.new_order(mt)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    with Session(oms.engine) as session:
        view = pull_service.request_pull(
            session, actor=oms.admin, shop_id=mt.shop_id, start=utcnow() - timedelta(minutes=10), end=utcnow()
        )
        session.commit()
    result = await run_pull(ctx, view.id)
    assert result["ok"] and result["orders"] == 3 and result["changed"] == 0
    # the sweep, by contrast, only fetches the numbers it does not know (none here)
    sweep = await sweep_shop(ctx, mt.shop_id)
    assert sweep["ok"] and sweep["orders"] == 3  # the open orders' details, re-read
    assert oms.mismatches() == []


async def test_meituan_client_day_seq_matches_sandbox(oms):
    """The sweep relies on getOrderDaySeq/getOrderIdByDaySeq answering as the adapter expects."""
    mt = oms.add_shop("meituan")
    placed = [oms.new_order(mt, push=False) for _ in range(2)]
    client = MeituanClient(
        mt.sandbox["app_id"], mt.sandbox["secret"], base_url=oms.sandbox.url + "/meituan/api/v1/", retry=FAST_RETRY
    )
    assert await client.get_order_day_seq(mt.platform_shop_id) == 2
    day = placed[1]["day"]
    assert await client.get_order_id_by_day_seq(mt.platform_shop_id, day, 2) == placed[1]["order_id"]
