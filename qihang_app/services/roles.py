"""Roles: merchant-defined sets of permissions. 管理员 / 店长 / 店员 are presets (seeded by the
migration): editable, never deleted. A role in use cannot be deleted."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules
from qihang_app.domain.permissions import ADMIN_KEY, KEYS, PRESETS, known
from qihang_app.models import Role, User

from . import audit
from .errors import ConflictError, NotFoundError, ValidationError, checked
from .scope import Actor, require_permission


@dataclass(frozen=True)
class RoleRow:
    id: int
    key: str
    name: str
    permissions: frozenset[str]
    preset: bool
    users: int  # accounts holding it


def permissions_of(session: Session, role_key: str) -> frozenset[str]:
    """The permissions of a role key; a key with no row (never seeded) falls back to its preset.
    管理员 always holds every permission, including those features add after it was seeded."""
    if role_key == "admin":
        return KEYS
    row = session.exec(select(Role.permissions).where(Role.key == role_key)).first()
    if row is None:
        return PRESETS[role_key][2] if role_key in PRESETS else frozenset()
    return known(json.loads(row or "[]"))


def _keys(permissions: Iterable[str]) -> list[str]:
    wanted = set(permissions)
    if unknown := wanted - KEYS:
        raise ValidationError(key="roles.err.unknown_permission", field="permissions", keys=", ".join(sorted(unknown)))
    if not wanted:
        raise ValidationError(key="roles.err.no_permission", field="permissions")
    return sorted(wanted)


def _name(session: Session, name: str, role_id: int | None) -> str:
    name = checked("name", rules.text, name, limit="display_name", required=True)
    clash = select(Role.id).where(sa.func.lower(Role.name) == name.lower())
    if role_id is not None:
        clash = clash.where(Role.id != role_id)
    if session.exec(clash).first() is not None:
        raise ConflictError(key="roles.err.name_taken", field="name", name=name)
    return name


def _get(session: Session, role_id: int) -> Role:
    role = session.get(Role, role_id)
    if role is None:
        raise NotFoundError(key="roles.err.not_found", role_id=role_id)
    return role


def role_exists(session: Session, key: str) -> bool:
    return session.exec(select(Role.id).where(Role.key == key)).first() is not None or key in PRESETS


def list_roles(session: Session, *, actor: Actor) -> list[RoleRow]:
    """Every role (presets first), for the roles page and the users page's role picker."""
    if not (actor.can("roles.manage") or actor.can("users.manage")):
        require_permission(actor, "roles.manage")
    counts = dict(session.exec(select(User.role, sa.func.count()).group_by(User.role)).all())
    rows = session.exec(select(Role).order_by(Role.preset.desc(), Role.id)).all()
    return [
        RoleRow(r.id, r.key, r.name, known(json.loads(r.permissions or "[]")), r.preset, counts.get(r.key, 0))
        for r in rows
    ]


def _snapshot(role: Role) -> dict:
    return {"name": role.name, "permissions": json.loads(role.permissions or "[]")}


def create_role(session: Session, *, actor: Actor, name: str, permissions: Iterable[str]) -> Role:
    require_permission(actor, "roles.manage")
    role = Role(
        key=f"r{secrets.token_hex(4)}", name=_name(session, name, None), permissions=json.dumps(_keys(permissions))
    )
    session.add(role)
    session.flush()
    audit.record(
        session, actor, "role.create", audit.Target("role", role.id), after=_snapshot(role) | {"key": role.key}
    )
    return role


def _admins_left(session: Session, role_key: str, keys: list[str]) -> bool:
    """Would some enabled user still hold ADMIN_KEY if role `role_key` had `keys`?"""
    holders = [
        r.key for r in session.exec(select(Role)) if r.key != role_key and ADMIN_KEY in json.loads(r.permissions)
    ]
    if ADMIN_KEY in keys:
        holders.append(role_key)
    count = session.exec(select(sa.func.count()).select_from(User).where(User.enabled, User.role.in_(holders))).one()
    return count > 0


def update_role(session: Session, *, actor: Actor, role_id: int, name: str, permissions: Iterable[str]) -> Role:
    """Rename and set the permissions. Refused when no enabled user would keep 管理用户."""
    require_permission(actor, "roles.manage")
    role = _get(session, role_id)
    before = _snapshot(role)
    keys = _keys(permissions)
    new_name = _name(session, name, role.id)
    if not _admins_left(session, role.key, keys):
        raise ConflictError(key="roles.err.last_admin", field="permissions")
    role.name, role.permissions = new_name, json.dumps(keys)
    session.add(role)
    session.flush()
    audit.record(session, actor, "role.update", audit.Target("role", role.id), before=before, after=_snapshot(role))
    return role


def delete_role(session: Session, *, actor: Actor, role_id: int) -> None:
    """Refused for a preset and for a role that any user (enabled or not) still holds."""
    require_permission(actor, "roles.manage")
    role = _get(session, role_id)
    if role.preset:
        raise ConflictError(key="roles.err.preset", name=role.name)
    holders = session.exec(select(User.username).where(User.role == role.key).order_by(User.username)).all()
    if holders:
        names = "、".join(holders[:5]) + ("…" if len(holders) > 5 else "")
        raise ConflictError(key="roles.err.in_use", name=role.name, n=len(holders), users=names)
    before = _snapshot(role) | {"key": role.key}
    session.delete(role)
    session.flush()
    audit.record(session, actor, "role.delete", audit.Target("role", role_id), before=before)


def name_of(session: Session, role_key: str) -> str:
    """The role's name as saved ("" for a key without a row)."""
    return session.exec(select(Role.name).where(Role.key == role_key)).first() or ""
