"""The merchant's own (ERP) SKUs and the platform shops' SKUs linked to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import Fen, created_at_field, updated_at_field


class ErpSku(SQLModel, table=True):
    __tablename__ = "erp_skus"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    spec: str = ""
    barcode: str = Field(default="", index=True)
    unit: str = ""
    price_fen: int = Fen()
    enabled: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


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
