"""User administration."""

from __future__ import annotations

import pytest

from qihang_app.services import users
from qihang_app.services.errors import ConflictError, NotFoundError, ValidationError


def test_create_update_and_grants(session, world):
    user = users.create_user(
        session, actor=world.admin, username=" Bob ", password="long-enough",
        display_name="小王", store_ids=[world.store_a],
    )  # fmt: skip
    session.commit()
    row = next(r for r in users.list_users(session, actor=world.admin) if r.id == user.id)
    assert (row.username, row.display_name, row.role, row.store_ids) == (
        "bob", "小王", "staff", (world.store_a,),
    )  # fmt: skip

    users.set_store_grants(session, actor=world.admin, user_id=user.id, store_ids=[world.store_b])
    users.update_user(session, actor=world.admin, user_id=user.id, role="manager",
                      display_name="王经理")  # fmt: skip
    session.commit()
    row = next(r for r in users.list_users(session, actor=world.admin) if r.id == user.id)
    assert (row.role, row.display_name, row.store_ids) == ("manager", "王经理", (world.store_b,))


def test_create_user_validation(session, world):
    with pytest.raises(ConflictError):
        users.create_user(session, actor=world.admin, username="STAFF_A", password="long-enough")
    with pytest.raises(ValidationError):
        users.create_user(session, actor=world.admin, username="ccc", password="short")
    with pytest.raises(ValidationError):
        users.create_user(session, actor=world.admin, username="ccc", password="long-enough",
                          role="owner")  # fmt: skip
    with pytest.raises(NotFoundError):
        users.create_user(session, actor=world.admin, username="ccc", password="long-enough",
                          store_ids=[424242])  # fmt: skip


def test_the_last_admin_cannot_be_removed(session, world):
    with pytest.raises(ConflictError):
        users.update_user(session, actor=world.admin, user_id=world.admin.user_id, role="staff")
    with pytest.raises(ConflictError):
        users.update_user(session, actor=world.admin, user_id=world.admin.user_id, enabled=False)
    users.update_user(session, actor=world.admin, user_id=world.manager_a.user_id, role="admin")
    users.update_user(session, actor=world.admin, user_id=world.admin.user_id, role="staff")
