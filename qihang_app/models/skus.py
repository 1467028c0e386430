"""The merchant's own (ERP) products and SKUs, the platform shops' SKUs linked to them, and the
record of every hand-made link and unlink (who and why)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import BigIntPK, Fen, Text, created_at_field, updated_at_field


class Product(SQLModel, table=True):
    """商品: what the merchant sells; its SKUs carry the spec values, codes and prices."""

    __tablename__ = "products"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)  # 商品编码 (style number)
    name: str = Field(index=True)
    category: str = Field(default="", index=True)
    unit: str = ""
    enabled: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ErpSku(SQLModel, table=True):
    __tablename__ = "erp_skus"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    spec: str = ""  # the spec values joined for display ("红色 / XL")
    barcode: str = Field(default="", index=True)
    unit: str = ""
    price_fen: int = Fen()
    enabled: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    product_id: int | None = Field(default=None, foreign_key="products.id", ondelete="SET NULL", index=True)
    color: str = Field(default="", sa_column_kwargs={"server_default": ""})  # 颜色
    size: str = Field(default="", sa_column_kwargs={"server_default": ""})  # 尺码
    variant: str = Field(default="", sa_column_kwargs={"server_default": ""})  # 规格
    weight_g: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    cost_fen: int = Fen(sa_column_kwargs={"server_default": "0"})


class ShopSku(SQLModel, table=True):
    __tablename__ = "shop_skus"
    __table_args__ = (sa.UniqueConstraint("shop_id", "platform_sku_id"),)

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shops.id", ondelete="CASCADE")
    platform_item_id: str = ""
    platform_sku_id: str
    outer_code: str = Field(default="", index=True)
    barcode: str = Field(default="", index=True)
    name: str = ""
    spec: str = ""
    price_fen: int = Fen()
    erp_sku_id: int | None = Field(default=None, foreign_key="erp_skus.id", ondelete="SET NULL", index=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class SkuLinkEvent(SQLModel, table=True):
    """Append-only: a shop SKU was linked (by hand, by a suggestion, by a pull) or unlinked."""

    __tablename__ = "sku_link_events"
    __table_args__ = (sa.Index("ix_sku_link_events_shop_sku_at", "shop_sku_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    shop_sku_id: int = Field(foreign_key="shop_skus.id", ondelete="CASCADE")
    action: str  # "link" | "unlink"
    how: str = ""  # "manual" | "suggestion" | "outer_code" | "barcode"
    erp_sku_id: int | None = Field(default=None, foreign_key="erp_skus.id", ondelete="SET NULL")
    actor: str  # "user:3" or "worker"
    reason: str = Text("")
    backfilled_lines: int = 0
    at: datetime = created_at_field()
