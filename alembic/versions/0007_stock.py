"""stock: locations, levels per location and ERP SKU, the ledger of movements, order-line
shortages (缺货), per-shop stock settings and what each shop SKU was last told

Revision ID: 0007_stock
Revises: 0004
Create Date: 2026-11-27 13:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)

from alembic import op

revision: str = "0007_stock"
down_revision: str | None = "0010_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stock_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_stock_locations_store_id_stores")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_locations")),
        sa.UniqueConstraint("store_id", name=op.f("uq_stock_locations_store_id")),
    )
    op.create_table(
        "shop_stock_settings",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("reserve_on", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("buffer", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["stock_locations.id"],
            name=op.f("fk_shop_stock_settings_location_id_stock_locations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_shop_stock_settings_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_shop_stock_settings")),
    )
    op.create_table(
        "stock_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("erp_sku_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("low_threshold", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("synced_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dirty_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reserved >= 0 AND on_hand >= reserved", name=op.f("ck_stock_levels_available_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["erp_sku_id"], ["erp_skus.id"], name=op.f("fk_stock_levels_erp_sku_id_erp_skus"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["stock_locations.id"],
            name=op.f("fk_stock_levels_location_id_stock_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint("location_id", "erp_sku_id", name=op.f("uq_stock_levels_location_id_erp_sku_id")),
    )
    op.create_index(op.f("ix_stock_levels_erp_sku_id"), "stock_levels", ["erp_sku_id"], unique=False)
    op.create_index("ix_stock_levels_unsynced", "stock_levels", ["synced_version", "version"], unique=False)
    op.create_table(
        "stock_moves",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("erp_sku_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("reserved_delta", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("idem_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["erp_sku_id"], ["erp_skus.id"], name=op.f("fk_stock_moves_erp_sku_id_erp_skus"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["stock_locations.id"],
            name=op.f("fk_stock_moves_location_id_stock_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_stock_moves_order_id_orders"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moves")),
        sa.UniqueConstraint("idem_key", name=op.f("uq_stock_moves_idem_key")),
    )
    op.create_index("ix_stock_moves_level", "stock_moves", ["location_id", "erp_sku_id", "id"], unique=False)
    op.create_index(op.f("ix_stock_moves_order_id"), "stock_moves", ["order_id"], unique=False)
    op.create_table(
        "stock_published",
        sa.Column("shop_sku_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("sold_out", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_sku_id"], ["shop_skus.id"], name=op.f("fk_stock_published_shop_sku_id_shop_skus"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_sku_id", name=op.f("pk_stock_published")),
    )
    op.create_table(
        "stock_shortages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("erp_sku_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("wanted", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["erp_sku_id"], ["erp_skus.id"], name=op.f("fk_stock_shortages_erp_sku_id_erp_skus"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["stock_locations.id"],
            name=op.f("fk_stock_shortages_location_id_stock_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_stock_shortages_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_shortages")),
        sa.UniqueConstraint("order_id", "line_no", name=op.f("uq_stock_shortages_order_id_line_no")),
    )
    op.create_index(op.f("ix_stock_shortages_order_id"), "stock_shortages", ["order_id"], unique=False)
    op.create_index("ix_stock_shortages_level", "stock_shortages", ["location_id", "erp_sku_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stock_shortages_level", table_name="stock_shortages")
    op.drop_index(op.f("ix_stock_shortages_order_id"), table_name="stock_shortages")
    op.drop_table("stock_shortages")
    op.drop_table("stock_published")
    op.drop_index(op.f("ix_stock_moves_order_id"), table_name="stock_moves")
    op.drop_index("ix_stock_moves_level", table_name="stock_moves")
    op.drop_table("stock_moves")
    op.drop_index("ix_stock_levels_unsynced", table_name="stock_levels")
    op.drop_index(op.f("ix_stock_levels_erp_sku_id"), table_name="stock_levels")
    op.drop_table("stock_levels")
    op.drop_table("shop_stock_settings")
    op.drop_table("stock_locations")
