"""Bootstrap admin, password storage, login throttling, sessions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlmodel import select

from qihang_app.config import ConfigError
from qihang_app.models import AuthSession, User, utcnow
from qihang_app.services import auth, users
from qihang_app.services.errors import ValidationError

from .factories import PASSWORD, make_actor, make_user


def _login(session, settings, username="alice", password=PASSWORD, **kw):
    result = auth.login(session, username=username, password=password, settings=settings, **kw)
    session.commit()  # the caller commits whatever the result
    return result


# -- bootstrap --------------------------------------------------------------------------------


def test_bootstrap_admin_dev_generates_a_random_password_once(session, settings):
    first = auth.bootstrap_admin(session, settings=settings)
    session.commit()
    assert first and len(first) >= 12
    admin = session.exec(select(User)).one()
    assert (admin.username, admin.role) == ("admin", "admin")
    assert first not in admin.password_hash
    assert _login(session, settings, "admin", first).ok

    assert auth.bootstrap_admin(session, settings=settings) is None
    assert len(session.exec(select(User)).all()) == 1


def test_bootstrap_admin_password_is_never_a_fixed_default(session, settings):
    one = auth.bootstrap_admin(session, settings=settings)
    session.execute(User.__table__.delete())
    two = auth.bootstrap_admin(session, settings=settings)
    assert one and two and one != two


def test_bootstrap_admin_prod_requires_admin_password(session, settings):
    prod = settings.model_copy(update={"app_env": "prod", "admin_password": None})
    with pytest.raises(ConfigError):
        auth.bootstrap_admin(session, settings=prod)
    assert session.exec(select(User)).first() is None


def test_bootstrap_admin_prod_uses_admin_password(session, settings):
    prod = settings.model_copy(
        update={"app_env": "prod", "admin_password": SecretStr("a-long-admin-pass")}
    )
    assert auth.bootstrap_admin(session, settings=prod) is None
    session.commit()
    assert _login(session, settings, "admin", "a-long-admin-pass").ok
    short = prod.model_copy(update={"admin_password": SecretStr("short")})
    session.execute(User.__table__.delete())
    with pytest.raises(ValidationError):
        auth.bootstrap_admin(session, settings=short)


# -- passwords --------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2_hashes_only(session):
    admin = make_actor(session, "root", "admin")
    user = users.create_user(session, actor=admin, username="Alice", password="plain-text-pw-1")
    session.commit()
    raw = session.connection().exec_driver_sql("SELECT password_hash FROM users").scalars().all()
    assert all("plain-text-pw-1" not in h for h in raw)
    assert user.password_hash.startswith("$argon2id$")
    assert user.username == "alice"  # usernames are case-insensitive


def test_old_hash_parameters_are_upgraded_on_login(session, settings):
    user = make_user(session, "alice", "staff")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    old = user.password_hash
    session.commit()
    assert _login(session, settings).ok
    session.refresh(user)
    assert user.password_hash != old and user.password_hash.startswith("$argon2id$")


# -- throttling -------------------------------------------------------------------------------


def test_lock_after_max_failures_then_unlock_after_lock_time(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    t0 = utcnow()
    for i in range(settings.login_max_failures - 1):
        result = _login(session, settings, password="wrong", now=t0 + timedelta(seconds=i))
        assert (result.ok, result.error) == (False, "bad_credentials")
    result = _login(session, settings, password="wrong", now=t0 + timedelta(seconds=10))
    assert result.error == "locked"
    assert result.locked_until == t0 + timedelta(seconds=10, minutes=settings.login_lock_minutes)

    during = _login(session, settings, now=t0 + timedelta(minutes=5))
    assert (during.ok, during.error) == (False, "locked")  # right password, still refused
    assert "锁定" in during.message and "locked" in during.message

    after = _login(session, settings, now=t0 + timedelta(minutes=settings.login_lock_minutes + 1))
    assert after.ok and after.token


def test_unknown_usernames_lock_too_with_the_same_messages(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    real = [_login(session, settings, password="x").error for _ in range(3)]
    ghost = [_login(session, settings, username="ghost", password="x").error for _ in range(3)]
    assert real == ghost == ["bad_credentials", "bad_credentials", "locked"]
    assert _login(session, settings, password="x").message == _login(
        session, settings, username="ghost", password="x"
    ).message


def test_success_resets_the_failure_count(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    for _ in range(2):
        for _ in range(settings.login_max_failures - 1):
            assert _login(session, settings, password="x").error == "bad_credentials"
        assert _login(session, settings).ok


def test_client_ip_is_throttled_across_usernames(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    for name in ("u1", "u2", "u3"):
        _login(session, settings, username=name, password="x", client_ip="10.0.0.9")
    assert _login(session, settings, client_ip="10.0.0.9").error == "locked"
    assert _login(session, settings, client_ip="10.0.0.10").ok  # other ips are not affected


def test_disabled_user_is_told_only_with_the_right_password(session, settings):
    user = make_user(session, "alice", "staff")
    user.enabled = False
    session.commit()
    assert _login(session, settings, password="x").error == "bad_credentials"
    assert _login(session, settings).error == "disabled"


def test_admin_unlock_and_list_show_the_lock(session, settings):
    admin = make_actor(session, "root", "admin")
    alice = make_user(session, "alice", "staff")
    session.commit()
    for _ in range(3):
        _login(session, settings, password="x")
    row = next(r for r in users.list_users(session, actor=admin) if r.username == "alice")
    assert row.locked_until is not None
    users.unlock_user(session, actor=admin, user_id=alice.id)
    session.commit()
    assert _login(session, settings).ok


# -- sessions ---------------------------------------------------------------------------------


def test_session_token_is_stored_hashed_and_resolves_to_the_actor(session, settings):
    alice = make_user(session, "alice", "staff")
    session.commit()
    result = _login(session, settings, user_agent="pytest", client_ip="127.0.0.1")
    row = session.exec(select(AuthSession)).one()
    assert row.token_hash == hashlib.sha256(result.token.encode()).hexdigest()
    assert result.token not in row.token_hash
    actor = auth.resolve_session(session, token=result.token)
    assert (actor.user_id, actor.role, actor.all_stores) == (alice.id, "staff", False)
    assert auth.resolve_session(session, token="not-a-token") is None
    assert auth.resolve_session(session, token="") is None


def test_session_expires(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    t0 = utcnow()
    token = _login(session, settings, now=t0).token
    assert auth.resolve_session(session, token=token, now=t0 + timedelta(hours=11)) is not None
    assert auth.resolve_session(session, token=token, now=t0 + timedelta(hours=12)) is None


def test_logout_revokes(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    token = _login(session, settings).token
    other = _login(session, settings).token
    auth.logout(session, token=token)
    session.commit()
    assert auth.resolve_session(session, token=token) is None
    assert auth.resolve_session(session, token=other) is not None


def test_disable_and_password_change_end_sessions(session, settings):
    admin = make_actor(session, "root", "admin")
    alice = make_user(session, "alice", "staff")
    session.commit()
    token = _login(session, settings).token
    users.set_password(session, actor=admin, user_id=alice.id, password="new-password-1")
    session.commit()
    assert auth.resolve_session(session, token=token) is None
    token = _login(session, settings, password="new-password-1").token
    users.update_user(session, actor=admin, user_id=alice.id, enabled=False)
    session.commit()
    assert auth.resolve_session(session, token=token) is None
