"""Shared column types and helpers for every table.

Rules (see docs/architecture.md "Rules that keep data safe"):
- datetimes are timezone-aware UTC in Python and in the database (UTCDateTime);
- money is BigInteger fen (Fen());
- platform ids are strings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

UTC = UTC

# Deterministic constraint names: alembic can only drop/alter what it can name (SQLite batch mode).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """`timestamptz` on PostgreSQL, ISO text on SQLite; always aware UTC in Python.

    Naive datetimes are refused on the way in: a naive value is a bug (whose local time?).
    SQLite has no time zone, so values are normalised to UTC and stored without offset, which
    also keeps text comparison in the same order as time.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime expects a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: use an aware UTC datetime (utcnow())")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# 64-bit ids for the append-heavy tables; SQLite only auto-increments an INTEGER primary key.
BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def At(*, nullable: bool = True, index: bool = False, **kw: Any) -> Any:
    """A UTC timestamp column (None unless a default/default_factory is given)."""
    if "default" not in kw and "default_factory" not in kw:
        kw["default"] = None
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index, **kw)


def Fen(default: int | None = 0, *, nullable: bool = False, **kw: Any) -> Any:
    """An integer amount of fen (1/100 yuan)."""
    return Field(default=default, sa_type=sa.BigInteger, nullable=nullable, **kw)


def Text(default: str | None = "", *, nullable: bool = False, **kw: Any) -> Any:
    """Unbounded text (raw payloads, JSON, ciphertext, notes)."""
    return Field(default=default, sa_type=sa.Text, nullable=nullable, **kw)


def created_at_field() -> Any:
    return At(nullable=False, default_factory=utcnow)


def updated_at_field() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )
