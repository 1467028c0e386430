"""A carrier call (book, tip, cancel) that failed for a reason worth another try, kept until it is
done or given up: a job in Redis could be lost, this row cannot."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, Text, created_at_field, updated_at_field

RIDE_RETRY_STATUSES = ("pending", "done", "dead", "dropped")


class RideRetry(SQLModel, table=True):
    __tablename__ = "ride_retries"
    __table_args__ = (sa.Index("ix_ride_retries_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="CASCADE")
    action: str  # "book" | "tip" | "cancel"
    # The same call again: our ride ref for a booking, the carrier's order id for a tip or cancel.
    key: str = Field(unique=True)
    args: str = Text("{}")  # JSON object: the job's arguments
    status: str = "pending"  # RIDE_RETRY_STATUSES
    attempts: int = 0  # failed tries so far
    next_attempt_at: datetime | None = At()
    last_error: str | None = Text(None, nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
