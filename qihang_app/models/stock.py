"""Stock per location (a store's shelf or a warehouse) per ERP SKU, and its ledger.

`stock_levels` holds the running totals; every change to them is a `stock_moves` row written in
the same transaction (on hand is never edited without one). Reservations are changed by one
conditional UPDATE (`... WHERE on_hand - reserved >= n`), so racing workers never oversell.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, BigIntPK, Text, created_at_field, updated_at_field


class StockLocation(SQLModel, table=True):
    """Where goods are: a store (one location per store, made when first needed) or a warehouse."""

    __tablename__ = "stock_locations"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str = "store"  # "store" | "warehouse"
    store_id: int | None = Field(default=None, foreign_key="stores.id", unique=True)
    enabled: bool = True
    created_at: datetime = created_at_field()


class StockLevel(SQLModel, table=True):
    __tablename__ = "stock_levels"
    __table_args__ = (
        sa.UniqueConstraint("location_id", "erp_sku_id"),
        sa.CheckConstraint("reserved >= 0 AND on_hand >= reserved", name="available_not_negative"),
        sa.Index("ix_stock_levels_unsynced", "synced_version", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="stock_locations.id", ondelete="CASCADE")
    erp_sku_id: int = Field(foreign_key="erp_skus.id", ondelete="CASCADE", index=True)
    on_hand: int = 0
    reserved: int = 0
    low_threshold: int = 0  # 0: no low-stock alert
    # Stock sync: every change bumps `version`; the sync flush pushes rows whose synced_version
    # is behind, once they have been quiet for the debounce interval.
    version: int = 0
    synced_version: int = 0
    changed_at: datetime | None = At()
    dirty_since: datetime | None = At()  # first change not yet pushed (bounds the debounce)
    updated_at: datetime = updated_at_field()


class StockMove(SQLModel, table=True):
    """One ledger row. Append-only: sum(on_hand_delta) per level equals its on hand."""

    __tablename__ = "stock_moves"
    __table_args__ = (sa.Index("ix_stock_moves_level", "location_id", "erp_sku_id", "id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    location_id: int = Field(foreign_key="stock_locations.id", ondelete="CASCADE")
    erp_sku_id: int = Field(foreign_key="erp_skus.id", ondelete="CASCADE")
    kind: str  # domain.stock.MoveKind
    on_hand_delta: int = 0
    reserved_delta: int = 0
    order_id: int | None = Field(default=None, foreign_key="orders.id", ondelete="SET NULL", index=True)
    line_no: int | None = None
    # Order movements happen once per (order, line, kind); manual ones carry a random key.
    idem_key: str | None = Field(default=None, unique=True)
    actor: str = ""  # "user:3", "worker"
    reason: str = ""  # 盘点 / 报损 / 调拨 / 采购入库 / order
    note: str = Text("")
    created_at: datetime = created_at_field()


class StockShortage(SQLModel, table=True):
    """An order line that wanted stock and found too little (缺货 on its board card)."""

    __tablename__ = "stock_shortages"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "line_no"),
        sa.Index("ix_stock_shortages_level", "location_id", "erp_sku_id"),  # who waits for this SKU here
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", index=True)
    line_no: int
    erp_sku_id: int = Field(foreign_key="erp_skus.id", ondelete="CASCADE")
    location_id: int = Field(foreign_key="stock_locations.id", ondelete="CASCADE")
    wanted: int
    missing: int
    created_at: datetime = created_at_field()


class ShopStockSetting(SQLModel, table=True):
    """How a shop uses stock: when it reserves, which location it sells from, its safety buffer."""

    __tablename__ = "shop_stock_settings"

    shop_id: int = Field(foreign_key="shops.id", ondelete="CASCADE", primary_key=True)
    reserve_on: str = "accept"  # "accept" | "paid"
    location_id: int | None = Field(default=None, foreign_key="stock_locations.id", ondelete="SET NULL")
    buffer: int = 0  # published = max(0, available - buffer)
    updated_at: datetime = updated_at_field()


class StockPublished(SQLModel, table=True):
    """What a shop SKU was last told (so 售罄 / 上架 are sent only when they change)."""

    __tablename__ = "stock_published"

    shop_sku_id: int = Field(foreign_key="shop_skus.id", ondelete="CASCADE", primary_key=True)
    quantity: int = 0
    sold_out: bool = False
    updated_at: datetime = updated_at_field()
