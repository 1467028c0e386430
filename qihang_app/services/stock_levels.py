"""The two writes every stock change is made of: a ledger row and one guarded UPDATE of the level.

The UPDATE carries its own guard (`... WHERE on_hand + dh - (reserved + dr) >= 0 AND reserved + dr
>= 0`), so two workers racing for the last units cannot both pass it: on PostgreSQL the second
waits on the row lock and re-checks the guard against the committed row; on SQLite BEGIN
IMMEDIATE lets one writer in at a time (see qihang_app/db.py).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from qihang_app.domain.stock import Delta
from qihang_app.models import ShopStockSetting, StockLevel, StockLocation, StockMove, Store, UTCDateTime, utcnow

_levels = StockLevel.__table__
_moves = StockMove.__table__
_locations = StockLocation.__table__


def _insert(session: Session, table: sa.Table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def store_location(session: Session, store_id: int) -> int:
    """The location of a store's own shelf, made the first time it is needed."""
    found = session.execute(sa.select(_locations.c.id).where(_locations.c.store_id == store_id)).scalar()
    if found is not None:
        return found
    name = session.execute(sa.select(Store.name).where(Store.id == store_id)).scalar() or f"#{store_id}"
    session.execute(
        _insert(session, _locations)
        .values(name=name, kind="store", store_id=store_id, enabled=True, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["store_id"])
    )
    return session.execute(sa.select(_locations.c.id).where(_locations.c.store_id == store_id)).scalar_one()


def shop_locations(session: Session, shop_ids: set[int]) -> dict[int, tuple[int, str]]:
    """{shop id: (location id, reserve_on)}: the shop's chosen location, else its store's."""
    from qihang_app.models import Shop

    rows = session.execute(
        sa.select(Shop.id, Shop.store_id, ShopStockSetting.location_id, ShopStockSetting.reserve_on)
        .outerjoin(ShopStockSetting, ShopStockSetting.shop_id == Shop.id)
        .where(Shop.id.in_(sorted(shop_ids)))
    ).all()
    by_store: dict[int, int] = {}
    out = {}
    for shop_id, store_id, location_id, reserve_on in rows:
        if location_id is None:
            if store_id not in by_store:
                by_store[store_id] = store_location(session, store_id)
            location_id = by_store[store_id]
        out[shop_id] = (location_id, reserve_on or "accept")
    return out


def ensure_level(session: Session, location_id: int, sku_id: int) -> None:
    session.execute(
        _insert(session, _levels)
        .values(
            location_id=location_id,
            erp_sku_id=sku_id,
            on_hand=0,
            reserved=0,
            low_threshold=0,
            version=0,
            synced_version=0,
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["location_id", "erp_sku_id"])
    )


def _change_statement():
    """Built once: the hot path only binds values (statement building costs more than the SQL)."""
    dh, dr = sa.bindparam("b_dh", type_=sa.Integer), sa.bindparam("b_dr", type_=sa.Integer)
    now = sa.bindparam("b_now", type_=UTCDateTime())
    on_hand, reserved = _levels.c.on_hand + dh, _levels.c.reserved + dr
    return (
        _levels.update()
        .where(
            _levels.c.location_id == sa.bindparam("b_loc"),
            _levels.c.erp_sku_id == sa.bindparam("b_sku"),
            reserved >= 0,
            on_hand - reserved >= 0,
        )
        .values(
            on_hand=on_hand,
            reserved=reserved,
            version=_levels.c.version + 1,
            changed_at=now,
            dirty_since=sa.case((_levels.c.version == _levels.c.synced_version, now), else_=_levels.c.dirty_since),
            updated_at=now,
        )
    )


_CHANGE = _change_statement()


def change_level(session: Session, location_id: int, sku_id: int, delta: Delta, now: datetime | None = None) -> bool:
    """Apply `delta` when the level stays valid; False (nothing changed) otherwise, or when the
    level does not exist (nothing is there to take)."""
    params = {
        "b_loc": location_id,
        "b_sku": sku_id,
        "b_dh": delta.on_hand,
        "b_dr": delta.reserved,
        "b_now": now or utcnow(),
    }
    return session.execute(_CHANGE, params).rowcount == 1


def available(session: Session, location_id: int, sku_id: int) -> int:
    row = session.execute(
        sa.select(_levels.c.on_hand - _levels.c.reserved).where(
            _levels.c.location_id == location_id, _levels.c.erp_sku_id == sku_id
        )
    ).scalar()
    return int(row or 0)


def add_move(
    session: Session,
    *,
    location_id: int,
    sku_id: int,
    kind: str,
    delta: Delta,
    actor: str,
    reason: str,
    idem_key: str | None = None,
    order_id: int | None = None,
    line_no: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> int | None:
    """Insert a ledger row; None when a row with the same idempotency key exists (the move was
    already made, by this worker earlier or by another one right now)."""
    params = {
        "location_id": location_id,
        "erp_sku_id": sku_id,
        "kind": kind,
        "on_hand_delta": delta.on_hand,
        "reserved_delta": delta.reserved,
        "order_id": order_id,
        "line_no": line_no,
        "idem_key": idem_key,
        "actor": actor,
        "reason": str(reason),
        "note": note[:2000],
        "created_at": now or utcnow(),
    }
    return session.execute(_move_insert(session.get_bind().dialect.name, idem_key is not None), params).scalar()


@lru_cache
def _move_insert(dialect: str, idempotent: bool):
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(_moves).returning(_moves.c.id)
    return statement.on_conflict_do_nothing(index_elements=["idem_key"]) if idempotent else statement


def drop_move(session: Session, move_id: int) -> None:
    """Take back a ledger row this transaction just wrote, when its level change was refused."""
    session.execute(_moves.delete().where(_moves.c.id == move_id))
