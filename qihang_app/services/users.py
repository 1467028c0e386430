"""User administration (admins only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules
from qihang_app.domain.audit import changed_only
from qihang_app.domain.permissions import ADMIN_KEY, ALL_STORES
from qihang_app.models import AuthSession, LoginThrottle, PullLog, Role, Store, User, UserStoreGrant, utcnow

from . import audit
from .auth import check_password_strength, revoke_user_sessions
from .crypto import hash_password
from .errors import ConflictError, NotFoundError, ValidationError, checked
from .roles import permissions_of, role_exists
from .scope import Actor, require_permission


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    enabled: bool
    store_ids: tuple[int, ...]
    last_login_at: datetime | None
    locked_until: datetime | None  # set while failed logins lock the username


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(key="users.err.not_found", user_id=user_id)
    return user


def _check_role(session: Session, role: str) -> None:
    if not role_exists(session, role):
        known = ", ".join(session.exec(select(Role.key).order_by(Role.id)).all())
        raise ValidationError(key="users.err.bad_role", field="role", role=role, roles=known)


def _check_password(password: str) -> None:
    check_password_strength(password)
    if len(password) > rules.LIMITS["password"]:
        raise ValidationError(key="users.err.long_password", field="password", n=rules.LIMITS["password"])


def _display_name(value: str) -> str:
    return checked("display_name", rules.text, value, limit="display_name")


def _is_admin(session: Session, role: str) -> bool:
    return ADMIN_KEY in permissions_of(session, role)


def _would_leave_no_admin(session: Session, user: User) -> bool:
    """True when `user` is the last enabled account whose role may manage users."""
    others = session.exec(select(User.role).where(User.enabled, User.id != user.id).distinct()).all()
    return not any(_is_admin(session, role) for role in others)


def _stores_for(session: Session, role: str, store_ids) -> None:
    if ALL_STORES not in permissions_of(session, role) and not store_ids:
        raise ValidationError(key="users.err.store_required", field="stores")


def _snapshot(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": user.role, "enabled": user.enabled}


def list_users(session: Session, *, actor: Actor, now: datetime | None = None) -> list[UserRow]:
    require_permission(actor, "users.manage")
    now = now or utcnow()
    grants: dict[int, list[int]] = {}
    for user_id, store_id in session.exec(
        select(UserStoreGrant.user_id, UserStoreGrant.store_id).order_by(UserStoreGrant.store_id)
    ):
        grants.setdefault(user_id, []).append(store_id)
    locks = dict(
        session.exec(
            select(LoginThrottle.key, LoginThrottle.locked_until).where(
                LoginThrottle.key.startswith("user:"), LoginThrottle.locked_until > now
            )
        ).all()
    )
    return [
        UserRow(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            enabled=u.enabled,
            store_ids=tuple(grants.get(u.id, ())),
            last_login_at=u.last_login_at,
            locked_until=locks.get(f"user:{u.username}"),
        )
        for u in session.exec(select(User).order_by(User.username))
    ]


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    display_name: str = "",
    role: str = "staff",
    store_ids: Iterable[int] = (),
) -> User:
    """Staff and managers need at least one store (else their board stays empty forever)."""
    require_permission(actor, "users.manage")
    name = checked("username", rules.username, username)
    display_name = _display_name(display_name)
    _check_role(session, role)
    _check_password(password)
    if session.exec(select(User.id).where(User.username == name)).first() is not None:
        raise ConflictError(key="users.err.username_taken", field="username", username=name)
    store_ids = list(store_ids)
    _stores_for(session, role, store_ids)
    user = User(
        username=name,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", audit.Target("user", user.id), after=_snapshot(user) | {"password": "*"}
    )
    set_store_grants(session, actor=actor, user_id=user.id, store_ids=store_ids)
    return user


def update_user(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    role: str | None = None,
    enabled: bool | None = None,
    display_name: str | None = None,
) -> User:
    """Change only the arguments given. Refuses to leave the system without an enabled admin,
    and an admin to disable their own account."""
    require_permission(actor, "users.manage")
    user = _get(session, user_id)
    before = _snapshot(user)
    if role is not None:
        _check_role(session, role)
    if enabled is False and user.id == actor.user_id:
        raise ConflictError(key="users.err.disable_self", field="enabled")
    losing = (role is not None and not _is_admin(session, role)) or enabled is False
    demoted = _is_admin(session, user.role) and losing
    if demoted and user.enabled and _would_leave_no_admin(session, user):
        raise ConflictError(key="users.err.last_admin")
    if role is not None:
        user.role = role
    if display_name is not None:
        user.display_name = _display_name(display_name)
    if enabled is not None:
        user.enabled = enabled
        if not enabled:
            revoke_user_sessions(session, user_id=user.id)
    session.add(user)
    session.flush()
    old, new = changed_only(before, _snapshot(user))
    if new:
        audit.record(session, actor, "user.update", audit.Target("user", user.id), before=old, after=new)
    return user


def set_password(session: Session, *, actor: Actor, user_id: int, password: str) -> None:
    """Set a new password; the user's open sessions end and a lock-out is lifted."""
    require_permission(actor, "users.manage")
    user = _get(session, user_id)
    _check_password(password)
    user.password_hash = hash_password(password)
    session.add(user)
    revoke_user_sessions(session, user_id=user.id)
    audit.record(session, actor, "user.password", audit.Target("user", user.id), after={"password": "*"})
    unlock_user(session, actor=actor, user_id=user.id)


def unlock_user(session: Session, *, actor: Actor, user_id: int) -> None:
    """Clear the failed-login lock of a username."""
    require_permission(actor, "users.manage")
    user = _get(session, user_id)
    gone = session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == f"user:{user.username}")).rowcount
    if gone:
        audit.record(session, actor, "user.unlock", audit.Target("user", user.id))


def set_store_grants(session: Session, *, actor: Actor, user_id: int, store_ids: Iterable[int]) -> None:
    """Replace the stores a user may see with exactly `store_ids` (at least one unless admin)."""
    require_permission(actor, "users.manage")
    user = _get(session, user_id)
    wanted = set(store_ids)
    _stores_for(session, user.role, wanted)
    existing = set(session.exec(select(Store.id).where(Store.id.in_(wanted))).all())
    if missing := wanted - existing:
        raise NotFoundError(key="stores.err.not_found", field="stores", store_id=", ".join(map(str, sorted(missing))))
    current = set(session.exec(select(UserStoreGrant.store_id).where(UserStoreGrant.user_id == user_id)))
    if gone := current - wanted:
        session.execute(
            sa.delete(UserStoreGrant).where(UserStoreGrant.user_id == user_id, UserStoreGrant.store_id.in_(gone))
        )
    for store_id in sorted(wanted - current):
        session.add(UserStoreGrant(user_id=user_id, store_id=store_id))
    session.flush()
    if wanted != current:
        audit.record(
            session, actor, "user.grants", audit.Target("user", user_id),
            before={"stores": sorted(current)}, after={"stores": sorted(wanted)},
        )  # fmt: skip


def delete_user(session: Session, *, actor: Actor, user_id: int) -> None:
    """Remove an account with its sessions and grants. Never your own, never the last admin;
    orders keep "user:<id>" in their history (disable instead to keep the name on it)."""
    require_permission(actor, "users.manage")
    user = _get(session, user_id)
    if user.id == actor.user_id:
        raise ConflictError(key="users.err.delete_self")
    if _is_admin(session, user.role) and user.enabled and _would_leave_no_admin(session, user):
        raise ConflictError(key="users.err.last_admin")
    audit.record(session, actor, "user.delete", audit.Target("user", user.id), before=_snapshot(user))
    revoke_user_sessions(session, user_id=user.id)
    session.execute(sa.delete(UserStoreGrant).where(UserStoreGrant.user_id == user.id))
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == f"user:{user.username}"))
    session.execute(sa.delete(AuthSession).where(AuthSession.user_id == user.id))
    session.execute(sa.update(PullLog).where(PullLog.requested_by == user.id).values(requested_by=None))
    session.delete(user)
    session.flush()
