"""店铺商品: the SKUs each platform shop sells, as its product pull found them, with their link to
an ERP SKU. A product pull is a `PullLog` row of kind "products": the page queues it, a worker
runs it and writes its progress there, so the page can be left and the bar found again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import partners
from qihang_app.models import ErpSku, Order, OrderLine, PullLog, Shop, ShopSku, utcnow

from .errors import ValidationError
from .pulls import PullView, _shop_for
from .scope import Actor, require_role, store_filter
from .sku_links import Suggestion, chunks, link_shop_sku, suggest

PAGE_SIZE = 20
PRODUCT_PULL = "products"


@dataclass(frozen=True)
class ShopSkuRow:
    id: int
    shop_id: int
    shop_name: str
    platform: str
    platform_sku_id: str
    outer_code: str
    barcode: str
    name: str
    spec: str
    price_fen: int
    erp_sku_id: int | None
    erp_code: str
    erp_name: str
    erp_spec: str
    waiting_lines: int  # order lines of this SKU still without an ERP SKU


@dataclass(frozen=True)
class ShopSkuPage:
    rows: list[ShopSkuRow]
    total: int
    unlinked: int  # 未关联, over every shop the reader may see
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _visible(actor: Actor, shop_id: int | None):
    query = select(Shop.id).where(store_filter(actor, Shop.store_id))
    if shop_id:
        query = query.where(Shop.id == shop_id)
    return query


def list_shop_skus(
    session: Session,
    *,
    actor: Actor,
    shop_id: int | None = None,
    q: str = "",
    linked: str = "",  # "" all, "linked", "unlinked"
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ShopSkuPage:
    shops = _visible(actor, shop_id)
    query = select(ShopSku).where(ShopSku.shop_id.in_(shops))
    q = str(q or "").strip()[:40]
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                ShopSku.name.ilike(pattern, escape="\\"),
                ShopSku.outer_code == q,
                ShopSku.barcode == q,
                ShopSku.platform_sku_id == q,
            )
        )
    if linked == "linked":
        query = query.where(ShopSku.erp_sku_id.is_not(None))
    elif linked == "unlinked":
        query = query.where(ShopSku.erp_sku_id.is_(None))
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    unlinked = session.exec(
        select(sa.func.count()).where(ShopSku.shop_id.in_(shops), ShopSku.erp_sku_id.is_(None))
    ).one()
    page = max(1, int(page))
    skus = session.exec(
        query.order_by(ShopSku.erp_sku_id.is_not(None), ShopSku.shop_id, ShopSku.name, ShopSku.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return ShopSkuPage(_rows(session, skus), total, unlinked, page, page_size)


def _rows(session: Session, skus: Sequence[ShopSku]) -> list[ShopSkuRow]:
    shops = {s.id: s for s in session.exec(select(Shop).where(Shop.id.in_({s.shop_id for s in skus} or {0})))}
    erp_ids = sorted({s.erp_sku_id for s in skus if s.erp_sku_id})
    erps = {e.id: e for e in session.exec(select(ErpSku).where(ErpSku.id.in_(erp_ids or [0])))}
    waiting = waiting_counts(session, [(s.shop_id, s.platform_sku_id) for s in skus])
    rows = []
    for s in skus:
        erp = erps.get(s.erp_sku_id)
        shop = shops[s.shop_id]
        rows.append(
            ShopSkuRow(
                s.id,
                s.shop_id,
                shop.name,
                shop.platform,
                s.platform_sku_id,
                s.outer_code,
                s.barcode,
                s.name,
                s.spec,
                s.price_fen,
                s.erp_sku_id,
                erp.code if erp else "",
                erp.name if erp else "",
                erp.spec if erp else "",
                waiting.get((s.shop_id, s.platform_sku_id), 0),
            )  # fmt: skip
        )
    return rows


def waiting_counts(session: Session, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(shop id, platform sku id) → unlinked order lines."""
    if not keys:
        return {}
    result: dict[tuple[int, str], int] = {}
    for chunk in chunks(sorted(set(keys))):
        shop_ids = sorted({k[0] for k in chunk})
        sku_ids = sorted({k[1] for k in chunk})
        for shop_id, sku_id, n in session.execute(
            sa.select(Order.shop_id, OrderLine.platform_sku_id, sa.func.count())
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.shop_id.in_(shop_ids), OrderLine.platform_sku_id.in_(sku_ids), OrderLine.erp_sku_id.is_(None))
            .group_by(Order.shop_id, OrderLine.platform_sku_id)
        ):
            result[(shop_id, sku_id)] = n
    return result


def suggestions(session: Session, *, actor: Actor, shop_id: int | None = None, limit: int = 200) -> list[Suggestion]:
    """One-click suggestions for the unlinked SKUs the reader may see (outer code, barcode, name)."""
    waiting = session.exec(
        select(ShopSku)
        .where(ShopSku.shop_id.in_(_visible(actor, shop_id)), ShopSku.erp_sku_id.is_(None))
        .order_by(ShopSku.id)
        .limit(5000)
    ).all()
    return suggest(session, waiting, by_name=True)[:limit]


@dataclass(frozen=True)
class SuggestionRow:
    shop_sku_id: int
    erp_sku_id: int
    how: str
    shop_name: str
    name: str
    spec: str
    erp_code: str
    erp_name: str
    erp_spec: str


def suggestion_rows(
    session: Session, *, actor: Actor, shop_id: int | None = None, limit: int = 100
) -> list[SuggestionRow]:
    hints = suggestions(session, actor=actor, shop_id=shop_id, limit=limit)
    skus = {s.id: s for s in session.exec(select(ShopSku).where(ShopSku.id.in_([h.shop_sku_id for h in hints] or [0])))}
    erps = {e.id: e for e in session.exec(select(ErpSku).where(ErpSku.id.in_([h.erp_sku_id for h in hints] or [0])))}
    shops = {
        s.id: s.name for s in session.exec(select(Shop).where(Shop.id.in_({s.shop_id for s in skus.values()} or {0})))
    }
    return [
        SuggestionRow(
            h.shop_sku_id,
            h.erp_sku_id,
            h.how,
            shops[skus[h.shop_sku_id].shop_id],
            skus[h.shop_sku_id].name,
            skus[h.shop_sku_id].spec,
            erps[h.erp_sku_id].code,
            erps[h.erp_sku_id].name,
            erps[h.erp_sku_id].spec,
        )  # fmt: skip
        for h in hints
    ]


def accept_suggestions(session: Session, *, actor: Actor, pairs: Sequence[tuple[int, int]]) -> list[int]:
    """Link every (shop SKU, ERP SKU) pair the reader accepted; the back-filled orders."""
    order_ids: set[int] = set()
    for shop_sku_id, erp_sku_id in pairs:
        result = link_shop_sku(session, actor=actor, shop_sku_id=shop_sku_id, erp_sku_id=erp_sku_id, how="suggestion")
        order_ids.update(result.order_ids)
    return sorted(order_ids)


# -- pulls ------------------------------------------------------------------------------------


def upsert_pulled(session: Session, *, shop_id: int, skus: Sequence[dict], now: datetime | None = None) -> int:
    """Store one page of a product pull (platform values only; links are left alone). Returns how
    many SKUs were new."""
    now = now or utcnow()
    ids = sorted({str(s["platform_sku_id"]) for s in skus})
    known = {}
    for chunk in chunks(ids):
        known.update(
            {
                s.platform_sku_id: s
                for s in session.exec(
                    select(ShopSku).where(ShopSku.shop_id == shop_id, ShopSku.platform_sku_id.in_(chunk))
                )
            }
        )
    new = 0
    for values in skus:
        sku = known.get(str(values["platform_sku_id"]))
        if sku is None:
            sku = known[str(values["platform_sku_id"])] = ShopSku(
                shop_id=shop_id, platform_sku_id=str(values["platform_sku_id"])
            )
            new += 1
        sku.platform_item_id = str(values.get("platform_item_id") or "")
        sku.outer_code = str(values.get("outer_sku_code") or "")[:64]
        sku.barcode = str(values.get("barcode") or "")[:64]
        sku.name = str(values.get("name") or "")[:200]
        sku.spec = str(values.get("spec") or "")[:200]
        sku.price_fen = int(values.get("price_fen") or 0)
        sku.updated_at = now
        session.add(sku)
    session.flush()
    return new


def product_pullable(platform: str) -> bool:
    found = partners.profile(platform)
    return bool(found and found.products_pullable)


def request_product_pull(session: Session, *, actor: Actor, shop_id: int, now: datetime | None = None) -> PullView:
    """Queue a pull of the shop's product list (one at a time per shop)."""
    require_role(actor, "admin", "manager")
    shop = _shop_for(session, actor, shop_id)
    if not product_pullable(shop.platform):
        raise ValidationError(key="shopsku.err.unsupported", field="shop")
    if not shop.enabled:
        raise ValidationError(key="pulls.err.shop_disabled", field="shop")
    busy = session.execute(
        sa.select(PullLog.id)
        .where(PullLog.shop_id == shop_id, PullLog.kind == PRODUCT_PULL, PullLog.status.in_(("queued", "running")))
        .limit(1)
    ).first()
    if busy:
        raise ValidationError(key="shopsku.err.busy", field="shop")
    log = PullLog(
        shop_id=shop_id, kind=PRODUCT_PULL, status="queued", requested_by=actor.user_id, created_at=now or utcnow()
    )
    session.add(log)
    session.flush()
    return PullView.of(log)


def latest_product_pulls(session: Session, *, actor: Actor) -> dict[int, PullView]:
    """The newest product pull of each shop the reader may see."""
    newest = (
        sa.select(sa.func.max(PullLog.id))
        .where(PullLog.kind == PRODUCT_PULL, PullLog.shop_id.in_(_visible(actor, None)))
        .group_by(PullLog.shop_id)
    )
    logs = session.exec(select(PullLog).where(PullLog.id.in_(newest))).all()
    return {log.shop_id: PullView.of(log) for log in logs}


def pullable_shops(session: Session, *, actor: Actor) -> list[tuple[int, str, str]]:
    """(id, name, platform) of the enabled shops whose platform lists products."""
    shops = session.exec(
        select(Shop).where(store_filter(actor, Shop.store_id), Shop.enabled).order_by(Shop.store_id, Shop.id)
    ).all()
    return [(s.id, s.name, s.platform) for s in shops if product_pullable(s.platform)]
