"""The audit trail: every kind of change a person makes is written, in the same transaction, with
who / when / where / what / before → after; credentials only as "changed"; never updatable."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from qihang_app.models import AuditEntry, utcnow
from qihang_app.services import audit, auth, dispatch, orders, roles, stores, users
from qihang_app.services.audit_csv import COLUMNS, to_csv
from qihang_app.services.scope import ScopeError

from .factories import PASSWORD, platform_order


def _entries(session, **where) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(session.exec(query).all())


def _new_order(session, world, no):
    return platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no=no, status="awaiting_accept", day_seq=3
    )


def test_every_kind_of_change_is_recorded(session, world, settings):
    admin = world.admin
    # log in, failed log in, log out (with the address)
    ok = auth.login(session, username="staff_a", password=PASSWORD, client_ip="10.0.0.7", settings=settings)
    auth.login(session, username="staff_a", password="wrong password", client_ip="10.0.0.8", settings=settings)
    auth.login(session, username="nobody", password="wrong password", client_ip="10.0.0.9", settings=settings)
    auth.logout(session, token=ok.token, client_ip="10.0.0.7")
    # users, grants, password
    bob = users.create_user(session, actor=admin, username="bob", password="long-enough-1", store_ids=[world.store_a])
    users.update_user(session, actor=admin, user_id=bob.id, display_name="鲍勃", role="manager")
    users.set_store_grants(session, actor=admin, user_id=bob.id, store_ids=[world.store_a, world.store_b])
    users.set_password(session, actor=admin, user_id=bob.id, password="another-long-2")
    # roles
    packer = roles.create_role(session, actor=admin, name="打包员", permissions=["page.board", "order.ready"])
    roles.update_role(session, actor=admin, role_id=packer.id, name="打包员", permissions=["page.board"])
    roles.delete_role(session, actor=admin, role_id=packer.id)
    # settings and credentials
    stores.update_store(session, actor=world.manager_a, store_id=world.store_a, phone="13800000000")
    stores.update_shop(
        session, actor=world.manager_a, shop_id=world.shop_a, credential_changes={"app_secret": "NEW-S3CRET"}
    )
    # order actions, by hand and from the board
    order = _new_order(session, world, "AUD1")
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    dispatch.mark_ready(session, actor=world.staff_a, order_id=order.id)
    other = _new_order(session, world, "AUD2")
    dispatch.reject(session, actor=world.staff_a, order_id=other.id, reason_code="2007")
    manual = orders.create_manual_order(
        session, actor=world.staff_a, store_id=world.store_a, receiver_name="李四", receiver_phone="13900000000",
        receiver_address="人民路 1 号", lines=[{"name": "苹果", "quantity": 2, "unit_price_fen": 500}],
    )  # fmt: skip
    users.delete_user(session, actor=admin, user_id=bob.id)
    session.commit()

    actions = [e.action for e in _entries(session)]
    for expected in (
        "auth.login", "auth.login_failed", "auth.logout", "user.create", "user.update", "user.grants",
        "user.password", "role.create", "role.update", "role.delete", "store.update", "shop.credentials",
        "order.accept", "order.ready", "order.reject", "order.create", "user.delete",
    ):  # fmt: skip
        assert expected in actions, expected
    login = _entries(session, action="auth.login")[-1]
    assert (login.actor, login.actor_name, login.address) == (f"user:{world.staff_a.user_id}", "staff_a", "10.0.0.7")
    failed = _entries(session, action="auth.login_failed")
    assert [(f.actor, f.actor_name, f.address) for f in failed] == [
        ("anonymous", "staff_a", "10.0.0.8"),
        ("anonymous", "nobody", "10.0.0.9"),
    ]
    accepted = _entries(session, action="order.accept")[0]
    assert (accepted.target_kind, accepted.target_id, accepted.store_id) == ("order", str(order.id), world.store_a)
    assert (json.loads(accepted.before), json.loads(accepted.after)["status"]) == (
        {"status": "awaiting_accept"},
        "to_ship",
    )
    changed = _entries(session, action="user.update")[0]
    assert json.loads(changed.before) == {"display_name": "", "role": "staff"}
    assert json.loads(changed.after) == {"display_name": "鲍勃", "role": "manager"}
    assert json.loads(_entries(session, action="store.update")[0].after) == {"phone": "13800000000"}
    assert manual.id == int(_entries(session, action="order.create")[0].target_id)
    # credentials: that they changed, never the values (nor a password, nor its hash)
    text = " ".join(f"{e.before} {e.after}" for e in _entries(session))
    assert "NEW-S3CRET" not in text and "another-long-2" not in text and "argon2" not in text
    assert json.loads(_entries(session, action="shop.credentials")[0].after) == {"credentials.app_secret": "changed"}
    assert json.loads(_entries(session, action="user.password")[0].after) == {"password": "changed"}
    # a deleted user's history stays, under their name
    bob_entries = _entries(session, target_kind="user", target_id=str(bob.id))
    assert [e.action for e in bob_entries][-1] == "user.delete" and len(bob_entries) >= 5


def test_a_refused_change_leaves_no_entry(session, world):
    """Recorded in the same transaction: a change that fails is not in the trail either."""
    before = len(_entries(session))
    with pytest.raises(ScopeError):
        dispatch.accept(session, actor=world.staff_a, order_id=world.order_b)
    order = _new_order(session, world, "AUD3")
    session.commit()
    count = len(_entries(session))
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    session.rollback()
    assert len(_entries(session)) == count == before


def test_entries_can_never_be_changed_or_removed(session, world, engine):
    stores.update_store(session, actor=world.admin, store_id=world.store_a, phone="13800000001")
    session.commit()
    entry_id = _entries(session)[-1].id
    session.rollback()  # end the read: SQLite lets one writer in at a time
    statements = [
        sa.text("UPDATE audit_log SET actor_name = 'someone else' WHERE id = :id"),
        sa.text("DELETE FROM audit_log WHERE id = :id"),
        sa.text("DELETE FROM audit_log"),
    ]
    if engine.dialect.name == "postgresql":
        statements.append(sa.text("TRUNCATE audit_log"))
    for statement in statements:
        with engine.connect() as conn:
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                conn.execute(statement, {"id": entry_id})
                conn.commit()
    row = session.get(AuditEntry, entry_id)  # the ORM is refused the same way
    row.actor_name = "someone else"
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        session.commit()
    session.rollback()
    session.expire_all()
    assert session.get(AuditEntry, entry_id).actor_name == "root"


def test_search_filters_and_store_scope(session, world):
    admin, manager = world.admin, world.manager_a
    stores.update_store(session, actor=admin, store_id=world.store_b, phone="13800000002")
    stores.update_store(session, actor=manager, store_id=world.store_a, phone="13800000003")
    order = _new_order(session, world, "AUD4")
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    users.create_user(session, actor=admin, username="carol", password="long-enough-1", store_ids=[world.store_a])
    session.commit()

    def found(actor, **f):
        rows, total = audit.search(session, actor=actor, filters=audit.AuditFilter(**f))
        assert total == len(rows)
        return [r.action for r in rows]

    assert found(admin, who="staff_a") == ["order.accept"]
    assert found(admin, who=f"user:{manager.user_id}") == ["store.update"]
    assert found(admin, action="order.") == ["order.accept"]
    assert found(admin, target_kind="order", target_id=str(order.id)) == ["order.accept"]
    assert found(admin, text="13800000002") == ["store.update"]
    assert found(admin, since=utcnow() + timedelta(minutes=1)) == []
    assert "user.create" in found(admin, until=utcnow() + timedelta(minutes=1))
    # a manager of store A sees store A's entries, not store B's, nor system-wide ones (users)
    seen = audit.search(session, actor=manager)[0]
    assert {r.store_id for r in seen} == {world.store_a}
    assert {"order.accept", "store.update", "shop.credentials"} <= {r.action for r in seen}
    assert "user.create" not in {r.action for r in seen}
    with pytest.raises(ScopeError):
        audit.search(session, actor=world.staff_a)  # staff have no audit.view
    # an export is itself recorded
    rows = audit.export_rows(session, actor=admin, filters=audit.AuditFilter(action="order."))
    session.commit()
    assert [r.action for r in rows] == ["order.accept"]
    assert json.loads(_entries(session, action="audit.export")[0].after)["rows"] == 1


def test_order_drawer_entries(session, world):
    order = _new_order(session, world, "AUD5")
    dispatch.accept(session, actor=world.staff_a, order_id=order.id)
    dispatch.mark_ready(session, actor=world.staff_a, order_id=order.id)
    session.commit()
    rows = audit.for_target(session, actor=world.staff_a, kind="order", target_id=order.id)
    assert [r.action for r in rows] == ["order.accept", "order.ready"]


def test_the_csv_export_has_every_column_and_no_formula(session, world):
    stores.update_store(session, actor=world.admin, store_id=world.store_a, name="=HYPERLINK(1)")
    session.commit()
    rows = audit.export_rows(session, actor=world.admin, filters=audit.AuditFilter(action="store.update"))
    lines = to_csv(rows).splitlines()
    assert lines[0].split(",") == list(COLUMNS)
    assert len(lines) == 2 and "'=HYPERLINK" not in lines[1]  # inside the JSON cell, not at a cell start
    assert to_csv([AuditEntry(id=1, at=utcnow(), actor="=cmd", action="x")]).splitlines()[1].split(",")[2] == "'=cmd"
