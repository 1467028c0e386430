"""Login, sessions and the first admin.

Throttling (the waits are in domain/login_throttle.py): failures are counted per account
("user:<name>", whether or not the user exists, so waits do not reveal real usernames) and per
client address ("ip:<addr>"), separately. An account has settings.login_free_failures free
failures, an address settings.login_address_free_failures (far more: a shop router carries
many clerks); after that each further attempt on that account or from that address waits
1, 2, 4 … s up to settings.login_max_delay_seconds, right password or not. A count is forgotten
after settings.login_forget_minutes without a failure. A successful login clears its account's
count only: one clerk's success must not wipe the count of someone guessing from the same
router, and another account's failures never refuse a correct password.

Brute force: with the defaults (3 free, 300 s cap) an account can be tried with at most
23 passwords in an hour, then 12 an hour (about 290 a day); see max_guesses() and its tests.
The account's attempt is counted before the password is checked, by one conditional UPDATE
that refuses it while the account must wait, so parallel requests cannot slip extra guesses
past a wait.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from qihang_app.config import ConfigError, Settings, get_settings
from qihang_app.domain.input_rules import LIMITS
from qihang_app.domain.login_throttle import delay_seconds
from qihang_app.domain.permissions import ALL_STORES
from qihang_app.models import AuthSession, LoginThrottle, User, UserStoreGrant, utcnow

from . import audit
from .crypto import (
    DUMMY_PASSWORD_HASH,
    hash_password,
    hash_token,
    new_token,
    password_needs_rehash,
    verify_password,
)
from .errors import ValidationError
from .roles import permissions_of
from .scope import Actor

MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    token: str | None = None  # give to the client (cookie); only its hash is stored
    expires_at: datetime | None = None
    user_id: int | None = None
    error: str | None = None  # "bad_credentials" | "locked" | "disabled"
    locked_until: datetime | None = None  # "locked": the next attempt is allowed from then
    wait_seconds: int = 0  # "locked": how long that is from now (at least 1)
    # The login page words it (i18n keys login.<error>), in the reader's language.


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(key="users.err.short_password", field="password", n=MIN_PASSWORD_LENGTH)


def bootstrap_admin(session: Session, *, settings: Settings) -> str | None:
    """Create the first admin when there is no user at all.

    Uses settings.admin_password when set (required in prod); otherwise (dev/test) generates a
    random password and returns it so the caller can print it once. Returns None when nothing
    was generated (a user already exists, or the password came from the settings).
    """
    if session.exec(select(User.id).limit(1)).first() is not None:
        return None
    configured = settings.admin_password.get_secret_value() if settings.admin_password else ""
    if not configured and settings.app_env == "prod":
        raise ConfigError("ADMIN_PASSWORD must be set to create the first admin in prod")
    password = configured or secrets.token_urlsafe(12)
    check_password_strength(password)
    session.add(
        User(
            username=normalise_username(settings.admin_username),
            display_name="管理员",
            password_hash=hash_password(password),
            role="admin",
        )
    )
    session.flush()
    return None if configured else password


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(LoginThrottle)


def _count_failure(session: Session, key: str, *, free: int, now: datetime, settings: Settings) -> bool:
    """Count one failure for `key` and start its wait; False (nothing counted) while it waits."""
    new_row = _insert(session).values(key=key, failures=0)
    session.execute(new_row.on_conflict_do_nothing(index_elements=["key"]))
    quiet_since = now - timedelta(minutes=settings.login_forget_minutes)
    forgotten = sa.or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < quiet_since)
    failures = session.execute(
        sa.update(LoginThrottle)
        .where(
            LoginThrottle.key == key, sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now)
        )
        .values(failures=sa.case((forgotten, 1), else_=LoginThrottle.failures + 1), last_failure_at=now)
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()  # the row stays locked until commit: parallel attempts queue here
    if failures is None:
        return False
    delay = delay_seconds(failures, free=free, cap=settings.login_max_delay_seconds)
    if delay:
        session.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=now + timedelta(seconds=delay))
            .execution_options(synchronize_session=False)
        )
    return True


def _retry_at(session: Session, keys: list[str], now: datetime) -> datetime | None:
    return session.exec(
        select(sa.func.max(LoginThrottle.locked_until)).where(
            LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now
        )
    ).one()


def _locked(until: datetime, now: datetime) -> LoginResult:
    wait = max(1, math.ceil((until - now).total_seconds()))
    return LoginResult(ok=False, error="locked", locked_until=until, wait_seconds=wait)


def login(
    session: Session,
    *,
    username: str,
    password: str,
    client_ip: str | None = None,
    user_agent: str = "",
    now: datetime | None = None,
    settings: Settings | None = None,
) -> LoginResult:
    """Check the password and open a session. Never raises for bad input: see LoginResult.

    The caller commits whatever the result (the failure counters are writes too).
    """
    now = now or utcnow()
    settings = settings or get_settings()
    name = normalise_username(username)
    if len(name) > LIMITS["username"] or len(password or "") > LIMITS["password"]:
        return LoginResult(ok=False, error="bad_credentials")  # no such account; never hash megabytes
    account, address = f"user:{name}", (f"ip:{client_ip}" if client_ip else None)
    keys = [account] + ([address] if address else [])

    until = _retry_at(session, keys, now)
    if until:
        return _failed(session, name, client_ip, _locked(until, now), now)
    # Counted as a failure before the check (a success clears it): see the module docstring.
    free = settings.login_free_failures
    if not _count_failure(session, account, free=free, now=now, settings=settings):
        return _failed(session, name, client_ip, _locked(_retry_at(session, keys, now) or now, now), now)

    user = session.exec(select(User).where(User.username == name)).first()
    # Always run argon2, so an unknown user takes as long as a wrong password.
    password_ok = verify_password(user.password_hash if user else DUMMY_PASSWORD_HASH, password)
    if not (user and password_ok):
        if address:
            _count_failure(session, address, free=settings.login_address_free_failures, now=now, settings=settings)
        until = _retry_at(session, keys, now)
        result = _locked(until, now) if until else LoginResult(ok=False, error="bad_credentials")
        return _failed(session, name, client_ip, result, now)
    if not user.enabled:
        return _failed(session, name, client_ip, LoginResult(ok=False, error="disabled"), now)

    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == account))
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    token = new_token()
    expires_at = now + timedelta(hours=settings.session_hours)
    session.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            expires_at=expires_at,
            user_agent=(user_agent or "")[:500],
            client_ip=client_ip,
        )
    )
    session.flush()
    actor = replace(actor_for_user(session, user), address=client_ip)
    audit.record(
        session, actor, "auth.login", audit.Target("user", user.id), after={"user_agent": user_agent[:200]}, now=now
    )
    return LoginResult(ok=True, token=token, expires_at=expires_at, user_id=user.id)


def _failed(session: Session, name: str, client_ip: str | None, result: LoginResult, now: datetime) -> LoginResult:
    """A refused log in is audited under the name typed (no account is revealed: it may not exist)."""
    audit.record(
        session,
        None,
        "auth.login_failed",
        audit.Target("user", ""),
        after={"reason": result.error},
        address=client_ip,
        actor_name=name,
        now=now,
    )
    return result


def actor_for_user(session: Session, user: User) -> Actor:
    store_ids = session.exec(select(UserStoreGrant.store_id).where(UserStoreGrant.user_id == user.id)).all()
    permissions = permissions_of(session, user.role)
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        store_ids=frozenset(store_ids),
        all_stores=ALL_STORES in permissions,
        permissions=permissions,
    )


def resolve_session(session: Session, *, token: str, now: datetime | None = None) -> Actor | None:
    """The Actor behind a bearer token; None when unknown, expired, revoked or user disabled.

    Role and grants are read fresh on every call, so admin changes apply at the next request.
    """
    if not token:
        return None
    now = now or utcnow()
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.enabled:
        return None
    return actor_for_user(session, user)


def logout(session: Session, *, token: str, client_ip: str | None = None, now: datetime | None = None) -> None:
    if not token:
        return
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_token(token), AuthSession.revoked_at.is_(None))
    ).first()
    if row is None:
        return
    row.revoked_at = now or utcnow()
    session.add(row)
    user = session.get(User, row.user_id)
    if user is not None:
        actor = replace(actor_for_user(session, user), address=client_ip)
        audit.record(session, actor, "auth.logout", audit.Target("user", user.id), now=row.revoked_at)


def revoke_user_sessions(session: Session, *, user_id: int, now: datetime | None = None) -> None:
    """End every open session of a user (password change, disable)."""
    session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
