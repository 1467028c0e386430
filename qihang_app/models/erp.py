"""ERP link: connections, account mapping, each order's ERP state, shipments and ERP results."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, BigIntPK, Text, created_at_field, updated_at_field


class ErpConnection(SQLModel, table=True):
    """One ERP the merchant uses: for one store, or merchant-wide when store_id is empty."""

    __tablename__ = "erp_connections"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    erp: str  # an ErpKind code of integrations.registry.ERPS
    store_id: int | None = Field(default=None, foreign_key="stores.id", index=True)  # None: every store
    base_url: str = ""
    # The non-secret fields of the kind in plain JSON; the secret ones as a Fernet token (services.crypto).
    settings_json: str = Text("{}")
    secrets_encrypted: str = Text("")
    # What identifies the connection on our inbound API (its public key): looked up per call.
    inbound_key: str = Field(default="", index=True)
    push_on: str = "accept"  # domain.erp_link.PushOn
    push_cancels: bool = True
    push_after_sales: bool = True
    customer_mode: str = "per_buyer"  # "per_buyer" (a virtual customer each) | "per_shop" (fixed)
    enabled: bool = True
    last_check_at: datetime | None = At()
    last_check_message: str = Text("")
    last_poll_at: datetime | None = At()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ErpCustomerMap(SQLModel, table=True):
    """Platform buyer (or a whole shop) → ERP customer code, per connection."""

    __tablename__ = "erp_customer_maps"
    __table_args__ = (sa.UniqueConstraint("connection_id", "platform", "buyer_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="erp_connections.id", ondelete="CASCADE")
    platform: str
    buyer_ref: str  # the buyer identity, or "shop:<id>" for the shop's fixed customer
    customer_code: str
    created_at: datetime = created_at_field()


class ErpOrderState(SQLModel, table=True):
    """Where an order stands with its ERP (one row per order once it is due)."""

    __tablename__ = "erp_order_states"
    __table_args__ = (sa.Index("ix_erp_order_states_state", "state"),)

    order_id: int = Field(primary_key=True, foreign_key="orders.id", ondelete="CASCADE")
    connection_id: int = Field(foreign_key="erp_connections.id", ondelete="CASCADE", index=True)
    state: str  # domain.erp_link.ErpState
    version: int = 1
    blocked_reason: str = Text("")
    erp_ref: str = ""  # the ERP's document number
    answer: str = Text("")  # the ERP's last answer, in its own words
    customer_code: str = ""
    pushed_at: datetime | None = At()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ErpShipment(SQLModel, table=True):
    """A shipment of an order (ERP API, ERP poll or typed in the drawer). Twice is once."""

    __tablename__ = "erp_shipments"
    __table_args__ = (sa.UniqueConstraint("order_id", "carrier_code", "tracking_no"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", index=True)
    connection_id: int | None = Field(default=None, foreign_key="erp_connections.id", ondelete="SET NULL")
    source: str  # "api" | "poll" | "manual"
    carrier_code: str
    tracking_no: str
    lines_json: str = Text("[]")  # [{"sku": ..., "quantity": ...}]; empty: the whole order
    shipped_at: datetime | None = At()
    actor: str = ""
    # A 补发 / 换货 parcel: the after-sale it answers (the order is the original one).
    after_sale_id: int | None = Field(default=None, index=True)
    created_at: datetime = created_at_field()


class ErpResult(SQLModel, table=True):
    """A cancel or after-sale result the ERP sent, kept raw (the after-sales center reads it later)."""

    __tablename__ = "erp_results"
    __table_args__ = (sa.UniqueConstraint("connection_id", "kind", "ref", "outcome"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntPK)
    connection_id: int = Field(foreign_key="erp_connections.id", ondelete="CASCADE")
    kind: str  # "cancel" | "aftersale"
    ref: str  # order number or after-sale number as pushed
    outcome: str
    order_id: int | None = Field(default=None, foreign_key="orders.id", ondelete="SET NULL", index=True)
    body: str = Text("")
    created_at: datetime = created_at_field()


class ErpSeenSignature(SQLModel, table=True):
    """Inbound signatures seen inside the replay window (a second use is a replay)."""

    __tablename__ = "erp_seen_signatures"

    signature: str = Field(primary_key=True)
    seen_at: datetime = At(nullable=False, index=True)
