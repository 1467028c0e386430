"""Login, sessions and the first admin.

Throttling: consecutive failures are counted per username ("user:<name>", whether or not the
user exists, so lock-outs do not reveal real usernames) and per client ip ("ip:<addr>"). After
settings.login_max_failures in a row the key is locked for settings.login_lock_minutes; while
locked even the right password is refused. A successful login clears both keys.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from qihang_app.config import ConfigError, Settings, get_settings
from qihang_app.models import AuthSession, LoginThrottle, User, UserStoreGrant, utcnow

from .crypto import (
    DUMMY_PASSWORD_HASH,
    hash_password,
    hash_token,
    new_token,
    password_needs_rehash,
    verify_password,
)
from .errors import ValidationError
from .scope import Actor

MIN_PASSWORD_LENGTH = 8

_MESSAGES = {
    "bad_credentials": "用户名或密码错误 / Wrong username or password",
    "locked": "尝试次数过多，账号已临时锁定 / Too many attempts, temporarily locked",
    "disabled": "账号已停用 / This account is disabled",
}


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    token: str | None = None  # give to the client (cookie); only its hash is stored
    expires_at: datetime | None = None
    user_id: int | None = None
    error: str | None = None  # "bad_credentials" | "locked" | "disabled"
    locked_until: datetime | None = None

    @property
    def message(self) -> str:
        return _MESSAGES.get(self.error or "", "")


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(key="users.err.short_password", n=MIN_PASSWORD_LENGTH)


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


def _record_failure(session: Session, keys: list[str], now: datetime, settings: Settings) -> None:
    for key in keys:
        stmt = _insert(session).values(key=key, failures=1, last_failure_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
        )
        session.execute(stmt)  # atomic increment: parallel attempts each count
    session.execute(
        sa.update(LoginThrottle)
        .where(LoginThrottle.key.in_(keys), LoginThrottle.failures >= settings.login_max_failures)
        .values(failures=0, locked_until=now + timedelta(minutes=settings.login_lock_minutes))
    )


def _locked_until(session: Session, keys: list[str], now: datetime) -> datetime | None:
    return session.exec(
        select(sa.func.max(LoginThrottle.locked_until)).where(
            LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now
        )
    ).one()


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
    keys = [f"user:{name}"] + ([f"ip:{client_ip}"] if client_ip else [])

    until = _locked_until(session, keys, now)
    if until:
        return LoginResult(ok=False, error="locked", locked_until=until)

    user = session.exec(select(User).where(User.username == name)).first()
    # Always run argon2, so an unknown user takes as long as a wrong password.
    password_ok = verify_password(user.password_hash if user else DUMMY_PASSWORD_HASH, password)
    if not (user and password_ok):
        _record_failure(session, keys, now, settings)
        until = _locked_until(session, keys, now)
        if until:
            return LoginResult(ok=False, error="locked", locked_until=until)
        return LoginResult(ok=False, error="bad_credentials")
    if not user.enabled:
        return LoginResult(ok=False, error="disabled")

    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
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
    return LoginResult(ok=True, token=token, expires_at=expires_at, user_id=user.id)


def actor_for_user(session: Session, user: User) -> Actor:
    store_ids = session.exec(
        select(UserStoreGrant.store_id).where(UserStoreGrant.user_id == user.id)
    ).all()
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        store_ids=frozenset(store_ids),
        all_stores=user.role == "admin",
    )


def resolve_session(session: Session, *, token: str, now: datetime | None = None) -> Actor | None:
    """The Actor behind a bearer token; None when unknown, expired, revoked or user disabled.

    Role and grants are read fresh on every call, so admin changes apply at the next request.
    """
    if not token:
        return None
    now = now or utcnow()
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.enabled:
        return None
    return actor_for_user(session, user)


def logout(session: Session, *, token: str, now: datetime | None = None) -> None:
    if not token:
        return
    session.execute(
        sa.update(AuthSession)
        .where(AuthSession.token_hash == hash_token(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )


def revoke_user_sessions(session: Session, *, user_id: int, now: datetime | None = None) -> None:
    """End every open session of a user (password change, disable)."""
    session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
