"""Physical stores/warehouses and the platform shops attached to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, Text, created_at_field, updated_at_field


class Store(SQLModel, table=True):
    __tablename__ = "stores"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    address: str = ""
    lat: float | None = None  # GCJ-02 (what Chinese map and delivery APIs use)
    lng: float | None = None
    opening_hours: str = ""  # e.g. "09:00-22:00"
    phone: str = ""
    enabled: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Shop(SQLModel, table=True):
    """One shop on one platform; several shops of the same platform are allowed."""

    __tablename__ = "shops"
    __table_args__ = (sa.UniqueConstraint("platform", "platform_shop_id"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="stores.id", index=True)
    platform: str  # Platform value
    platform_shop_id: str
    name: str
    # Fernet token of a JSON dict (app_key, app_secret, access_token, ...); see services.crypto.
    credentials_encrypted: str = Text("")
    token_expires_at: datetime | None = At()  # the access token's (OAuth platforms)
    refresh_expires_at: datetime | None = At()  # the refresh token's
    # Set when the platform refused a token refresh: the shop needs 授权 again (plain words / key).
    reauth_reason: str | None = Text(None, nullable=True)
    enabled: bool = True

    auto_accept: bool = False
    auto_accept_start: str | None = None  # "HH:MM" Asia/Shanghai; None = all day
    auto_accept_end: str | None = None
    auto_accept_max_per_hour: int | None = None

    # Poll sweep backing up at-least-once pushes: orders updated since this instant are re-pulled.
    last_sweep_cursor_at: datetime | None = At()
    sweep_interval_seconds: int = 300
    # The refund pull's own cursor (platforms with `refunds_pullable`), moved like the order one.
    last_refund_cursor_at: datetime | None = At()

    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
