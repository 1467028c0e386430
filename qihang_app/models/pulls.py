"""Pull logs: one row per order pull from a platform (cron sweep or a manual pull by a user).

A manual pull starts life as a `queued` row written by the UI; a worker cron picks it up within
seconds, and the UI polls the same row for progress (pages, orders) until it is `ok` or `failed`.
A `products` pull reads the shop's product list instead: `orders` then counts the SKUs read and
`changed` the SKUs that got linked to an ERP SKU. A `refunds` pull reads the platform's refund list
(its own cursor, `Shop.last_refund_cursor_at`): `orders` counts the refunds read, `changed` the
after-sales created or moved.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, BigIntPK, Text, created_at_field

PULL_KINDS = ("sweep", "manual", "products", "refunds")
PULL_STATUSES = ("queued", "running", "ok", "failed")


class PullLog(SQLModel, table=True):
    __tablename__ = "pull_logs"
    __table_args__ = (
        sa.Index("ix_pull_logs_shop_created", "shop_id", "created_at"),
        sa.Index("ix_pull_logs_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    shop_id: int = Field(foreign_key="shops.id", ondelete="CASCADE")
    kind: str = "sweep"  # PULL_KINDS
    status: str = "queued"  # PULL_STATUSES
    window_start: datetime | None = At()  # orders updated in [window_start, window_end]
    window_end: datetime | None = At()
    pages: int = 0  # platform pages (or detail calls) done so far
    orders: int = 0  # orders fetched
    changed: int = 0  # orders created or changed by this pull
    duration_ms: int | None = None
    error: str | None = Text(None, nullable=True)
    requested_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    started_at: datetime | None = At()
    finished_at: datetime | None = At()
