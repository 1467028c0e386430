"""Worker ingest against the sandbox over loopback: pushes → inbox → tasks → order center.

Tasks are called directly with a context (real database, real Redis database of its own)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlmodel import Session, select

from qihang_app.models import ErpSku, InboxMessage, OrderEvent, OrderLine, ShopSku
from qihang_app.services import inbox_problems
from qihang_app.services import stores as store_service
from tests.ingest_support import drain_all
from workers.tasks.ingest import drain_inbox, ingest_inbox

pytestmark = pytest.mark.timeout(60)


async def test_pushes_become_orders_idempotently(oms, ctx):
    mt, dy = oms.add_shop("meituan"), oms.add_shop("douyin_laike")
    oms.sandbox.fault("duplicate_push", count=4)
    for pair in (mt, dy, mt, dy):
        oms.new_order(pair)
    oms.sandbox.wait_pushes()
    assert len(oms.inbox()) == 8  # every push twice
    await drain_all(ctx)
    assert oms.mismatches() == []
    orders = oms.orders()
    assert len(orders) == 4
    with Session(oms.engine) as session:
        created = session.exec(select(OrderEvent).where(OrderEvent.kind == "created")).all()
        assert len(created) == 4
    # running a finished job again changes nothing
    ids = [r.id for r in oms.inbox(kind="order_paid")]
    assert (await ingest_inbox(ctx, ids))["processed"] == 0
    assert [o.updated_at for o in oms.orders()] == [o.updated_at for o in orders]


async def test_out_of_order_pushes_never_move_an_order_backwards(oms, ctx):
    mt = oms.add_shop("meituan")
    placed = oms.new_order(mt)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    client_order = placed["order_id"]
    # the confirm push is held back and overtaken by the cancel push
    oms.sandbox.fault("reorder_push", shop_id=mt.platform_shop_id, count=1)
    from integrations.meituan.client import MeituanClient
    from tests.ingest_support import FAST_RETRY

    client = MeituanClient(
        mt.sandbox["app_id"], mt.sandbox["secret"], base_url=oms.sandbox.url + "/meituan/api/v1/", retry=FAST_RETRY
    )
    await client.confirm_order(client_order)
    oms.sandbox.control.post(f"/orders/meituan/{client_order}/cancel", json={"by": "user"})
    oms.sandbox.wait_pushes()
    kinds = [r.kind for r in oms.inbox()]
    assert kinds == ["order_paid", "order_cancel", "order_confirmed"]
    await drain_all(ctx)
    [order] = oms.orders()
    assert order.status == "cancelled" and oms.mismatches() == []


async def test_thin_douyin_pushes_fetch_the_detail_and_store_it_raw(oms, ctx):
    dy = oms.add_shop("douyin_laike")
    oms.new_order(dy)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    [order] = oms.orders()
    assert order.receiver_address and order.day_seq
    rows = oms.inbox()
    assert [(r.kind, r.status) for r in rows] == [("life_trade_order_notify", "processed"), ("detail", "processed")]
    assert json.loads(rows[1].body)["order_id"] == order.platform_order_id


async def test_lines_are_auto_linked_to_erp_skus(oms, ctx):
    mt = oms.add_shop("meituan")
    catalog = oms.sandbox.control.get(f"/shops/meituan/{mt.platform_shop_id}/catalog").json()
    first, second, third = catalog[:3]
    with Session(oms.engine) as session:
        linked = ErpSku(code="ERP-LINKED", name="x")
        by_barcode = ErpSku(code="ERP-BAR", name="y", barcode=second["barcode"])
        session.add_all([linked, by_barcode])
        session.flush()
        session.add(ShopSku(shop_id=mt.shop_id, platform_sku_id=first["sku_id"], erp_sku_id=linked.id))
        session.commit()
        linked_id, barcode_id = linked.id, by_barcode.id
    oms.new_order(mt, items=[{"sku_id": p["sku_id"], "quantity": 1} for p in (first, second, third)])
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    [order] = oms.orders()
    with Session(oms.engine) as session:
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    assert [(l.erp_sku_id, l.link_method) for l in lines] == [
        (linked_id, "shop_link"),
        (barcode_id, "barcode"),
        (None, None),
    ]


async def test_a_payload_that_fails_to_parse_is_kept_and_replayed_after_the_fix(oms, ctx, monkeypatch):
    from integrations.meituan import mapping

    mt = oms.add_shop("meituan")
    oms.new_order(mt)
    oms.sandbox.wait_pushes()
    original = mapping.order_from_push

    def broken(data):
        raise ValueError("mapping bug: unexpected field")

    monkeypatch.setattr(mapping, "order_from_push", broken)
    await drain_all(ctx)
    [row] = oms.inbox()
    assert row.status == "failed" and "mapping bug" in row.error and oms.orders() == []

    monkeypatch.setattr(mapping, "order_from_push", original)  # the fix is deployed
    with Session(oms.engine) as session:
        page = inbox_problems.list_problems(session, actor=oms.admin)
        assert [p.id for p in page.rows] == [row.id] and page.counts == {"failed": 1}
        assert inbox_problems.replay_inbox(session, actor=oms.admin, all=True) == 1
        session.commit()
    await drain_all(ctx)
    assert oms.inbox()[0].status == "processed" and oms.mismatches() == []


async def test_rejected_pushes_are_verified_again_when_replayed(oms, ctx):
    mt = oms.add_shop("meituan", secret="a-wrong-secret-typed-in-the-oms")
    oms.new_order(mt)
    oms.sandbox.wait_pushes(30)
    rejected = oms.inbox(status="rejected")
    assert rejected and all(r.error == "sig mismatch" for r in rejected)  # platform retried
    await drain_all(ctx)
    assert oms.orders() == []  # never processed
    with Session(oms.engine) as session:
        inbox_problems.replay_inbox(session, actor=oms.admin, inbox_ids=[rejected[0].id])
        session.commit()
    await drain_all(ctx)
    assert oms.inbox()[0].status == "rejected"  # still the wrong secret
    with Session(oms.engine) as session:  # the merchant fixes the secret
        store_service.update_shop(
            session,
            actor=oms.admin,
            shop_id=mt.shop_id,
            credentials={
                "app_key": mt.sandbox["app_id"],
                "app_secret": mt.sandbox["secret"],
                "base_url": oms.sandbox.url + "/meituan/api/v1/",
            },
        )
        inbox_problems.replay_inbox(session, actor=oms.admin, all=True)
        session.commit()
    await drain_all(ctx)
    assert {r.status for r in oms.inbox()} == {"processed"}
    assert oms.mismatches() == []


async def test_drain_recovers_rows_whose_job_was_lost(oms, ctx, arq_redis, monkeypatch):
    from datetime import timedelta

    import workers.tasks.ingest as ingest_task

    monkeypatch.setattr(ingest_task, "DRAIN_AGE", timedelta(seconds=0.5))
    mt = oms.add_shop("meituan")
    for _ in range(3):
        oms.new_order(mt)
    oms.sandbox.wait_pushes()
    await arq_redis.flushdb()  # Redis lost every job
    await asyncio.sleep(0.6)  # the drain only takes rows older than DRAIN_AGE (0.5 s here)
    result = await drain_inbox(ctx)
    assert result["processed"] == 3 and oms.mismatches() == []
    assert (await drain_inbox(ctx))["processed"] == 0


async def test_changes_are_published_live_after_commit(oms, ctx, arq_redis):
    mt = oms.add_shop("meituan")
    pubsub = arq_redis.pubsub()
    await pubsub.subscribe(f"orders:store:{mt.store_id}")
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    oms.new_order(mt)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    [order] = oms.orders()
    expected = {"order_id": order.id, "store_id": mt.store_id, "status": "awaiting_accept", "kind": "new"}
    # Redis pub/sub ignores db numbers: another checkout's board may publish on the same channel.
    seen = []
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message:
            seen.append(json.loads(message["data"]))
            if seen[-1] == expected:
                break
    await pubsub.aclose()
    assert expected in seen, seen


async def test_detail_fetch_failure_keeps_the_push_waiting(oms, ctx):
    dy = oms.add_shop("douyin_laike")
    oms.sandbox.fault("5xx", platform="douyin_laike", path_contains="order/query", count=20)
    oms.new_order(dy)
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    [row] = oms.inbox()
    assert row.status == "received" and row.attempts == 1 and "unavailable" in row.error
    oms.sandbox.control.delete("/faults")
    await drain_all(ctx)
    assert oms.inbox()[0].status == "processed" and oms.mismatches() == []
    with Session(oms.engine) as session:
        assert session.exec(select(InboxMessage).where(InboxMessage.kind == "detail")).one()
