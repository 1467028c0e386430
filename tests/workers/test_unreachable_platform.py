"""A platform that refuses the connection: staff read a plain sentence in the pull log and the
测试连接 answer; the technical text stays in the worker log."""

from __future__ import annotations

import logging
import socket

import pytest
from sqlmodel import Session, select

from integrations.errors import NETWORK
from qihang_app.models import PullLog
from qihang_app.services import stores as store_service
from tests.services.factories import make_actor
from workers.tasks.connection import test_shop_connection as connection_test
from workers.tasks.sweep import sweep_shop

pytestmark = pytest.mark.timeout(60)

PLATFORMS = ["meituan", "douyin_laike"]


def closed_loopback_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable_shop(engine, platform: str) -> int:
    with Session(engine) as session:
        admin = make_actor(session, "root", "admin")
        store = store_service.create_store(session, actor=admin, name="测试门店")
        shop = store_service.create_shop(
            session,
            actor=admin,
            store_id=store.id,
            platform=platform,
            platform_shop_id="refused-1",
            name="连不上的店",
            credentials={
                "app_key": "key",
                "app_secret": "secret",
                "base_url": f"http://127.0.0.1:{closed_loopback_port()}/",
            },
        )
        session.commit()
        return shop.id


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_refused_connection_reads_as_plain_words_in_the_pull_log(ctx, engine, platform, caplog):
    shop_id = unreachable_shop(engine, platform)
    with caplog.at_level(logging.WARNING, logger="workers.sweep"):
        result = await sweep_shop(ctx, shop_id)
    assert not result["ok"] and result["error"] == NETWORK
    with Session(engine) as session:
        [log] = session.exec(select(PullLog).where(PullLog.shop_id == shop_id)).all()
    assert (log.status, log.error) == ("failed", NETWORK)
    assert "ConnectError" in result["technical"] and "ConnectError" in caplog.text


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_refused_connection_reads_as_plain_words_in_the_connection_answer(ctx, engine, platform, caplog):
    shop_id = unreachable_shop(engine, platform)
    with caplog.at_level(logging.WARNING, logger="workers.connection"):
        answer = await connection_test(ctx, shop_id)
    assert answer["ok"] is False and answer["message"] == NETWORK
    assert "ConnectError" in answer["technical"] and "ConnectError" in caplog.text
