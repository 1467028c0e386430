"""Builders for service tests: two stores, a shop each, users of each role, an order each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from qihang_app.models import Order, OrderLine, User, UserStoreGrant, utcnow
from qihang_app.services import stores
from qihang_app.services.auth import actor_for_user
from qihang_app.services.crypto import hash_password
from qihang_app.services.scope import Actor

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


def make_user(session: Session, username: str, role: str, store_ids=(), password=PASSWORD) -> User:
    password_hash = _PASSWORD_HASH if password == PASSWORD else hash_password(password)
    user = User(username=username, password_hash=password_hash, role=role)
    session.add(user)
    session.flush()
    for store_id in store_ids:
        session.add(UserStoreGrant(user_id=user.id, store_id=store_id))
    session.flush()
    return user


def make_actor(session: Session, username: str, role: str, store_ids=()) -> Actor:
    return actor_for_user(session, make_user(session, username, role, store_ids))


def platform_order(session: Session, *, shop_id: int, store_id: int, no: str, **kw) -> Order:
    values = {
        "platform": "meituan",
        "shop_id": shop_id,
        "store_id": store_id,
        "platform_order_id": no,
        "display_no": no,
        "status": "to_ship",
        "receiver_name": "张三",
        "receiver_phone": "138****5678",
        "paid_fen": 1990,
        "placed_at": utcnow(),
    }
    order = Order(**{**values, **kw})
    session.add(order)
    session.flush()
    session.add(OrderLine(order_id=order.id, line_no=1, name="苹果", quantity=2, paid_fen=1990))
    session.flush()
    return order


@dataclass
class World:
    admin: Actor
    manager_a: Actor
    staff_a: Actor
    store_a: int
    store_b: int
    shop_a: int
    shop_b: int
    order_a: int
    order_b: int


def build_world(session: Session) -> World:
    admin = make_actor(session, "root", "admin")
    store_a = stores.create_store(session, actor=admin, name="A店", opening_hours="09:00-22:00")
    store_b = stores.create_store(session, actor=admin, name="B店")
    shop_a = stores.create_shop(
        session,
        actor=admin,
        store_id=store_a.id,
        platform="meituan",
        platform_shop_id="mt-a",
        name="美团A",
        credentials={"app_secret": "secret-a"},
    )
    shop_b = stores.create_shop(
        session,
        actor=admin,
        store_id=store_b.id,
        platform="meituan",
        platform_shop_id="mt-b",
        name="美团B",
        credentials={"app_secret": "secret-b"},
    )
    order_a = platform_order(session, shop_id=shop_a.id, store_id=store_a.id, no="A0001", day_seq=7)
    order_b = platform_order(
        session,
        shop_id=shop_b.id,
        store_id=store_b.id,
        no="B0001",
        day_seq=7,
        receiver_phone="139****1234",
    )
    world = World(
        admin=admin,
        manager_a=make_actor(session, "mgr_a", "manager", [store_a.id]),
        staff_a=make_actor(session, "staff_a", "staff", [store_a.id]),
        store_a=store_a.id,
        store_b=store_b.id,
        shop_a=shop_a.id,
        shop_b=shop_b.id,
        order_a=order_a.id,
        order_b=order_b.id,
    )
    session.commit()
    return world
