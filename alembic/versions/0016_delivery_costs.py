"""report_deliveries: rides, fees and tips per day, store and carrier (the delivery cost report)

Revision ID: 0016_delivery_costs
Revises: 0015_oauth
Create Date: 2026-11-27 16:20:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)

from alembic import op

revision: str = "0016_delivery_costs"
down_revision: str | None = "0015_oauth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows are derived data: `python -m qihang_app.services.reports.rebuild` fills them from the
    # deliveries already stored.
    op.create_table(
        "report_deliveries",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("store_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rides", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("tip_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "store_id", "carrier", name=op.f("pk_report_deliveries")),
    )
    op.create_index("ix_report_deliveries_store_day", "report_deliveries", ["store_id", "day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_report_deliveries_store_day", table_name="report_deliveries")
    op.drop_table("report_deliveries")
