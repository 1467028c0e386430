"""Who is acting, and which stores they may see and act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.models import Store


@dataclass(frozen=True)
class Actor:
    """A signed-in user as services see them (built by auth.resolve_session)."""

    user_id: int
    username: str
    role: str  # roles.key: "admin" | "manager" | "staff" | a merchant's own
    store_ids: frozenset[int] = field(default_factory=frozenset)
    all_stores: bool = False  # holders of "stores.all" see every store, including ones created later
    permissions: frozenset[str] = field(default_factory=frozenset)  # keys of domain/permissions.py
    address: str | None = None  # the client's IP, recorded in the audit trail (set by the caller)

    @property
    def ref(self) -> str:
        """How this actor is recorded in OrderEvent.actor."""
        return f"user:{self.user_id}"

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def can_access(self, store_id: int | None) -> bool:
        return self.all_stores or (store_id is not None and store_id in self.store_ids)


class ScopeError(PermissionError):
    """The actor may not see or act on this store, or lacks the role."""

    def __init__(self, detail_zh: str, detail_en: str) -> None:
        self.detail_zh = detail_zh
        self.detail_en = detail_en
        super().__init__(f"{detail_zh} / {detail_en}")


def require_store(actor: Actor, store_id: int | None) -> None:
    if not actor.can_access(store_id):
        raise ScopeError(f"无权访问门店 {store_id}", f"no access to store {store_id} for {actor.username}")


def require_permission(actor: Actor, permission: str) -> None:
    """Refuse unless the actor's role holds `permission` (a key of domain/permissions.py)."""
    if not actor.can(permission):
        raise ScopeError(
            f"当前角色（{actor.role}）无权执行此操作（需要权限 {permission}）",
            f"role {actor.role!r} may not do this (needs the permission {permission!r})",
        )


def visible_store_ids(session: Session, actor: Actor) -> frozenset[int]:
    """Ids of the existing stores the actor may see."""
    query = select(Store.id)
    if not actor.all_stores:
        query = query.where(Store.id.in_(actor.store_ids))
    return frozenset(session.exec(query).all())


def store_filter(actor: Actor, column: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """A WHERE clause limiting `column` (a store id column) to the actor's stores."""
    if actor.all_stores:
        return sa.true()
    return column.in_(sorted(actor.store_ids))


def require_stores(actor: Actor, store_ids: Iterable[int]) -> None:
    for store_id in store_ids:
        require_store(actor, store_id)
