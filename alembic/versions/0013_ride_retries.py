"""ride_retries: a carrier call (book, tip, cancel) waiting for its next try

Revision ID: 0013_ride_retries
Revises: 0011_aftersales
Create Date: 2026-11-27 16:15:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from qihang_app.models.base import UTCDateTime

revision: str = "0013_ride_retries"
down_revision: str | None = "0011_aftersales"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ride_retries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_ride_retries_order_id_orders", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ride_retries"),
        sa.UniqueConstraint("key", name="uq_ride_retries_key"),
    )
    op.create_index("ix_ride_retries_order_id", "ride_retries", ["order_id"])
    op.create_index("ix_ride_retries_status_next", "ride_retries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_ride_retries_status_next", table_name="ride_retries")
    op.drop_index("ix_ride_retries_order_id", table_name="ride_retries")
    op.drop_table("ride_retries")
