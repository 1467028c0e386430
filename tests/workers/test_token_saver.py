"""A token a client refreshed on its own is saved with the refresh token the platform rotated
(and its expiry), so the next run does not hold a spent refresh token."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlmodel import Session

from integrations.base import Token
from qihang_app.models import Shop
from qihang_app.services import stores as store_service
from tests.ingest_support import arq_redis, ctx, redis_url  # noqa: F401  (fixtures)
from tests.services.factories import make_actor
from workers.tasks.ingest import save_token


async def test_a_rotated_refresh_token_is_kept(engine, ctx):
    with Session(engine) as session:
        admin = make_actor(session, "root", "admin")
        store = store_service.create_store(session, actor=admin, name="电商仓")
        shop = store_service.create_shop(
            session, actor=admin, store_id=store.id, platform="pdd", platform_shop_id="m-1", name="拼店",
            credentials={"client_id": "c", "client_secret": "s", "refresh_token": "old"},
        )  # fmt: skip
        session.commit()
    expires, refresh_expires = time.time() + 3600, time.time() + 30 * 86400

    await save_token(ctx, shop.id, Token("access-1", expires))  # no rotation: the old one stays
    with Session(engine) as session:
        assert store_service.get_shop_credentials(session, shop_id=shop.id)["refresh_token"] == "old"

    await save_token(ctx, shop.id, Token("access-2", expires, "new", refresh_expires))
    with Session(engine) as session:
        keys = store_service.get_shop_credentials(session, shop_id=shop.id)
        row = session.get(Shop, shop.id)
        assert (keys["access_token"], keys["refresh_token"]) == ("access-2", "new")
        assert row.refresh_expires_at is not None
        assert (
            abs(row.refresh_expires_at.replace(tzinfo=UTC) - datetime.fromtimestamp(refresh_expires, UTC)).seconds < 2
        )
