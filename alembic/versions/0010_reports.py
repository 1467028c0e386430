"""report rollups: daily sales, orders by hour, duration histograms, cancels, SKUs per store-day and month

Derived data: after upgrading a database that already has orders, fill them once with
`python -m qihang_app.services.reports.rebuild`.

Revision ID: 0010_reports
Revises: 0004
Create Date: 2026-11-27 13:20:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_reports"
down_revision: str | None = "0012_audit_roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("store_id", sa.Integer(), autoincrement=False, nullable=False),
    ]


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _fen(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def _index(table: str) -> None:
    op.create_index(f"ix_{table}_store_day", table, ["store_id", "day"], unique=False)


def upgrade() -> None:
    op.create_table(
        "report_cancels",
        *_key_columns(),
        sa.Column("cancelled_by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(length=120), nullable=False),
        *_counts("count"),
        sa.PrimaryKeyConstraint("day", "store_id", "cancelled_by", "reason", name=op.f("pk_report_cancels")),
    )
    _index("report_cancels")
    op.create_table(
        "report_daily",
        *_key_columns(),
        sa.Column("shop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        *_counts("orders", "valid_orders", "cancelled", "accepted", "accepted_late", "refunded"),
        *_fen(
            "goods_fen", "freight_fen", "packing_fen", "platform_discount_fen",
            "merchant_discount_fen", "paid_fen", "merchant_receivable_fen",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("day", "store_id", "shop_id", "platform", name=op.f("pk_report_daily")),
    )
    _index("report_daily")
    op.create_table(
        "report_durations",
        *_key_columns(),
        sa.Column("metric", sa.String(), nullable=False),
        *_counts("count", *(f"b{i}" for i in range(30))),
        sa.PrimaryKeyConstraint("day", "store_id", "metric", name=op.f("pk_report_durations")),
    )
    _index("report_durations")
    op.create_table(
        "report_hourly",
        *_key_columns(),
        *_counts("orders"),
        *_fen("paid_fen"),
        *_counts(*(f"h{i}" for i in range(24))),
        sa.PrimaryKeyConstraint("day", "store_id", name=op.f("pk_report_hourly")),
    )
    _index("report_hourly")
    op.create_table(
        "report_skus",
        *_key_columns(),
        sa.Column("sku_key", sa.String(length=200), nullable=False),
        sa.Column("erp_sku_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_fen("quantity", "amount_fen"),
        sa.PrimaryKeyConstraint("day", "store_id", "sku_key", name=op.f("pk_report_skus")),
    )
    _index("report_skus")
    op.create_table(
        "report_skus_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("store_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku_key", sa.String(length=200), nullable=False),
        sa.Column("erp_sku_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_fen("quantity", "amount_fen"),
        sa.PrimaryKeyConstraint("month", "store_id", "sku_key", name=op.f("pk_report_skus_monthly")),
    )
    op.create_index("ix_report_skus_monthly_store_month", "report_skus_monthly", ["store_id", "month"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_report_skus_monthly_store_month", table_name="report_skus_monthly")
    op.drop_table("report_skus_monthly")
    for table in ("report_skus", "report_hourly", "report_durations", "report_daily", "report_cancels"):
        op.drop_index(f"ix_{table}_store_day", table_name=table)
        op.drop_table(table)
