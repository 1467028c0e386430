"""Report rollups: sums per (Shanghai day, store, …) recomputed from the orders of a bucket.

A bucket is (store, day). services/reports/rollups.py rebuilds a bucket's rows whenever an order
in it changes; reports read only these tables (fast on a year of orders). The rows are derived
data: `python -m qihang_app.services.reports.rebuild` recreates them from the orders.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import Fen


def _day() -> date:
    return Field(primary_key=True, sa_type=sa.Date)


def _key_int() -> int:
    return Field(primary_key=True, sa_type=sa.Integer, sa_column_kwargs={"autoincrement": False})


def _count() -> int:
    return Field(default=0, sa_type=sa.Integer, nullable=False)


class ReportDaily(SQLModel, table=True):
    """Orders and money per day, store, shop and platform."""

    __tablename__ = "report_daily"
    __table_args__ = (sa.Index("ix_report_daily_store_day", "store_id", "day"),)

    day: date = _day()
    store_id: int = _key_int()
    shop_id: int = _key_int()
    platform: str = Field(primary_key=True)
    orders: int = _count()  # placed and paid, cancelled included
    valid_orders: int = _count()  # not cancelled or closed: the sales figures sum these
    cancelled: int = _count()
    accepted: int = _count()
    accepted_late: int = _count()  # accepted after the platform's deadline
    refunded: int = _count()  # orders with at least one refund event
    goods_fen: int = Fen()
    freight_fen: int = Fen()
    packing_fen: int = Fen()
    platform_discount_fen: int = Fen()
    merchant_discount_fen: int = Fen()
    paid_fen: int = Fen()
    merchant_receivable_fen: int = Fen()


class ReportHourly(SQLModel, table=True):
    """Valid orders per day with their hour of day (Shanghai): the busy-hours heat map."""

    __tablename__ = "report_hourly"
    __table_args__ = (sa.Index("ix_report_hourly_store_day", "store_id", "day"),)

    day: date = _day()
    store_id: int = _key_int()
    orders: int = _count()
    paid_fen: int = Fen()
    # valid orders placed in each hour of the day (h0 = 00:00-00:59)
    h0: int = _count()
    h1: int = _count()
    h2: int = _count()
    h3: int = _count()
    h4: int = _count()
    h5: int = _count()
    h6: int = _count()
    h7: int = _count()
    h8: int = _count()
    h9: int = _count()
    h10: int = _count()
    h11: int = _count()
    h12: int = _count()
    h13: int = _count()
    h14: int = _count()
    h15: int = _count()
    h16: int = _count()
    h17: int = _count()
    h18: int = _count()
    h19: int = _count()
    h20: int = _count()
    h21: int = _count()
    h22: int = _count()
    h23: int = _count()


class ReportDuration(SQLModel, table=True):
    """Histogram of seconds from placed to accepted / ready / picked up / delivered: one row per
    day, store and metric, one column per fixed bin (domain/report_rollup.BIN_EDGES), so a year
    of percentiles is one SUM per bin over a few thousand rows."""

    __tablename__ = "report_durations"
    __table_args__ = (sa.Index("ix_report_durations_store_day", "store_id", "day"),)

    day: date = _day()
    store_id: int = _key_int()
    metric: str = Field(primary_key=True)
    count: int = _count()
    b0: int = _count()
    b1: int = _count()
    b2: int = _count()
    b3: int = _count()
    b4: int = _count()
    b5: int = _count()
    b6: int = _count()
    b7: int = _count()
    b8: int = _count()
    b9: int = _count()
    b10: int = _count()
    b11: int = _count()
    b12: int = _count()
    b13: int = _count()
    b14: int = _count()
    b15: int = _count()
    b16: int = _count()
    b17: int = _count()
    b18: int = _count()
    b19: int = _count()
    b20: int = _count()
    b21: int = _count()
    b22: int = _count()
    b23: int = _count()
    b24: int = _count()
    b25: int = _count()
    b26: int = _count()
    b27: int = _count()
    b28: int = _count()
    b29: int = _count()


class ReportCancel(SQLModel, table=True):
    """Cancelled or closed orders by who ended them and the reason given."""

    __tablename__ = "report_cancels"
    __table_args__ = (sa.Index("ix_report_cancels_store_day", "store_id", "day"),)

    day: date = _day()
    store_id: int = _key_int()
    cancelled_by: str = Field(primary_key=True)
    reason: str = Field(primary_key=True, max_length=120)
    count: int = _count()


class ReportSku(SQLModel, table=True):
    """Quantity and paid amount per SKU (the ERP SKU when linked) of valid orders."""

    __tablename__ = "report_skus"
    __table_args__ = (sa.Index("ix_report_skus_store_day", "store_id", "day"),)

    day: date = _day()
    store_id: int = _key_int()
    sku_key: str = Field(primary_key=True, max_length=200)
    erp_sku_id: int | None = Field(default=None, sa_type=sa.Integer)
    name: str = Field(default="", max_length=200)
    quantity: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    amount_fen: int = Fen()


class ReportSkuMonth(SQLModel, table=True):
    """report_skus summed per calendar month (Shanghai): a year of top SKUs reads 12 months
    instead of 365 days of rows. Rewritten from report_skus whenever a day of the month is."""

    __tablename__ = "report_skus_monthly"
    __table_args__ = (sa.Index("ix_report_skus_monthly_store_month", "store_id", "month"),)

    month: date = Field(primary_key=True, sa_type=sa.Date)  # the first day of the month
    store_id: int = _key_int()
    sku_key: str = Field(primary_key=True, max_length=200)
    erp_sku_id: int | None = Field(default=None, sa_type=sa.Integer)
    name: str = Field(default="", max_length=200)
    quantity: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    amount_fen: int = Fen()


class ReportDelivery(SQLModel, table=True):
    """Rides per Shanghai day of booking, store and carrier ("own" riders, "platform" delivery, or
    a carrier's code): what deliveries cost. Recomputed from the deliveries of a (store, day)
    whenever one changes (services/reports/delivery_costs.py)."""

    __tablename__ = "report_deliveries"
    __table_args__ = (sa.Index("ix_report_deliveries_store_day", "store_id", "day"),)

    day: date = _day()
    store_id: int = _key_int()
    carrier: str = Field(primary_key=True)
    rides: int = _count()  # booked and not cancelled
    orders: int = _count()  # distinct orders those rides carried
    cancelled: int = _count()  # rides cancelled (they cost nothing here)
    fee_fen: int = Fen()
    tip_fen: int = Fen()
