"""After-sales (售后): one row per platform refund / return request or hand-made after-sale, the
lines it concerns, and its append-only timeline."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, BigIntPK, Fen, Text, created_at_field, updated_at_field


class AfterSale(SQLModel, table=True):
    __tablename__ = "after_sales"
    __table_args__ = (
        # The idempotency key of intake: one record per platform refund id and shop, ever.
        sa.UniqueConstraint("shop_id", "platform_refund_id"),
        sa.Index("ix_after_sales_store_state", "store_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    no: str = Field(unique=True)  # our after-sale number (the ERP's idempotency key)
    platform: str
    shop_id: int = Field(foreign_key="shops.id")
    store_id: int = Field(foreign_key="stores.id")  # copy for scoping
    order_id: int = Field(foreign_key="orders.id", index=True)
    platform_refund_id: str  # the platform's id; "manual:<no>" for one made by hand
    kind: str  # domain.aftersale.AfterSaleType
    state: str  # domain.aftersale.AfterSaleState
    raw_status_code: str = ""
    amount_fen: int = Fen()  # what the buyer asks back
    refunded_fen: int = Fen()  # what went back
    reason: str = Text("")
    reason_code: str = ""
    buyer_note: str = Text("")
    pictures: str = Text("[]")  # JSON list of evidence picture URLs
    return_carrier: str = ""
    return_waybill: str = ""
    deadline_at: datetime | None = At(index=True)  # the platform decides by itself after this
    platform_updated_at: datetime | None = At()  # ingest never applies an older report
    raw: str = Text("")  # the last platform payload, as received
    # Our last write-back and what the platform answered ("" while none / in flight).
    pending_action: str | None = None
    platform_answer: str | None = Text(None, nullable=True)
    # The ERP's result: resend / exchange / return / refund_only / intercept, and its waybill.
    erp_outcome: str = ""
    erp_tracking_no: str = ""
    erp_ref: str = Field(default="", index=True)  # the ERP's own after-sale id (聚水潭 as_id), from the push
    seller_note: str = Text("")
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class AfterSaleLine(SQLModel, table=True):
    __tablename__ = "after_sale_lines"

    id: int | None = Field(default=None, primary_key=True)
    after_sale_id: int = Field(foreign_key="after_sales.id", ondelete="CASCADE", index=True)
    order_line_id: int | None = Field(default=None, foreign_key="order_lines.id", ondelete="SET NULL")
    platform_item_id: str = ""
    platform_sku_id: str = ""
    name: str = ""
    quantity: int = 0
    amount_fen: int = Fen()
    # Returned goods: received, and whether they can be sold again (stock comes back only then).
    received_quantity: int = 0
    sellable: bool = False


class AfterSaleEvent(SQLModel, table=True):
    """Append-only timeline of an after-sale."""

    __tablename__ = "after_sale_events"
    __table_args__ = (sa.Index("ix_after_sale_events_sale_at", "after_sale_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    after_sale_id: int = Field(foreign_key="after_sales.id", ondelete="CASCADE")
    at: datetime = created_at_field()
    actor: str  # "user:3", "platform:<code>", "erp", "worker"
    kind: str  # "created", "state", "note", "write_back", "answer", "erp_result", ...
    from_state: str | None = None
    to_state: str | None = None
    note: str = Text("")
