"""Bootstrap admin, password storage, login throttling, sessions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlmodel import select

from qihang_app.config import ConfigError, Settings
from qihang_app.domain.login_throttle import max_guesses
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
    prod = settings.model_copy(update={"app_env": "prod", "admin_password": SecretStr("a-long-admin-pass")})
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
    user = users.create_user(session, actor=admin, username="Alice", password="plain-text-pw-1", role="admin")
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


def _fail_until_waiting(session, settings, t, username="alice", **kw):
    """Wrong passwords until one is answered with a wait; returns that result."""
    for _ in range(settings.login_free_failures):
        result = _login(session, settings, username=username, password="wrong", now=t, **kw)
        assert result.error == "bad_credentials"
    result = _login(session, settings, username=username, password="wrong", now=t, **kw)
    assert result.error == "locked"
    return result


def test_waits_grow_after_the_free_failures_and_end(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    t0 = utcnow()
    result = _fail_until_waiting(session, settings, t0)
    assert (result.locked_until, result.wait_seconds) == (t0 + timedelta(seconds=1), 1)
    assert result.error == "locked"

    during = _login(session, settings, now=t0 + timedelta(milliseconds=500))
    assert (during.ok, during.error) == (False, "locked")  # right password, still refused
    t = t0 + timedelta(seconds=1)
    waits = []
    for _ in range(5):
        result = _login(session, settings, password="wrong", now=t)
        assert result.error == "locked"
        waits.append(result.wait_seconds)
        t = result.locked_until
    assert waits == [2, 4, 8, 16, 32]
    refused = _login(session, settings, password="wrong", now=t - timedelta(seconds=1))
    assert refused.locked_until == t  # a refused attempt neither counts nor extends the wait
    assert _login(session, settings, now=t).ok


def test_waits_stop_growing_at_the_cap_and_are_forgotten_after_a_quiet_spell(session, settings):
    settings = settings.model_copy(update={"login_max_delay_seconds": 8})
    make_user(session, "alice", "staff")
    session.commit()
    t = utcnow()
    for _ in range(10):
        result = _login(session, settings, password="wrong", now=t)
        t = result.locked_until or t
    assert result.wait_seconds == settings.login_max_delay_seconds
    quiet = t + timedelta(minutes=settings.login_forget_minutes, seconds=1)
    assert _login(session, settings, password="wrong", now=quiet).error == "bad_credentials"


def test_at_most_23_guesses_per_hour_per_account(session, settings):
    """The worst case with the default settings: every guess at the first allowed moment, from
    ever-changing addresses (so only the account's own count holds it back)."""
    assert (settings.login_free_failures, settings.login_max_delay_seconds) == (3, 300)
    make_user(session, "alice", "staff")
    session.commit()
    t0 = t = utcnow()
    guesses = 0
    while t < t0 + timedelta(hours=1):
        result = _login(session, settings, password="wrong", now=t, client_ip=f"10.1.{guesses}.1")
        guesses += 1
        if result.locked_until:
            t = result.locked_until
    assert guesses == max_guesses(3600, free=3, cap=300) == 23


def test_unknown_usernames_wait_too_with_the_same_messages(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    n = settings.login_free_failures + 1
    real = [_login(session, settings, password="x").error for _ in range(n)]
    ghost = [_login(session, settings, username="ghost", password="x").error for _ in range(n)]
    assert real == ghost == ["bad_credentials"] * (n - 1) + ["locked"]
    assert (
        _login(session, settings, password="x").error == _login(session, settings, username="ghost", password="x").error
    )


def test_success_resets_the_failure_count(session, settings):
    make_user(session, "alice", "staff")
    session.commit()
    for _ in range(2):
        for _ in range(settings.login_free_failures):
            assert _login(session, settings, password="x").error == "bad_credentials"
        assert _login(session, settings).ok


def test_another_accounts_failures_never_refuse_a_correct_password(session, settings):
    """Everyone behind one shop's router shares an address: bob's mistakes are bob's."""
    make_user(session, "alice", "staff")
    make_user(session, "bob", "staff")
    session.commit()
    t = utcnow()
    _fail_until_waiting(session, settings, t, username="bob", client_ip="10.0.0.9")
    assert _login(session, settings, username="bob", now=t, client_ip="10.0.0.9").error == "locked"
    assert _login(session, settings, now=t, client_ip="10.0.0.9").ok


def test_the_address_threshold_is_far_above_the_accounts():
    defaults = Settings(_env_file=None)
    assert defaults.login_address_free_failures >= 10 * defaults.login_free_failures


def test_a_shop_router_takes_many_clerks_mistakes_before_any_wait(session, settings):
    settings = settings.model_copy(update={"login_address_free_failures": 12})  # argon2 is slow
    make_user(session, "alice", "staff")
    session.commit()
    t = utcnow()
    clerks = [f"clerk{i}" for i in range(settings.login_address_free_failures)]
    for name in clerks:  # one mistake each: no account waits, and the address takes them all
        assert (
            _login(session, settings, username=name, password="x", now=t, client_ip="10.0.0.9").error
            == "bad_credentials"
        )
    assert _login(session, settings, now=t, client_ip="10.0.0.9").ok


def test_an_address_spraying_many_accounts_is_slowed_down(session, settings):
    settings = settings.model_copy(update={"login_address_free_failures": 12})
    make_user(session, "alice", "staff")
    session.commit()
    t = utcnow()
    for i in range(settings.login_address_free_failures):
        _login(session, settings, username=f"u{i}", password="x", now=t, client_ip="10.0.0.9")
    result = _login(session, settings, username="ux", password="x", now=t, client_ip="10.0.0.9")
    assert (result.error, result.wait_seconds) == ("locked", 1)
    assert _login(session, settings, now=t, client_ip="10.0.0.9").error == "locked"
    assert _login(session, settings, now=t, client_ip="10.0.0.10").ok  # other addresses are not
    # a clerk's success does not wipe the address count: the next mistake waits longer
    t += timedelta(seconds=1)
    assert _login(session, settings, now=t, client_ip="10.0.0.9").ok
    result = _login(session, settings, username="uy", password="x", now=t, client_ip="10.0.0.9")
    assert (result.error, result.wait_seconds) == ("locked", 2)


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
    _fail_until_waiting(session, settings, utcnow() + timedelta(minutes=5))  # still waiting now
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
