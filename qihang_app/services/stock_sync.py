"""Stock sync: tell every shop that sells a SKU how many it may sell, through the outbox.

Every level change bumps the level's `version`; `flush_due` (a worker cron) takes the levels
whose version is ahead of what was pushed and that have been quiet for QUIET (debounce) or dirty
for MAX_WAIT (so a SKU that never stops selling is still pushed), and writes ONE outbox row per
shop (batched) with the quantities published = max(0, available − the shop's buffer), plus which
SKUs became 售罄 or are back on sale (only where the platform has that call: its profile).
What each shop SKU was told is kept, so nothing unchanged is sent again.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain import partners
from qihang_app.domain.stock import published
from qihang_app.models import OutboxMessage, Shop, ShopSku, ShopStockSetting, StockLevel, StockPublished, utcnow

from .sku_links import chunks
from .stock_levels import shop_locations

QUIET = timedelta(seconds=1)
MAX_WAIT = timedelta(seconds=5)
BATCH = 500  # levels per flush
KIND = "platform_stock"

_levels = StockLevel.__table__


def flush_due(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """Queue the due pushes; returns how many outbox rows were written."""
    now = now or utcnow()
    due = sa.and_(
        _levels.c.version > _levels.c.synced_version,
        sa.or_(_levels.c.changed_at <= now - QUIET, _levels.c.dirty_since <= now - MAX_WAIT),
    )
    query = sa.select(
        _levels.c.id,
        _levels.c.location_id,
        _levels.c.erp_sku_id,
        _levels.c.on_hand,
        _levels.c.reserved,
        _levels.c.version,
    ).where(due)
    query = query.order_by(_levels.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two flushes never push the same level
    levels = session.execute(query).all()
    if not levels:
        return 0
    available = {(lv.location_id, lv.erp_sku_id): lv.on_hand - lv.reserved for lv in levels}
    written = _queue(session, available, now)
    for level in levels:  # pushed up to the version read (a change since then stays due)
        session.execute(
            _levels.update()
            .where(_levels.c.id == level.id)
            .values(
                synced_version=level.version,
                dirty_since=sa.case((_levels.c.version == level.version, None), else_=_levels.c.dirty_since),
            )
        )
    return written


def push_all(session: Session, *, shop_id: int, now: datetime | None = None) -> int:
    """Push every linked SKU of one shop now (a newly linked shop, or staff asking for it)."""
    location_id = shop_locations(session, {shop_id})[shop_id][0]
    rows = session.execute(
        sa.select(_levels.c.erp_sku_id, _levels.c.on_hand - _levels.c.reserved).where(
            _levels.c.location_id == location_id
        )
    ).all()
    return _queue(
        session, {(location_id, sku): avail for sku, avail in rows}, now or utcnow(), only_shop=shop_id, force=True
    )


def _queue(
    session: Session,
    available: dict[tuple[int, int], int],
    now: datetime,
    *,
    only_shop: int | None = None,
    force: bool = False,
) -> int:
    sku_ids = sorted({sku for _, sku in available})
    links = []
    for chunk in chunks(sku_ids):
        query = (
            sa.select(
                ShopSku.id,
                ShopSku.shop_id,
                ShopSku.erp_sku_id,
                ShopSku.platform_item_id,
                ShopSku.platform_sku_id,
                Shop.platform,
                sa.func.coalesce(ShopStockSetting.buffer, 0),
                StockPublished.quantity,
                StockPublished.sold_out,
            )
            .join(Shop, Shop.id == ShopSku.shop_id)
            .outerjoin(ShopStockSetting, ShopStockSetting.shop_id == Shop.id)
            .outerjoin(StockPublished, StockPublished.shop_sku_id == ShopSku.id)
            .where(ShopSku.erp_sku_id.in_(chunk), Shop.enabled)
        )
        if only_shop is not None:
            query = query.where(ShopSku.shop_id == only_shop)
        links += session.execute(query).all()
    if not links:
        return 0
    places = shop_locations(session, {link.shop_id for link in links})
    per_shop: dict[int, dict] = defaultdict(lambda: {"stock": [], "sold_out": [], "on_sale": [], "seen": []})
    platforms: dict[int, str] = {}
    for link_id, shop_id, sku_id, item_id, platform_sku, platform, buffer, told, told_out in links:
        key = (places[shop_id][0], sku_id)
        if key not in available or not partners.supports(platform, partners.WriteBack.STOCK_UPDATE):
            continue
        quantity = published(available[key], buffer)
        sold_out = quantity == 0
        if not force and told == quantity and bool(told_out) == sold_out:
            continue
        batch = per_shop[shop_id]
        platforms[shop_id] = platform
        batch["stock"].append([item_id, platform_sku, quantity])
        # 售罄 whenever it hits zero; 上架 only when we took it off (never relist what staff delisted)
        if sold_out and (told_out is None or not told_out or force):
            batch["sold_out"].append([item_id, platform_sku])
        elif not sold_out and told_out:
            batch["on_sale"].append([item_id, platform_sku])
        batch["seen"].append((link_id, quantity, sold_out))
    for shop_id, batch in per_shop.items():
        seen = batch.pop("seen")
        session.add(
            OutboxMessage(
                kind=KIND,
                target=platforms[shop_id],
                shop_id=shop_id,
                payload=json.dumps({"action": partners.WriteBack.STOCK_UPDATE.value, **batch}, ensure_ascii=False),
                idempotency_key=f"stock:{shop_id}:{secrets.token_hex(8)}",
                next_attempt_at=utcnow(),
            )
        )
        _remember(session, seen, now)
    session.flush()
    return len(per_shop)


def _remember(session: Session, seen: list[tuple[int, int, bool]], now: datetime) -> None:
    for link_id, quantity, sold_out in seen:
        row = session.get(StockPublished, link_id) or StockPublished(shop_sku_id=link_id)
        row.quantity, row.sold_out, row.updated_at = quantity, sold_out, now
        session.add(row)
