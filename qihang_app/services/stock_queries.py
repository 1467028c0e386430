"""What the 库存 page and the board read: levels per location (search, low-stock filter), the
ledger, and how many SKUs are low in the actor's places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain import input_rules as rules
from qihang_app.domain.stock import is_low
from qihang_app.models import ErpSku, Order, StockLevel, StockLocation, StockMove, User

from .errors import checked
from .scope import Actor
from .stock_admin import location_for

PAGE = 100


@dataclass(frozen=True)
class LevelRow:
    sku_id: int
    code: str
    name: str
    spec: str
    barcode: str
    on_hand: int
    reserved: int
    available: int
    threshold: int
    low: bool


@dataclass(frozen=True)
class MoveRow:
    id: int
    at: datetime
    sku_code: str
    sku_name: str
    kind: str
    reason: str
    on_hand_delta: int
    reserved_delta: int
    order_id: int | None
    order_no: str  # the order's display number, "" for staff movements
    actor: str  # who: a username, or "worker" / "auto-accept"
    note: str


def levels(
    session: Session, *, actor: Actor, location_id: int, query: str = "", low_only: bool = False, limit: int = PAGE
) -> list[LevelRow]:
    """Every enabled ERP SKU with its stock here (0 where nothing was ever received)."""
    location_for(session, actor=actor, location_id=location_id)
    q = checked("query", rules.text, query, limit="sku_code")
    lv = sa.orm.aliased(StockLevel)
    on_hand = sa.func.coalesce(lv.on_hand, 0)
    reserved = sa.func.coalesce(lv.reserved, 0)
    threshold = sa.func.coalesce(lv.low_threshold, 0)
    statement = (
        sa.select(ErpSku.id, ErpSku.code, ErpSku.name, ErpSku.spec, ErpSku.barcode, on_hand, reserved, threshold)
        .outerjoin(lv, sa.and_(lv.erp_sku_id == ErpSku.id, lv.location_id == location_id))
        .where(ErpSku.enabled)
        .order_by(ErpSku.code)
        .limit(limit)
    )
    if q:
        like = f"%{q}%"
        statement = statement.where(sa.or_(ErpSku.code.ilike(like), ErpSku.name.ilike(like), ErpSku.barcode == q))
    if low_only:
        statement = statement.where(threshold > 0, on_hand - reserved <= threshold)
    out = []
    for sku_id, code, name, spec, barcode, have, held, low_at in session.execute(statement):
        free = have - held
        out.append(LevelRow(sku_id, code, name, spec, barcode, have, held, free, low_at, is_low(free, low_at)))
    return out


def ledger(
    session: Session, *, actor: Actor, location_id: int, sku_id: int | None = None, limit: int = PAGE
) -> list[MoveRow]:
    """The newest movements here (of one SKU, or all), newest first."""
    location_for(session, actor=actor, location_id=location_id)
    statement = (
        sa.select(StockMove, ErpSku.code, ErpSku.name, Order.display_no)
        .join(ErpSku, ErpSku.id == StockMove.erp_sku_id)
        .outerjoin(Order, Order.id == StockMove.order_id)
        .where(StockMove.location_id == location_id)
        .order_by(StockMove.id.desc())
        .limit(limit)
    )
    if sku_id is not None:
        statement = statement.where(StockMove.erp_sku_id == sku_id)
    found = session.execute(statement).all()
    user_ids = {int(m.actor[5:]) for m, *_ in found if m.actor.startswith("user:") and m.actor[5:].isdigit()}
    names = dict(session.execute(sa.select(User.id, User.username).where(User.id.in_(sorted(user_ids)))).all())
    return [
        MoveRow(
            m.id,
            m.created_at,
            code,
            name,
            m.kind,
            m.reason,
            m.on_hand_delta,
            m.reserved_delta,
            m.order_id,
            order_no or "",
            _who(m.actor, names),
            m.note,
        )
        for m, code, name, order_no in found
    ]


def _who(actor: str, names: dict[int, str]) -> str:
    if actor.startswith("user:") and actor[5:].isdigit():
        return names.get(int(actor[5:]), actor)
    return actor


def low_count(session: Session, *, actor: Actor) -> int:
    """SKUs at or below their low-stock threshold in the places the actor may see."""
    statement = (
        sa.select(sa.func.count())
        .select_from(StockLevel)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(
            StockLevel.low_threshold > 0,
            StockLevel.on_hand - StockLevel.reserved <= StockLevel.low_threshold,
            StockLocation.enabled,
        )
    )
    if not actor.all_stores:
        statement = statement.where(
            sa.or_(StockLocation.store_id.is_(None), StockLocation.store_id.in_(sorted(actor.store_ids)))
        )
    return int(session.execute(statement).scalar() or 0)


def available_by_sku(session: Session, *, actor: Actor, sku_ids: list[int]) -> dict[int, int]:
    """Available units per ERP SKU, summed over the enabled places the actor may see (商品 list);
    SKUs with no stock row anywhere are left out."""
    if not sku_ids:
        return {}
    statement = (
        sa.select(StockLevel.erp_sku_id, sa.func.sum(StockLevel.on_hand - StockLevel.reserved))
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(StockLevel.erp_sku_id.in_(sorted(set(sku_ids))), StockLocation.enabled)
        .group_by(StockLevel.erp_sku_id)
    )
    if not actor.all_stores:
        statement = statement.where(
            sa.or_(StockLocation.store_id.is_(None), StockLocation.store_id.in_(sorted(actor.store_ids)))
        )
    return {sku: int(units or 0) for sku, units in session.execute(statement)}
