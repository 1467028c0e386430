"""Inbox (raw payloads in, stored before parsing) and outbox (external effects out)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, BigIntPK, Text, created_at_field

INBOX_STATUSES = ("received", "processed", "failed", "rejected")
OUTBOX_STATUSES = ("pending", "in_flight", "done", "failed", "dead")


class InboxMessage(SQLModel, table=True):
    __tablename__ = "inbox_messages"
    __table_args__ = (sa.Index("ix_inbox_messages_status_received", "status", "received_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    source: str  # a platform code, "erp", ...
    shop_id: int | None = Field(default=None, foreign_key="shops.id", ondelete="SET NULL")
    kind: str = ""  # "order_push", "refund_push", "poll", ...
    headers: str = Text("{}")  # JSON object
    body: str = Text("")  # raw payload as received (UTF-8 JSON or form text)
    received_at: datetime = created_at_field()
    status: str = "received"  # INBOX_STATUSES
    error: str | None = Text(None, nullable=True)
    attempts: int = 0
    dedup_key: str | None = Field(default=None, index=True)
    processed_at: datetime | None = At()


class OutboxMessage(SQLModel, table=True):
    """One external effect, written in the same transaction as the change that caused it.

    While `in_flight`, next_attempt_at is the lease expiry: a relay that crashed mid-call is
    retried after it (the idempotency_key makes the retry safe).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    kind: str  # "erp_push_order", "platform_accept", "rider_call", ...
    target: str  # "erp", a platform or carrier code, ...
    shop_id: int | None = Field(default=None, foreign_key="shops.id", ondelete="SET NULL")
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    payload: str = Text("{}")  # JSON object
    idempotency_key: str = Field(unique=True)
    status: str = "pending"  # OUTBOX_STATUSES
    attempts: int = 0
    next_attempt_at: datetime | None = At()
    last_error: str | None = Text(None, nullable=True)
    created_at: datetime = created_at_field()
    done_at: datetime | None = At()
