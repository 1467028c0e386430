"""A user of store A gets nothing of store B from any service function."""

from __future__ import annotations

import pytest

from qihang_app.services import orders, stores, users
from qihang_app.services.errors import NotFoundError
from qihang_app.services.scope import ScopeError, require_permission, visible_store_ids


@pytest.fixture(params=["staff_a", "manager_a"])
def actor_a(request, world):
    return getattr(world, request.param)


def test_lists_show_only_granted_stores(session, world, actor_a):
    assert [s.id for s in stores.list_stores(session, actor=actor_a)] == [world.store_a]
    assert [s.id for s in stores.list_shops(session, actor=actor_a)] == [world.shop_a]
    assert visible_store_ids(session, actor_a) == {world.store_a}
    assert visible_store_ids(session, world.admin) == {world.store_a, world.store_b}

    page = orders.list_orders(session, actor=actor_a)
    assert ([r.id for r in page.rows], page.total) == ([world.order_a], 1)
    assert orders.list_orders(session, actor=actor_a, shop_id=world.shop_b).total == 0
    assert orders.list_orders(session, actor=actor_a, query="B0001").total == 0
    assert orders.list_orders(session, actor=actor_a, query="1234").total == 0  # B's phone tail
    assert orders.list_orders(session, actor=actor_a, query="#7").total == 1


def test_store_b_is_refused_everywhere(session, world, actor_a):
    b, shop_b = world.store_b, world.shop_b
    calls = [
        lambda: stores.list_shops(session, actor=actor_a, store_id=b),
        lambda: stores.update_store(session, actor=actor_a, store_id=b, name="x"),
        lambda: stores.delete_store(session, actor=actor_a, store_id=b),
        lambda: stores.create_shop(
            session, actor=actor_a, store_id=b, platform="meituan", platform_shop_id="new", name="x"
        ),  # fmt: skip
        lambda: stores.update_shop(session, actor=actor_a, shop_id=shop_b, name="x"),
        lambda: stores.update_shop(session, actor=actor_a, shop_id=shop_b, credentials={}),
        lambda: stores.delete_shop(session, actor=actor_a, shop_id=shop_b),
        lambda: stores.update_shop(session, actor=actor_a, shop_id=99999, name="x"),
        lambda: orders.list_orders(session, actor=actor_a, store_id=b),
        lambda: orders.get_order_detail(session, actor=actor_a, order_id=world.order_b),
        lambda: orders.get_order_detail(session, actor=actor_a, order_id=99999),
        lambda: orders.create_manual_order(
            session,
            actor=actor_a,
            store_id=b,
            receiver_name="a",
            receiver_phone="13800000001",
            receiver_address="x",
            lines=[{"name": "x", "quantity": 1, "unit_price_fen": 1}],
        ),  # fmt: skip
    ]
    for call in calls:
        with pytest.raises(ScopeError):
            call()
    assert stores.list_stores(session, actor=world.admin)[1].name == "B店"  # nothing changed


def test_staff_cannot_manage_and_non_admins_cannot_administer_users(session, world, actor_a):
    if actor_a.role == "staff":
        for call in (
            lambda: stores.create_store(session, actor=actor_a, name="x"),
            lambda: stores.update_store(session, actor=actor_a, store_id=world.store_a, name="x"),
            lambda: stores.update_shop(session, actor=actor_a, shop_id=world.shop_a, name="x"),
        ):
            with pytest.raises(ScopeError):
                call()
    for call in (
        lambda: users.list_users(session, actor=actor_a),
        lambda: users.create_user(session, actor=actor_a, username="x", password="12345678"),
        lambda: users.update_user(session, actor=actor_a, user_id=actor_a.user_id, role="admin"),
        lambda: users.set_password(session, actor=actor_a, user_id=1, password="12345678"),
        lambda: users.set_store_grants(
            session, actor=actor_a, user_id=actor_a.user_id, store_ids=[world.store_b]
        ),  # fmt: skip
        lambda: users.unlock_user(session, actor=actor_a, user_id=1),
    ):
        with pytest.raises(ScopeError):
            call()


def test_store_a_works_for_its_users(session, world, actor_a):
    detail = orders.get_order_detail(session, actor=actor_a, order_id=world.order_a)
    assert detail.order.id == world.order_a
    assert stores.list_shops(session, actor=actor_a, store_id=world.store_a)[0].id == world.shop_a


def test_admin_sees_not_found_for_missing_rows(session, world):
    with pytest.raises(NotFoundError):
        orders.get_order_detail(session, actor=world.admin, order_id=99999)
    with pytest.raises(NotFoundError):
        stores.update_shop(session, actor=world.admin, shop_id=99999, name="x")


def test_scope_error_message_is_bilingual(world):
    with pytest.raises(ScopeError) as caught:
        require_permission(world.staff_a, "users.manage")
    assert "无权" in str(caught.value) and "may not" in str(caught.value)
    assert isinstance(caught.value, PermissionError)
