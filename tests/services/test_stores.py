"""Store and shop management."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qihang_app.models import UserStoreGrant
from qihang_app.services import stores
from qihang_app.services.errors import ConflictError, ValidationError


def test_manager_creating_a_store_is_granted_it(session, world):
    store = stores.create_store(session, actor=world.manager_a, name="C店", lat=31.23, lng=121.47, phone="021-1234")
    grant = session.exec(select(UserStoreGrant).where(UserStoreGrant.store_id == store.id)).one()
    assert grant.user_id == world.manager_a.user_id
    updated = stores.update_store(
        session, actor=world.admin, store_id=store.id, opening_hours="08:00-12:00,13:00-24:00"
    )
    assert updated.opening_hours == "08:00-12:00,13:00-24:00"
    stores.delete_store(session, actor=world.admin, store_id=store.id)
    session.commit()
    assert not session.exec(select(UserStoreGrant).where(UserStoreGrant.store_id == store.id)).all()


@pytest.mark.parametrize(
    "fields",
    [{"name": " "}, {"opening_hours": "9点到10点"}, {"lat": 91.0}, {"lng": -181.0}, {"owner": "x"}],
)
def test_store_validation(session, world, fields):
    with pytest.raises(ValidationError):
        stores.update_store(session, actor=world.admin, store_id=world.store_a, **fields)


def test_stores_and_shops_in_use_cannot_be_deleted(session, world):
    with pytest.raises(ConflictError):
        stores.delete_store(session, actor=world.admin, store_id=world.store_a)
    with pytest.raises(ConflictError):
        stores.delete_shop(session, actor=world.admin, shop_id=world.shop_a)


def test_shop_lifecycle(session, world):
    shop = stores.create_shop(
        session, actor=world.manager_a, store_id=world.store_a, platform="meituan",
        platform_shop_id="mt-a-2", name="美团A二店", auto_accept=True,
        auto_accept_start="09:00", auto_accept_end="21:30", auto_accept_max_per_hour=60,
    )  # fmt: skip
    assert shop.has_credentials is False and shop.auto_accept_max_per_hour == 60
    with pytest.raises(ConflictError):
        stores.create_shop(session, actor=world.admin, store_id=world.store_b,
                           platform="meituan", platform_shop_id="mt-a-2", name="dup")  # fmt: skip
    with pytest.raises(ValidationError):
        stores.create_shop(session, actor=world.admin, store_id=world.store_b,
                           platform="ebay", platform_shop_id="1", name="x")  # fmt: skip
    with pytest.raises(ValidationError):
        stores.update_shop(session, actor=world.admin, shop_id=shop.id, auto_accept_end="25:00")
    with pytest.raises(ValidationError):
        stores.update_shop(session, actor=world.admin, shop_id=shop.id, store_id=world.store_b)

    view = stores.update_shop(session, actor=world.manager_a, shop_id=shop.id, enabled=False,
                              credentials={"app_secret": "s"})  # fmt: skip
    assert (view.enabled, view.has_credentials) == (False, True)
    stores.delete_shop(session, actor=world.manager_a, shop_id=shop.id)
    session.commit()
    assert shop.id not in [s.id for s in stores.list_shops(session, actor=world.admin)]
