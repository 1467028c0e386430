"""Orders from every platform (and manual ones), their lines and their history."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from qihang_app.domain.display import extension_tail, phone_tail

from .base import At, BigIntPK, Fen, Text, created_at_field, updated_at_field


def phone_search_columns(phone: str | None) -> dict[str, str]:
    """The 尾号 search columns of a receiver phone (the rule is domain.display.phone_tails).
    Every writer uses this: the ORM listener below and ingest's bulk (Core) writes."""
    return {"receiver_phone_tail": phone_tail(phone), "receiver_phone_ext": extension_tail(phone)}


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        # The idempotency key of ingest.
        sa.UniqueConstraint("platform", "shop_id", "platform_order_id"),
        sa.Index("ix_orders_store_status", "store_id", "status"),
        sa.Index("ix_orders_store_placed", "store_id", "placed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str  # Platform value
    shop_id: int = Field(foreign_key="shops.id")
    store_id: int = Field(foreign_key="stores.id")  # copy of shops.store_id, for scoping
    platform_order_id: str
    display_no: str = Field(default="", index=True)
    day_seq: int | None = None  # "#12": the shop's number of the day on the platform
    status: str  # OrderStatus value
    raw_status_code: str | None = None
    raw_status_text: str | None = None
    buyer_memo: str = Text("")
    seller_memo: str = Text("")
    # 旗帜 next to the seller memo: a code of the platform's PlatformProfile.memo_flags ("" = none)
    seller_flag: str = Field(default="", sa_column_kwargs={"server_default": ""})

    receiver_name: str = ""
    receiver_phone: str = ""  # as the platform gives it (often masked or a virtual number)
    receiver_phone_tail: str = Field(default="", max_length=4, index=True)  # set from the phone
    # a privacy number's extension tail ("…_5885"): staff search by it as well
    receiver_phone_ext: str = Field(default="", max_length=4, index=True, sa_column_kwargs={"server_default": ""})
    receiver_address: str = Text("")
    receiver_lat: float | None = None  # GCJ-02
    receiver_lng: float | None = None

    delivery_type: str = ""  # "platform" | "self" | "express" | "pickup"
    is_scheduled: bool = False  # 预订单
    expected_delivery_at: datetime | None = At()
    ship_deadline_at: datetime | None = At()
    accept_deadline_at: datetime | None = At()

    goods_fen: int = Fen()
    freight_fen: int = Fen()
    packing_fen: int = Fen()
    platform_discount_fen: int = Fen()
    merchant_discount_fen: int = Fen()
    paid_fen: int = Fen()
    merchant_receivable_fen: int = Fen()

    placed_at: datetime | None = At(index=True)
    paid_at: datetime | None = At()
    accepted_at: datetime | None = At()
    ready_at: datetime | None = At()  # 备货完成
    shipped_at: datetime | None = At()
    delivered_at: datetime | None = At()
    completed_at: datetime | None = At()
    cancelled_at: datetime | None = At()
    closed_at: datetime | None = At()

    rider_name: str | None = None
    rider_phone: str | None = None
    rider_status: str | None = None
    delivery_carrier: str | None = None  # who carries it now: a carrier code, "own" or "platform"
    rider_eta_at: datetime | None = At()  # when the rider is expected at the door

    auto_accepted: bool = False
    pending_action: str | None = None  # e.g. "accept" while the platform call is in flight
    action_error: str | None = Text(None, nullable=True)  # the platform's answer when a call failed
    exception_reason: str | None = Text(None, nullable=True)  # 异常: refund asked, rider problem…
    # Who ended the order and why, as the platform (or our 拒单) said: the card's 已取消/已拒单 mark.
    cancelled_by: str | None = None  # "user" | "merchant" | "service" | "system"
    cancel_reason: str | None = Text(None, nullable=True)
    # 无售后 / 售后中 / 退款中 / 退款成功 / 部分退款 (domain.aftersale.OrderAfterSale), kept by services.aftersale
    after_sale_state: str = Field(default="none", sa_column_kwargs={"server_default": "none"})
    # Ingest never applies an event older than these (idempotent, never backwards).
    platform_updated_at: datetime | None = At()
    platform_version: int | None = Field(default=None, sa_type=sa.BigInteger)

    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


@sa.event.listens_for(Order, "before_insert")
@sa.event.listens_for(Order, "before_update")
def _set_phone_tail(_mapper, _conn, order: Order) -> None:
    # Core (non-ORM) writes bypass this: they add **phone_search_columns(phone) themselves.
    state = sa.inspect(order)
    if state.pending or state.attrs.receiver_phone.history.has_changes():
        for column, value in phone_search_columns(order.receiver_phone).items():
            setattr(order, column, value)


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_lines"
    __table_args__ = (sa.UniqueConstraint("order_id", "line_no"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE")
    line_no: int
    platform_sku_id: str = ""
    platform_item_id: str = ""
    outer_sku_code: str = ""
    barcode: str = ""
    name: str
    spec: str = ""
    quantity: int
    unit_price_fen: int = Fen()
    allocated_discount_fen: int = Fen()
    paid_fen: int = Fen()
    erp_sku_id: int | None = Field(default=None, foreign_key="erp_skus.id", ondelete="SET NULL", index=True)
    link_method: str | None = None  # how erp_sku_id was found, e.g. "outer_code", "manual"
    # The platform's sub-order id (ships and refunds per line) and its own refund state of the line.
    platform_line_id: str = Field(default="", sa_column_kwargs={"server_default": ""})
    refund_status: str = Field(default="", sa_column_kwargs={"server_default": ""})


class OrderEvent(SQLModel, table=True):
    """Append-only history of an order. Never updated or deleted."""

    __tablename__ = "order_events"
    __table_args__ = (sa.Index("ix_order_events_order_at", "order_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE")
    at: datetime = created_at_field()
    actor: str  # "user:3", "platform:<code>", "worker"
    kind: str  # "created", "accepted", "status", "memo", ...
    from_status: str | None = None
    to_status: str | None = None
    note: str = Text("")
