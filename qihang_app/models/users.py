"""Users, their store grants, login sessions and login throttling."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, Text, created_at_field, updated_at_field

ROLES = ("admin", "manager", "staff")  # the presets (domain/permissions.py PRESETS); merchants add more


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True)  # stored lower-cased
    display_name: str = ""
    password_hash: str  # argon2id, never the password
    role: str = "staff"  # roles.key
    enabled: bool = True
    last_login_at: datetime | None = At()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    # Failed-login counters live in login_throttles, keyed by username whether or not the user
    # exists, so a lock-out never reveals which usernames are real.


class Role(SQLModel, table=True):
    """A merchant-defined set of permissions (keys of domain/permissions.py)."""

    __tablename__ = "roles"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # what users.role holds; never changes once created
    name: str
    permissions: str = Text("[]")  # JSON list of permission keys
    preset: bool = False  # 管理员 / 店长 / 店员: seeded, editable, never deleted
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class UserStoreGrant(SQLModel, table=True):
    __tablename__ = "user_store_grants"
    __table_args__ = (sa.UniqueConstraint("user_id", "store_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    store_id: int = Field(foreign_key="stores.id", ondelete="CASCADE", index=True)


class AuthSession(SQLModel, table=True):
    """A login session. Only the sha256 of the bearer token is stored."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = At(nullable=False)
    revoked_at: datetime | None = At()
    user_agent: str = ""
    client_ip: str | None = None


class LoginThrottle(SQLModel, table=True):
    """Consecutive failed logins per key: "user:<username>" or "ip:<address>"."""

    __tablename__ = "login_throttles"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    failures: int = 0
    last_failure_at: datetime | None = At()
    locked_until: datetime | None = At()
