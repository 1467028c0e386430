"""board marks on orders: the platform's answer to a failed call, and the 异常 reason

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:20:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("action_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("exception_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("exception_reason")
        batch.drop_column("action_error")
