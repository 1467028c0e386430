"""Alert channels (group robots), rule settings, the problems seen and the messages sent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, BigIntPK, Text, created_at_field, updated_at_field

DELIVERY_STATUSES = ("sending", "sent", "failed")


class AlertChannel(SQLModel, table=True):
    """One group robot. store_id None: merchant-wide (every store's problems and the system's)."""

    __tablename__ = "alert_channels"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str  # a robot code of integrations/alerts/registry.py
    store_id: int | None = Field(default=None, foreign_key="stores.id", ondelete="CASCADE", index=True)
    # Fernet token of {"url": …, "secret": …} (the URL holds the robot's token or key): see services.crypto
    credentials_encrypted: str = Text("")
    url_hint: str = ""  # the address with its token masked, for the settings screen
    rules: str = Text("")  # JSON list of rule codes; "" = every rule
    quiet_start: str | None = None  # "HH:MM" Asia/Shanghai
    quiet_end: str | None = None
    max_per_hour: int = 20
    enabled: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class AlertRuleSetting(SQLModel, table=True):
    """A rule's switch and threshold (a rule without a row runs with its defaults)."""

    __tablename__ = "alert_rule_settings"

    code: str = Field(primary_key=True)
    enabled: bool = True
    threshold: int = 0
    updated_at: datetime = updated_at_field()


class AlertProblem(SQLModel, table=True):
    """One problem from first seen to resolved; `key` ("rule:subject") de-duplicates it."""

    __tablename__ = "alert_problems"
    __table_args__ = (sa.Index("ix_alert_problems_resolved_opened", "resolved_at", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    key: str = Field(unique=True)
    rule: str
    store_id: int | None = None
    order_id: int | None = None
    params: str = Text("{}")  # JSON: the message's parameters when it opened
    opened_at: datetime = created_at_field()
    last_seen_at: datetime = At(nullable=False)
    resolved_at: datetime | None = At()


class AlertDelivery(SQLModel, table=True):
    """A message to a channel. The unique (problem, channel, kind) row is claimed before sending,
    so two runs at once cannot both announce a problem. Test messages have no problem."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("problem_id", "channel_id", "kind"),
        sa.Index("ix_alert_deliveries_channel_created", "channel_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    problem_id: int | None = Field(
        default=None, foreign_key="alert_problems.id", ondelete="CASCADE", sa_type=sa.BigInteger
    )
    channel_id: int = Field(foreign_key="alert_channels.id", ondelete="CASCADE")
    kind: str  # "fire" | "resolve" | "test"
    status: str = "sending"  # DELIVERY_STATUSES
    attempts: int = 0
    error: str | None = Text(None, nullable=True)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = At()
