"""Every form's service refuses bad input with a message key on the right field, and stores
nothing; users can be disabled and deleted, and staff need a store."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from qihang_app.models import AuthSession, Order, Shop, Store, User
from qihang_app.services import auth, orders, stores, users
from qihang_app.services.errors import ConflictError, ValidationError

EMOJI, SCRIPT = "好店😀", "<script>alert(1)</script>"


def _count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


@pytest.mark.parametrize(
    "fields, field, key",
    [
        ({"name": ""}, "name", "stores.err.name_required"),
        ({"name": "店" * 41}, "name", "input.too_long"),
        ({"name": EMOJI}, "name", "input.bad_chars"),
        ({"name": SCRIPT}, "name", "input.bad_chars"),
        ({"address": "路" * 3000}, "address", "input.too_long"),
        ({"phone": "abc-def"}, "phone", "input.bad_phone"),
        ({"opening_hours": "25:00-26:00"}, "opening_hours", "input.bad_hours"),
        ({"lat": "91"}, "lat", "input.bad_lat"),
        ({"lng": "-999999999"}, "lng", "input.bad_lng"),
    ],
)
def test_store_form_refusals(session, world, fields, field, key):
    before = _count(session, Store)
    with pytest.raises(ValidationError) as caught:
        stores.create_store(session, actor=world.admin, **{"name": "新店", **fields})
    assert (caught.value.field, caught.value.key) == (field, key)
    assert _count(session, Store) == before


@pytest.mark.parametrize(
    "fields, field, key",
    [
        ({"name": " "}, "name", "shops.err.name_required"),
        ({"name": "x" * 300}, "name", "input.too_long"),
        ({"name": SCRIPT}, "name", "input.bad_chars"),
        ({"platform_shop_id": ""}, "platform_shop_id", "shops.err.platform_shop_id_required"),
        ({"platform_shop_id": EMOJI}, "platform_shop_id", "input.bad_code"),
        ({"platform_shop_id": "1" * 65}, "platform_shop_id", "input.too_long"),
        ({"auto_accept_start": "9点"}, "auto_accept_start", "input.bad_time"),
        ({"auto_accept_max_per_hour": -1}, "auto_accept_max_per_hour", "input.whole_range"),
        ({"auto_accept_max_per_hour": 999999999}, "auto_accept_max_per_hour", "input.whole_range"),
        ({"credentials": {"app_secret": "has space"}}, "app_secret", "input.bad_secret"),
        ({"credentials": {"app_key": "k" * 129}}, "app_key", "input.too_long"),
    ],
)
def test_shop_form_refusals(session, world, fields, field, key):
    before = _count(session, Shop)
    with pytest.raises(ValidationError) as caught:
        stores.create_shop(
            session,
            actor=world.admin,
            **{
                "store_id": world.store_a,
                "platform": "meituan",
                "platform_shop_id": "mt-new",
                "name": "新店",
                **fields,
            },
        )
    assert (caught.value.field, caught.value.key) == (field, key)
    assert _count(session, Shop) == before


def test_a_shop_saved_twice_unchanged_and_its_typed_keys_merge(session, world):
    """What the edit form sends: the same settings again, then only a new app key."""
    shop = stores.create_shop(
        session,
        actor=world.admin,
        store_id=world.store_a,
        platform="meituan",
        platform_shop_id="mt-twice",
        name="两次店",
        credentials={"app_secret": "old"},
    )
    settings = dict(
        name="两次店",
        enabled=True,
        auto_accept=True,
        auto_accept_start="",
        auto_accept_end="",
        auto_accept_max_per_hour="",
    )
    for _ in range(2):
        view = stores.update_shop(session, actor=world.admin, shop_id=shop.id, **settings)
    assert (view.auto_accept, view.auto_accept_start, view.auto_accept_max_per_hour) == (True, None, None)
    stores.update_shop(session, actor=world.admin, shop_id=shop.id, credential_changes={"app_key": "k1"})
    assert stores.get_shop_credentials(session, shop_id=shop.id) == {"app_secret": "old", "app_key": "k1"}


@pytest.mark.parametrize(
    "fields, field, key",
    [
        ({"username": ""}, "username", "users.err.username_required"),
        ({"username": "u" * 300}, "username", "input.too_long"),
        ({"username": "店员😀"}, "username", "input.bad_username"),
        ({"username": SCRIPT}, "username", "input.bad_username"),
        ({"username": "<b>x</b>"}, "username", "input.bad_username"),
        ({"display_name": "名" * 31}, "display_name", "input.too_long"),
        ({"display_name": SCRIPT[:20]}, "display_name", "input.bad_chars"),
        ({"password": "short"}, "password", "users.err.short_password"),
        ({"password": "p" * 129}, "password", "users.err.long_password"),
        ({"role": "boss"}, "role", "users.err.bad_role"),
        ({"store_ids": []}, "stores", "users.err.store_required"),
        ({"role": "manager", "store_ids": []}, "stores", "users.err.store_required"),
    ],
)
def test_user_form_refusals(session, world, fields, field, key):
    before = _count(session, User)
    with pytest.raises(ValidationError) as caught:
        users.create_user(
            session,
            actor=world.admin,
            **{
                "username": "clerk",
                "password": "long-enough-1",
                "role": "staff",
                "store_ids": [world.store_a],
                **fields,
            },
        )
    assert (caught.value.field, caught.value.key) == (field, key)
    assert _count(session, User) == before


def test_an_admin_needs_no_store_and_a_clerk_cannot_lose_the_last_one(session, world):
    users.create_user(session, actor=world.admin, username="boss2", password="long-enough-1", role="admin")
    with pytest.raises(ValidationError) as caught:
        users.set_store_grants(session, actor=world.admin, user_id=world.staff_a.user_id, store_ids=[])
    assert caught.value.key == "users.err.store_required"


def test_disable_and_delete(session, world):
    clerk = users.create_user(
        session, actor=world.admin, username="temp", password="long-enough-1", store_ids=[world.store_a]
    )
    result = auth.login(session, username="temp", password="long-enough-1")
    assert result.ok
    users.update_user(session, actor=world.admin, user_id=clerk.id, enabled=False)
    assert auth.resolve_session(session, token=result.token) is None  # the open session ended
    assert auth.login(session, username="temp", password="long-enough-1").error == "disabled"
    users.update_user(session, actor=world.admin, user_id=clerk.id, enabled=True)
    assert auth.login(session, username="temp", password="long-enough-1").ok

    users.delete_user(session, actor=world.admin, user_id=clerk.id)
    session.commit()
    assert session.get(User, clerk.id) is None
    assert not session.exec(select(AuthSession).where(AuthSession.user_id == clerk.id)).all()
    assert auth.login(session, username="temp", password="long-enough-1").ok is False


def test_an_admin_cannot_delete_or_disable_themselves_nor_the_last_admin(session, world):
    with pytest.raises(ConflictError) as caught:
        users.delete_user(session, actor=world.admin, user_id=world.admin.user_id)
    assert caught.value.key == "users.err.delete_self"
    with pytest.raises(ConflictError) as caught:
        users.update_user(session, actor=world.admin, user_id=world.admin.user_id, enabled=False)
    assert caught.value.key == "users.err.disable_self"
    # another admin may delete this one while a second enabled admin remains, not the last one
    other = users.create_user(session, actor=world.admin, username="admin2", password="long-enough-1", role="admin")
    users.update_user(session, actor=world.admin, user_id=other.id, enabled=False)
    with pytest.raises(ConflictError) as caught:
        users.delete_user(session, actor=auth.actor_for_user(session, other), user_id=world.admin.user_id)
    assert caught.value.key == "users.err.last_admin"
    users.update_user(session, actor=world.admin, user_id=other.id, enabled=True)
    users.delete_user(session, actor=auth.actor_for_user(session, other), user_id=world.admin.user_id)


LINE = {"name": "香蕉", "quantity": 1, "unit_price_fen": 100}


@pytest.mark.parametrize(
    "fields, field, key",
    [
        (
            {"lines": [{**LINE, "quantity": 999_999_999, "unit_price_fen": 9_999_999_999}]},
            "line0.quantity",
            "input.whole_range",
        ),
        ({"lines": [{**LINE, "unit_price_fen": 9_999_999_999}]}, "line0.unit_price_fen", "input.money_range"),
        ({"lines": [{**LINE, "unit_price_fen": -500}]}, "line0.unit_price_fen", "input.money_range"),
        ({"lines": [LINE, {**LINE, "quantity": 0}]}, "line1.quantity", "input.whole_range"),
        ({"lines": [{**LINE, "name": "名" * 2000}]}, "line0.name", "input.too_long"),
        ({"lines": [{**LINE, "name": SCRIPT}]}, "line0.name", "input.bad_chars"),
        ({"lines": [{**LINE, "name": "🍌"}]}, "line0.name", "input.bad_chars"),
        ({"lines": [{**LINE, "name": ""}]}, "line0.name", "orders.err.line_name_required"),
        ({"lines": [{**LINE, "outer_sku_code": "编码 1"}]}, "line0.outer_sku_code", "input.bad_code"),
        ({"lines": [LINE] * 51}, "lines", "orders.err.too_many_lines"),
        ({"receiver_address": "路" * 3000}, "receiver_address", "input.too_long"),
        ({"receiver_phone": "abc-def"}, "receiver_phone", "input.bad_phone"),
        ({"receiver_name": "x" * 31}, "receiver_name", "input.too_long"),
        ({"buyer_memo": SCRIPT}, "memo", "input.bad_chars"),
        ({"freight_fen": -1}, "freight", "input.money_range"),
        ({"freight_fen": 10**12}, "freight", "input.money_range"),
        ({"discount_fen": 101}, "discount", "orders.err.discount_too_big"),
    ],
)
def test_manual_order_refusals(session, world, fields, field, key):
    with pytest.raises(ValidationError) as caught:
        orders.create_manual_order(
            session,
            actor=world.admin,
            **{
                "store_id": world.store_a,
                "receiver_name": "王",
                "receiver_phone": "13800000001",
                "receiver_address": "上海",
                "lines": [LINE],
                **fields,
            },
        )
    assert (caught.value.field, caught.value.key) == (field, key)
    assert session.exec(select(Order).where(Order.platform == "offline")).first() is None


def test_a_hostile_search_finds_nothing_instead_of_failing(session, world):
    for query in (SCRIPT, "1" * 500, "🍎"):
        assert orders.list_orders(session, actor=world.admin, query=query).total == 0


def test_an_absurd_login_is_refused_without_hashing(session, world):
    for username, password in (("u" * 300, "long-enough-1"), ("staff_a", "p" * 100_000)):
        assert auth.login(session, username=username, password=password).error == "bad_credentials"
