"""A store with one shop of the test platform (tests.oauth_support), for the worker tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from qihang_app.services import auth
from qihang_app.services import stores as store_service
from qihang_app.services.scope import Actor
from tests.oauth_support import CODE, shop_credentials
from tests.services.factories import make_user


@dataclass
class OAuthWorld:
    admin: Actor
    store_id: int
    shop_id: int


@pytest.fixture
def oauth_world(engine, test_platform, platform_server) -> OAuthWorld:
    with Session(engine, expire_on_commit=False) as session:
        admin = auth.actor_for_user(session, make_user(session, "ops", "admin"))
        store = store_service.create_store(session, actor=admin, name="电商仓")
        shop = store_service.create_shop(
            session, actor=admin, store_id=store.id, platform=CODE, platform_shop_id="seller-1", name="测试店",
            credentials=shop_credentials(platform_server),
        )  # fmt: skip
        session.commit()
    return OAuthWorld(admin, store.id, shop.id)
