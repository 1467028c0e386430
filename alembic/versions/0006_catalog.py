"""catalog: ERP products (商品) above the SKUs, SKU spec values / weight / cost, and the record
of every SKU link and unlink

Revision ID: 0006_catalog
Revises: 0004
Create Date: 2026-11-27 13:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = "0006_catalog"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", String(), nullable=False),
        sa.Column("name", String(), nullable=False),
        sa.Column("category", String(), nullable=False),
        sa.Column("unit", String(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("code", name=op.f("uq_products_code")),
    )
    op.create_index("ix_products_name", "products", ["name"])
    op.create_index("ix_products_category", "products", ["category"])
    with op.batch_alter_table("erp_skus") as batch:
        batch.add_column(sa.Column("product_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("color", String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("size", String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("variant", String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("weight_g", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("cost_fen", sa.BigInteger(), nullable=False, server_default="0"))
        batch.create_index("ix_erp_skus_product_id", ["product_id"])
        batch.create_foreign_key(
            "fk_erp_skus_product_id_products", "products", ["product_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "sku_link_events",
        sa.Column("id", BigIntPK, nullable=False),
        sa.Column("shop_sku_id", sa.Integer(), nullable=False),
        sa.Column("action", String(), nullable=False),
        sa.Column("how", String(), nullable=False),
        sa.Column("erp_sku_id", sa.Integer(), nullable=True),
        sa.Column("actor", String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("backfilled_lines", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_sku_id"], ["shop_skus.id"], name=op.f("fk_sku_link_events_shop_sku_id_shop_skus"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["erp_sku_id"], ["erp_skus.id"], name=op.f("fk_sku_link_events_erp_sku_id_erp_skus"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sku_link_events")),
    )
    op.create_index("ix_sku_link_events_shop_sku_at", "sku_link_events", ["shop_sku_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_sku_link_events_shop_sku_at", table_name="sku_link_events")
    op.drop_table("sku_link_events")
    with op.batch_alter_table("erp_skus") as batch:
        batch.drop_constraint("fk_erp_skus_product_id_products", type_="foreignkey")
        batch.drop_index("ix_erp_skus_product_id")
        for column in ("cost_fen", "weight_g", "variant", "size", "color", "product_id"):
            batch.drop_column(column)
    op.drop_index("ix_products_category", table_name="products")
    op.drop_index("ix_products_name", table_name="products")
    op.drop_table("products")
