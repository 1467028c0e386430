"""Worker tasks against the test platform over HTTP, with real Redis: the token refresh cron and
the message-stream consumer (store, commit, THEN confirm; a crash in between stores once; one
consumer per shop)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from qihang_app.models import AuditEntry, InboxMessage, Shop, utcnow
from qihang_app.services import shop_oauth
from qihang_app.services import stores as store_service
from tests.ingest_support import drain_all
from tests.oauth_support import CODE, platform_server, test_platform  # noqa: F401  (fixtures)
from tests.workers.oauth_world import oauth_world  # noqa: F401  (fixture)
from workers.tasks.streams import schedule_streams, stream_shop
from workers.tasks.tokens import refresh_tokens

pytestmark = pytest.mark.timeout(60)


def _authorized(engine, world, *, expires_in: timedelta, refresh: str = "refresh-0") -> None:
    now = utcnow()
    with Session(engine) as session:
        shop_oauth.save_grant(
            session, actor=world.admin, shop_id=world.shop_id,
            credentials={"access_token": "access-0", "refresh_token": refresh,
                         "refresh_token_expires": (now + timedelta(days=30)).timestamp()},
            expires_at=now + expires_in, refresh_expires_at=now + timedelta(days=30),
        )  # fmt: skip
        session.commit()


def _shop(engine, shop_id) -> tuple[Shop, dict]:
    with Session(engine) as session:
        return session.get(Shop, shop_id), store_service.get_shop_credentials(session, shop_id=shop_id)


# -- tokens -----------------------------------------------------------------------------------


async def test_a_token_near_expiry_is_refreshed_and_saved(ctx, engine, oauth_world):
    _authorized(engine, oauth_world, expires_in=timedelta(minutes=10))
    assert await refresh_tokens(ctx) == {"refreshed": 1, "refused": 0, "failed": 0, "skipped": 0}
    shop, keys = _shop(engine, oauth_world.shop_id)
    assert keys["access_token"] == "access-1" and keys["refresh_token"] == "refresh-1"
    assert shop.token_expires_at > utcnow() + timedelta(minutes=50)
    with Session(engine) as session:
        last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.actor == "system" and "access-1" not in last.after
    assert await refresh_tokens(ctx) == {"refreshed": 0, "refused": 0, "failed": 0, "skipped": 0}  # fresh now


async def test_a_token_far_from_expiry_is_left_alone(ctx, engine, oauth_world, platform_server):  # noqa: F811
    _authorized(engine, oauth_world, expires_in=timedelta(days=2))
    assert (await refresh_tokens(ctx))["refreshed"] == 0 and platform_server.issued == 0


async def test_a_refused_refresh_marks_the_shop_for_reauthorization(ctx, engine, oauth_world, platform_server):  # noqa: F811
    platform_server.refuse_refresh = True
    _authorized(engine, oauth_world, expires_in=timedelta(minutes=5))
    assert (await refresh_tokens(ctx))["refused"] == 1
    shop, keys = _shop(engine, oauth_world.shop_id)
    assert shop.reauth_reason == "oauth.err.refresh_refused" and keys["access_token"] == "access-0"
    assert (await refresh_tokens(ctx))["refused"] == 0  # not asked again until someone authorizes


# -- message stream ---------------------------------------------------------------------------


def _messages(n: int, prefix: str = "m") -> list[dict]:
    return [{"id": f"{prefix}{i}", "body": f'{{"tid": "{prefix}{i}"}}'} for i in range(1, n + 1)]


def _inbox(engine) -> list[InboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(InboxMessage).where(InboxMessage.source == CODE).order_by(InboxMessage.id)))


async def test_each_batch_is_stored_before_it_is_confirmed(ctx, engine, oauth_world, platform_server, test_platform):  # noqa: F811
    platform_server.pending = _messages(5)
    stream, seen_at_confirm = test_platform.stream, []
    original = stream.confirm

    async def confirm(client, shop, ids):
        seen_at_confirm.append((list(ids), {r.dedup_key for r in _inbox(engine)}))
        await original(client, shop, ids)

    stream.confirm = confirm
    stats = await stream_shop(ctx, oauth_world.shop_id, seconds=10)
    assert stats["stored"] == 5 and stats["batches"] == 2
    for ids, stored in seen_at_confirm:
        assert set(ids) <= stored  # committed before the platform heard "confirmed"
    assert sorted(platform_server.confirmed) == sorted(m["id"] for m in platform_server.pending)
    rows = _inbox(engine)
    assert [r.dedup_key for r in rows] == ["m1", "m2", "m3", "m4", "m5"]
    assert {r.status for r in rows} == {"received"} and {r.shop_id for r in rows} == {oauth_world.shop_id}
    assert await drain_all(ctx) == 5  # the ingest worker takes them through parse_push
    assert {r.status for r in _inbox(engine)} == {"processed"}


async def test_a_crash_before_confirm_redelivers_and_stores_once(
    ctx, engine, oauth_world, platform_server, test_platform
):  # noqa: F811
    platform_server.pending = _messages(4)
    test_platform.stream.crash_before_confirm = True
    first = await stream_shop(ctx, oauth_world.shop_id, seconds=10)
    assert first["batches"] == 0 and "ended" in first and platform_server.confirmed == []
    assert len(_inbox(engine)) == 3  # the first batch was stored, then the connection dropped
    test_platform.stream.crash_before_confirm = False
    second = await stream_shop(ctx, oauth_world.shop_id, seconds=10)  # the next run reconnects
    assert second["messages"] == 4 and second["stored"] == 1
    assert sorted(r.dedup_key for r in _inbox(engine)) == ["m1", "m2", "m3", "m4"]
    assert sorted(platform_server.confirmed) == ["m1", "m2", "m3", "m4"]


async def test_one_consumer_per_shop_across_workers(ctx, engine, oauth_world, platform_server):  # noqa: F811
    platform_server.pending = _messages(9)
    results = await asyncio.gather(*(stream_shop(ctx, oauth_world.shop_id, seconds=10) for _ in range(2)))
    assert sorted("skipped" in r for r in results) == [False, True]
    assert len(_inbox(engine)) == 9


async def test_messages_for_an_unknown_shop_are_kept_rejected(ctx, engine, oauth_world, platform_server):  # noqa: F811
    platform_server.pending = [{"id": "x1", "body": "{}", "shop": "stranger"}, *_messages(1)]
    await stream_shop(ctx, oauth_world.shop_id, seconds=10)
    rows = {r.dedup_key: r for r in _inbox(engine)}
    assert rows["x1"].status == "rejected" and rows["x1"].shop_id is None and rows["m1"].status == "received"
    assert "x1" in platform_server.confirmed


async def test_the_cron_queues_a_session_per_streaming_shop(ctx, oauth_world, engine):
    assert await schedule_streams(ctx) == {"queued": 1}
    with Session(engine) as session:  # a shop waiting for 授权 is not consumed
        shop_oauth.mark_reauth(session, shop_id=oauth_world.shop_id, reason="oauth.err.refresh_refused")
        session.commit()
    await ctx["redis"].flushdb()
    assert await schedule_streams(ctx) == {"queued": 0}
