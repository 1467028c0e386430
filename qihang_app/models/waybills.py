"""电子面单: numbers issued by a platform's waybill service for an order's parcels."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, Text, created_at_field, updated_at_field

WAYBILL_STATUSES = ("issued", "printed", "shipped", "cancelled")


class Waybill(SQLModel, table=True):
    """One number for one parcel of an order. A cancelled number stays (history); asking again
    takes the next parcel number, so the platform's idempotency key (order + parcel) is new."""

    __tablename__ = "waybills"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "parcel_no"),
        sa.Index("ix_waybills_carrier_tracking", "carrier", "tracking_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", index=True)
    store_id: int = Field(foreign_key="stores.id")  # copy of the order's, for scoping
    shop_id: int = Field(foreign_key="shops.id")
    parcel_no: int = 1
    carrier: str  # our express code
    tracking_no: str
    sort_code: str = ""  # 大头笔 / 三段码
    route_code: str = ""  # 集包地
    print_data: str = Text("{}")  # the platform's print payload (JSON), kept raw
    status: str = "issued"  # WAYBILL_STATUSES
    actor: str = ""
    printed_at: datetime | None = At()
    shipped_at: datetime | None = At()
    cancelled_at: datetime | None = At()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
