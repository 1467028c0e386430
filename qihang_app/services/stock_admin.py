"""Staff changes to stock: 采购入库 (receipt), 盘点 (count), 报损 (loss), 调拨 (transfer), low-stock
thresholds, warehouses and each shop's stock settings. Every change is a ledger row."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules
from qihang_app.domain.stock import Delta, Level, MoveKind, Reason, ReserveOn, count_delta
from qihang_app.models import ErpSku, Shop, ShopStockSetting, StockLevel, StockLocation, utcnow

from . import audit, stock_sync
from .errors import NotFoundError, ValidationError, checked
from .scope import Actor, require_permission, require_store, visible_store_ids
from .stock import retry_shortages
from .stock_levels import add_move, change_level, ensure_level, store_location

MAX_STOCK = 9_999_999  # units of one SKU in one place; more is a typing slip
MAX_BUFFER = 9_999


def locations(session: Session, *, actor: Actor) -> list[StockLocation]:
    """Every warehouse, and the shelves of the stores the actor may see (made when first asked)."""
    for store_id in sorted(visible_store_ids(session, actor)):
        store_location(session, store_id)
    session.flush()
    rows = session.exec(select(StockLocation).where(StockLocation.enabled).order_by(StockLocation.id)).all()
    return [loc for loc in rows if _may_use(actor, loc)]


def _may_use(actor: Actor, location: StockLocation) -> bool:
    """A store's shelf: whoever works in that store; a warehouse: admins and managers."""
    if location.store_id is None:
        return actor.can("stock.settings")
    return actor.can_access(location.store_id)


def location_for(session: Session, *, actor: Actor, location_id: int) -> StockLocation:
    location = session.get(StockLocation, location_id)
    if location is None:
        raise NotFoundError(key="stock.err.no_location", location_id=location_id)
    if location.store_id is not None:
        require_store(actor, location.store_id)
    else:
        require_permission(actor, "stock.settings")
    return location


def create_warehouse(session: Session, *, actor: Actor, name: str) -> StockLocation:
    require_permission(actor, "stock.settings")
    require_permission(actor, "stores.all")  # a warehouse serves every store
    clean = checked("name", rules.text, name, limit="store_name", required=True)
    location = StockLocation(name=clean, kind="warehouse")
    session.add(location)
    session.flush()
    return location


def _sku(session: Session, sku_id: int) -> ErpSku:
    sku = session.get(ErpSku, sku_id)
    if sku is None:
        raise NotFoundError(key="stock.err.no_sku", sku_id=sku_id)
    return sku


def _note(note: str) -> str:
    return checked("note", rules.text, note, limit="memo")


def _level(session: Session, location_id: int, sku_id: int) -> Level:
    row = session.exec(
        select(StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.location_id == location_id, StockLevel.erp_sku_id == sku_id
        )
    ).first()
    return Level(*row) if row else Level()


def _move(session: Session, actor: Actor, location_id: int, sku_id: int, kind: MoveKind, delta: Delta, **kw) -> None:
    require_permission(actor, "stock.adjust")
    ensure_level(session, location_id, sku_id)
    if not change_level(session, location_id, sku_id, delta):
        level = _level(session, location_id, sku_id)
        raise ValidationError(
            key="stock.err.below_reserved",
            field="quantity",
            on_hand=level.on_hand,
            reserved=level.reserved,
        )
    add_move(
        session,
        location_id=location_id,
        sku_id=sku_id,
        kind=kind.value,
        delta=delta,
        actor=actor.ref,
        idem_key=f"m{secrets.token_hex(8)}",
        **kw,
    )
    target = audit.Target("stock", f"{location_id}:{sku_id}", session.get(StockLocation, location_id).store_id)
    audit.record(
        session,
        actor,
        f"stock.{kind.value}",
        target,
        after={"sku_id": sku_id, "on_hand": delta.on_hand, "reserved": delta.reserved},
    )


def receive(
    session: Session, *, actor: Actor, location_id: int, sku_id: int, quantity: object, note: str = ""
) -> Level:
    """采购入库: on hand grows; orders short of this SKU here try again."""
    location_for(session, actor=actor, location_id=location_id)
    _sku(session, sku_id)
    qty = checked("quantity", rules.whole, quantity, minimum=1, maximum=MAX_STOCK)
    _move(
        session,
        actor,
        location_id,
        sku_id,
        MoveKind.RECEIVE,
        Delta(on_hand=qty),
        reason=Reason.PURCHASE,
        note=_note(note),
    )
    retry_shortages(session, location_id=location_id, sku_id=sku_id, actor=actor.ref)
    return _level(session, location_id, sku_id)


def count(session: Session, *, actor: Actor, location_id: int, sku_id: int, counted: object, note: str = "") -> Level:
    """盘点: the shelf was counted; on hand becomes `counted` (never below what orders hold)."""
    location_for(session, actor=actor, location_id=location_id)
    _sku(session, sku_id)
    qty = checked("quantity", rules.whole, counted, minimum=0, maximum=MAX_STOCK)
    delta = count_delta(_level(session, location_id, sku_id), qty)
    if delta.on_hand:
        _move(session, actor, location_id, sku_id, MoveKind.ADJUST, delta, reason=Reason.COUNT, note=_note(note))
        if delta.on_hand > 0:
            retry_shortages(session, location_id=location_id, sku_id=sku_id, actor=actor.ref)
    return _level(session, location_id, sku_id)


def write_off(
    session: Session, *, actor: Actor, location_id: int, sku_id: int, quantity: object, note: str = ""
) -> Level:
    """报损: units broken, expired or lost."""
    location_for(session, actor=actor, location_id=location_id)
    _sku(session, sku_id)
    qty = checked("quantity", rules.whole, quantity, minimum=1, maximum=MAX_STOCK)
    _move(
        session,
        actor,
        location_id,
        sku_id,
        MoveKind.ADJUST,
        Delta(on_hand=-qty),
        reason=Reason.DAMAGE,
        note=_note(note),
    )
    return _level(session, location_id, sku_id)


def transfer(
    session: Session, *, actor: Actor, from_id: int, to_id: int, sku_id: int, quantity: object, note: str = ""
) -> tuple[Level, Level]:
    """调拨: units leave one location and arrive at another, in one transaction."""
    if from_id == to_id:
        raise ValidationError(key="stock.err.same_location", field="to_location")
    location_for(session, actor=actor, location_id=from_id)
    location_for(session, actor=actor, location_id=to_id)
    _sku(session, sku_id)
    qty = checked("quantity", rules.whole, quantity, minimum=1, maximum=MAX_STOCK)
    clean = _note(note)
    # the lower id first, so two opposite transfers never wait on each other
    legs = sorted([(from_id, MoveKind.TRANSFER_OUT, -qty), (to_id, MoveKind.TRANSFER_IN, qty)])
    for location_id, kind, change in legs:
        _move(session, actor, location_id, sku_id, kind, Delta(on_hand=change), reason=Reason.TRANSFER, note=clean)
    retry_shortages(session, location_id=to_id, sku_id=sku_id, actor=actor.ref)
    return _level(session, from_id, sku_id), _level(session, to_id, sku_id)


def set_threshold(session: Session, *, actor: Actor, location_id: int, sku_id: int, threshold: object) -> None:
    """低库存预警: the board counts SKUs whose available is at or below this (0: no alert)."""
    require_permission(actor, "stock.adjust")
    location_for(session, actor=actor, location_id=location_id)
    _sku(session, sku_id)
    value = checked("threshold", rules.whole, threshold, minimum=0, maximum=MAX_STOCK)
    ensure_level(session, location_id, sku_id)
    session.execute(
        sa.update(StockLevel)
        .where(StockLevel.location_id == location_id, StockLevel.erp_sku_id == sku_id)
        .values(low_threshold=value, updated_at=utcnow())
    )


def shop_settings(session: Session, *, actor: Actor) -> list[tuple[Shop, ShopStockSetting]]:
    """Each shop the actor may see with its stock setting (defaults where none was saved)."""
    rows = session.exec(
        select(Shop, ShopStockSetting)
        .join(ShopStockSetting, ShopStockSetting.shop_id == Shop.id, isouter=True)
        .order_by(Shop.store_id, Shop.id)
    ).all()
    return [
        (shop, setting or ShopStockSetting(shop_id=shop.id))
        for shop, setting in rows
        if actor.can_access(shop.store_id)
    ]


def set_shop_setting(
    session: Session,
    *,
    actor: Actor,
    shop_id: int,
    reserve_on: str,
    buffer: object,
    location_id: int | None = None,
) -> ShopStockSetting:
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFoundError(key="stock.err.no_shop", shop_id=shop_id)
    require_store(actor, shop.store_id)
    require_permission(actor, "stock.settings")
    if reserve_on not in {r.value for r in ReserveOn}:
        raise ValidationError(key="stock.err.bad_reserve_on", field="reserve_on")
    kept = checked("buffer", rules.whole, buffer, minimum=0, maximum=MAX_BUFFER)
    if location_id is not None:
        location_for(session, actor=actor, location_id=location_id)
    setting = session.get(ShopStockSetting, shop_id) or ShopStockSetting(shop_id=shop_id)
    moved = (setting.buffer, setting.location_id) != (kept, location_id)
    setting.reserve_on, setting.buffer, setting.location_id = reserve_on, kept, location_id
    session.add(setting)
    session.flush()
    if moved:  # what the shop may sell changed: tell it everything again
        stock_sync.push_all(session, shop_id=shop_id)
    return setting
