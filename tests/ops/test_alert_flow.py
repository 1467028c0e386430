"""Alert runs end to end: rules → claimed messages → each robot's sandbox receiver (signature
checked there) → a resolve when the problem clears; 测试 sends a sample. Both databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

from qihang_app.models import AlertDelivery, Order, utcnow
from qihang_app.services import alert_channels
from tests.ops.processes import free_port
from tests.ops.robots import add_robot, received, sandbox_url  # noqa: F401  (fixture)
from tests.services.factories import build_world, platform_order
from workers.tasks.alerts import run_alerts, send_test_alert

ROOT = Path(__file__).resolve().parent.parent.parent


async def test_each_robot_hears_the_problem_once_and_then_that_it_cleared(engine, session, sandbox_url):  # noqa: F811
    world = build_world(session)
    robots = {}
    for kind in ("dingtalk", "feishu", "wecom"):
        secret = "" if kind == "wecom" else f"SEC-{kind}-secret"
        token, url = add_robot(sandbox_url, kind, secret)
        robots[kind] = token
        alert_channels.create_channel(
            session, actor=world.admin, name=f"{kind} 群", kind=kind, url=url, secret=secret, store_id=world.store_a
        )
    order = platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no="MT-LATE-1", status="awaiting_accept"
    )
    session.exec(sa.update(Order).where(Order.id == order.id).values(created_at=utcnow() - timedelta(minutes=9)))
    session.commit()

    async with httpx.AsyncClient() as http:
        first = await run_alerts(engine, http, probes={"redis_ok": True})
        second = await run_alerts(engine, http, probes={"redis_ok": True})
        session.exec(sa.update(Order).where(Order.id == order.id).values(status="to_ship"))
        session.commit()
        cleared = await run_alerts(engine, http, probes={"redis_ok": True})

    assert (first["sent"], first["failed"]) == (3, 0)
    assert second["sent"] == 0  # de-duplicated
    assert (cleared["resolved"], cleared["sent"]) == (1, 3)
    for kind, token in robots.items():
        got = received(sandbox_url, kind, token)
        assert got["refused"] == [], kind
        bodies = [str(m["body"]) for m in got["messages"]]
        assert len(bodies) == 2 and all("MT-LATE-1" in b for b in bodies), kind
        assert "已恢复" in bodies[1] and f"/orders?order={order.id}" in bodies[0], kind


async def test_the_test_button_sends_a_sample_and_reports_a_refusal(engine, session, sandbox_url):  # noqa: F811
    world = build_world(session)
    token, url = add_robot(sandbox_url, "feishu", "right-secret")
    good = alert_channels.create_channel(
        session, actor=world.admin, name="飞书群", kind="feishu", url=url, secret="right-secret"
    )
    bad = alert_channels.create_channel(
        session, actor=world.admin, name="密钥错", kind="feishu", url=url, secret="wrong-secret"
    )
    session.commit()
    async with httpx.AsyncClient() as http:
        ctx = {"engine": engine, "http": http}
        ok = await send_test_alert(ctx, good.id)
        refused = await send_test_alert(ctx, bad.id)
        missing = await send_test_alert(ctx, 999_999)
    assert ok == {"ok": True, "key": "alerts.test.sent", "params": {}}
    assert refused["key"] == "alerts.test.failed" and refused["params"]["error"].startswith("19021")
    assert missing["key"] == "alerts.err.not_found"
    messages = received(sandbox_url, "feishu", token)["messages"]
    assert len(messages) == 1 and "飞书群" in str(messages[0]["body"])
    statuses = session.exec(sa.select(AlertDelivery.status).order_by(AlertDelivery.id)).scalars().all()
    assert statuses == ["sent", "failed"]


def test_the_watchdog_announces_redis_and_workers_down_without_any_worker(engine, db_url, session, sandbox_url):  # noqa: F811
    world = build_world(session)
    token, url = add_robot(sandbox_url, "dingtalk", "SEC-watch")
    alert_channels.create_channel(
        session, actor=world.admin, name="运维群", kind="dingtalk", url=url, secret="SEC-watch"
    )
    session.commit()
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    done = subprocess.run(
        [sys.executable, "-m", "scripts.alert_watch"], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["sent"] == 2
    titles = [m["body"]["markdown"]["title"] for m in received(sandbox_url, "dingtalk", token)["messages"]]
    assert sorted(titles) == ["Redis 无法连接", "后台任务已停止（— 秒无心跳）"]
