"""Roles the merchant defines: presets seeded by the migration, create / edit / delete, a role in
use or a preset refused, and the permissions of a role are what services check."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qihang_app.domain.permissions import KEYS, PRESETS
from qihang_app.models import Role, User
from qihang_app.services import dispatch, roles, users
from qihang_app.services.auth import actor_for_user
from qihang_app.services.errors import ConflictError, ValidationError
from qihang_app.services.scope import ScopeError

from .factories import platform_order


def test_the_migration_seeds_the_three_presets(session, world):
    rows = {r.key: r for r in roles.list_roles(session, actor=world.admin)}
    assert {k for k, r in rows.items() if r.preset} == set(PRESETS)
    assert rows["admin"].permissions == KEYS
    assert rows["staff"].permissions == PRESETS["staff"][2]
    assert (rows["admin"].users, rows["manager"].users, rows["staff"].users) == (1, 1, 1)
    assert world.manager_a.can("stores.manage") and not world.staff_a.can("stores.manage")


def test_create_edit_save_again_and_delete(session, world):
    admin = world.admin
    role = roles.create_role(session, actor=admin, name="打包员", permissions=["page.board", "order.ready"])
    packer = users.create_user(session, actor=admin, username="pack1", password="long-enough-1",
                               role=role.key, store_ids=[world.store_a])  # fmt: skip
    session.commit()
    actor = actor_for_user(session, packer)
    assert actor.permissions == {"page.board", "order.ready"} and actor.role == role.key
    order = platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no="R1", status="awaiting_accept")
    with pytest.raises(ScopeError):  # no 接单 in this role
        dispatch.accept(session, actor=actor, order_id=order.id)
    roles.update_role(session, actor=admin, role_id=role.id, name="打包员", permissions=["page.board", "order.accept"])
    roles.update_role(
        session, actor=admin, role_id=role.id, name="打包 / 接单", permissions=["page.board", "order.accept"]
    )
    session.commit()
    actor = actor_for_user(session, session.get(User, packer.id))  # the next request sees the change
    dispatch.accept(session, actor=actor, order_id=order.id)
    # in use: refused, naming who holds it
    with pytest.raises(ConflictError) as refused:
        roles.delete_role(session, actor=admin, role_id=role.id)
    assert refused.value.key == "roles.err.in_use" and refused.value.params["users"] == "pack1"
    users.delete_user(session, actor=admin, user_id=packer.id)
    roles.delete_role(session, actor=admin, role_id=role.id)
    session.commit()
    assert session.exec(select(Role).where(Role.key == role.key)).first() is None


def test_refusals(session, world):
    admin = world.admin
    preset = session.exec(select(Role).where(Role.key == "staff")).one()
    cases = [
        (lambda: roles.delete_role(session, actor=admin, role_id=preset.id), "roles.err.preset"),
        (lambda: roles.create_role(session, actor=admin, name="x", permissions=[]), "roles.err.no_permission"),
        (lambda: roles.create_role(session, actor=admin, name="x", permissions=["order.fly"]), "roles.err.unknown_permission"),
        (lambda: roles.create_role(session, actor=admin, name="店员", permissions=["page.board"]), "roles.err.name_taken"),
        (lambda: roles.create_role(session, actor=admin, name="", permissions=["page.board"]), "input.required"),
        (lambda: roles.create_role(session, actor=admin, name="x" * 3000, permissions=["page.board"]), "input.too_long"),
        # the last role that may manage users cannot lose that permission
        (lambda: roles.update_role(session, actor=admin, role_id=session.exec(select(Role.id).where(Role.key == "admin")).one(),
                                   name="管理员", permissions=["page.board"]), "roles.err.last_admin"),
        (lambda: users.create_user(session, actor=admin, username="zed", password="long-enough-1", role="ghost"), "users.err.bad_role"),
    ]  # fmt: skip
    for call, key in cases:
        with pytest.raises((ConflictError, ValidationError)) as refused:
            call()
        assert refused.value.key == key
        session.rollback()
    for actor in (world.manager_a, world.staff_a):
        with pytest.raises(ScopeError):
            roles.create_role(session, actor=actor, name="mine", permissions=["page.board"])


def test_a_custom_admin_role_keeps_the_system_administered(session, world):
    """Whoever holds 管理用户 counts as an admin: the preset can lose it when another role has it."""
    admin = world.admin
    boss = roles.create_role(
        session, actor=admin, name="老板", permissions=["users.manage", "page.users", "stores.all"]
    )
    users.create_user(session, actor=admin, username="boss", password="long-enough-1", role=boss.key)
    admin_role = session.exec(select(Role).where(Role.key == "admin")).one()
    roles.update_role(session, actor=admin, role_id=admin_role.id, name="管理员", permissions=["page.board"])
    session.commit()
    boss_actor = actor_for_user(session, session.exec(select(User).where(User.username == "boss")).one())
    assert boss_actor.all_stores and boss_actor.can("users.manage")
    with pytest.raises(ConflictError):
        users.update_user(session, actor=boss_actor, user_id=boss_actor.user_id, enabled=False)
