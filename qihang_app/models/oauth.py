"""One-time `state` values of the OAuth 授权 flow: bound to a shop and the user who started it.

Only a hash of the value is stored (whoever reads the table cannot finish someone's authorization);
a row is used once (`used_at`) and refused after `expires_at`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import At, created_at_field


class OAuthState(SQLModel, table=True):
    __tablename__ = "oauth_states"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(unique=True)  # sha256 hex of the value sent to the platform
    shop_id: int = Field(foreign_key="shops.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    platform: str
    redirect_uri: str
    created_at: datetime = created_at_field()
    expires_at: datetime = At(nullable=False)
    used_at: datetime | None = At()
