"""Instant delivery: carrier accounts of a store, the store's own riders, its auto-dispatch rule,
and one delivery row per dispatch of an order (carrier, rider, position, fee and tip)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import At, Fen, Text, created_at_field, updated_at_field


class CarrierAccount(SQLModel, table=True):
    """One account of one carrier (达达, 顺丰同城 …) used by a store."""

    __tablename__ = "carrier_accounts"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="stores.id", index=True)
    carrier: str  # the carrier kind's code
    name: str = ""
    # Fernet token of a JSON dict of the kind's fields (like shops' credentials).
    keys_encrypted: str = Text("")
    base_url: str = ""  # '' = the carrier's production URL
    enabled: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class OwnRider(SQLModel, table=True):
    """A rider employed by the store; opens a phone page by a secret link (only its hash is kept)."""

    __tablename__ = "own_riders"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="stores.id", index=True)
    name: str
    phone: str
    active: bool = True
    link_hash: str = Field(default="", index=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class DispatchRule(SQLModel, table=True):
    """A store's auto-dispatch: when, how, under which price, how long to wait for a rider."""

    __tablename__ = "dispatch_rules"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="stores.id", unique=True)
    enabled: bool = False
    trigger: str = "ready"  # "accept" (right after 接单) | "ready" (at 备货完成)
    strategy: str = "cheapest"  # "cheapest" | "fastest" | "preferred"
    preferred: str = ""  # carrier codes in the preferred order, comma separated
    max_fee_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    accept_minutes: int = 5  # no rider within this long: cancel and try the next carrier
    updated_at: datetime = updated_at_field()


class Delivery(SQLModel, table=True):
    """One dispatch of an order to a carrier (or an own rider). The newest row of an order that
    is not cancelled is its current delivery; older rows stay for the timeline and reports."""

    __tablename__ = "deliveries"
    __table_args__ = (sa.UniqueConstraint("carrier", "order_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="CASCADE")
    store_id: int = Field(foreign_key="stores.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="carrier_accounts.id", ondelete="SET NULL")
    own_rider_id: int | None = Field(default=None, foreign_key="own_riders.id", ondelete="SET NULL")
    carrier: str  # a carrier code, "own" or "platform"
    order_ref: str  # our id of this dispatch at the carrier
    carrier_order_id: str = ""
    status: str = "awaiting_rider"  # DeliveryStatus value
    carrier_status: str = ""
    status_at: datetime | None = At()  # the carrier's time of the current status
    rider_name: str = ""
    rider_phone: str = ""
    lat: float | None = None  # GCJ-02
    lng: float | None = None
    fee_fen: int = Fen()
    tip_fen: int = Fen()
    distance_m: int = 0
    eta_at: datetime | None = At()
    auto: bool = False  # booked by the store's auto-dispatch rule
    ended_reason: str | None = Text(None, nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
