"""ERP products (商品) and their SKUs: list with search and filters, create, edit, disable, and
the SKU search that manual orders and the link screen use.

Everyone signed in may look (staff pick products for manual orders); admins and managers change.
A product is never deleted: disabling it disables its SKUs, so old orders keep their links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules
from qihang_app.domain.catalog_rows import spec_text, weight
from qihang_app.models import ErpSku, Product

from .errors import ConflictError, NotFoundError, ValidationError, checked
from .scope import Actor, require_role

MAX_SKUS = 200  # per product: colours × sizes of the widest garment range
PAGE_SIZE = 20
SKU_KEYS = {"id", "sku_code", "color", "size", "variant", "barcode", "weight_g", "price_fen", "cost_fen", "enabled"}


@dataclass(frozen=True)
class SkuView:
    id: int
    code: str
    name: str
    spec: str
    color: str
    size: str
    variant: str
    barcode: str
    unit: str
    weight_g: int
    price_fen: int
    cost_fen: int
    enabled: bool
    product_id: int | None

    @classmethod
    def of(cls, sku: ErpSku) -> SkuView:
        return cls(
            id=sku.id, code=sku.code, name=sku.name, spec=sku.spec, color=sku.color, size=sku.size,
            variant=sku.variant, barcode=sku.barcode, unit=sku.unit, weight_g=sku.weight_g,
            price_fen=sku.price_fen, cost_fen=sku.cost_fen, enabled=sku.enabled, product_id=sku.product_id,
        )  # fmt: skip


@dataclass(frozen=True)
class ProductView:
    id: int
    code: str
    name: str
    category: str
    unit: str
    enabled: bool
    skus: list[SkuView] = field(default_factory=list)


@dataclass(frozen=True)
class ProductPage:
    rows: list[ProductView]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _product_search(q: str) -> sa.ColumnElement[bool]:
    """Product code or name, or any of its SKUs' code, name or barcode."""
    pattern = _like(q)
    sku_hit = select(ErpSku.product_id).where(
        sa.or_(ErpSku.code.ilike(pattern, escape="\\"), ErpSku.barcode == q, ErpSku.name.ilike(pattern, escape="\\"))
    )
    return sa.or_(
        Product.code.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\"), Product.id.in_(sku_hit)
    )


def list_products(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    category: str = "",
    state: str = "",  # "" all, "enabled", "disabled"
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ProductPage:
    query = select(Product)
    q = str(q or "").strip()[: rules.LIMITS["search"]]
    if q:
        query = query.where(_product_search(q))
    if category:
        query = query.where(Product.category == category)
    if state in ("enabled", "disabled"):
        query = query.where(Product.enabled == (state == "enabled"))
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    page = max(1, int(page))
    products = session.exec(
        query.order_by(Product.updated_at.desc(), Product.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    skus: dict[int, list[SkuView]] = {}
    if products:
        for sku in session.exec(
            select(ErpSku).where(ErpSku.product_id.in_([p.id for p in products])).order_by(ErpSku.id)
        ):
            skus.setdefault(sku.product_id, []).append(SkuView.of(sku))
    rows = [_view(p, skus.get(p.id, [])) for p in products]
    return ProductPage(rows, total, page, page_size)


def _view(product: Product, skus: list[SkuView]) -> ProductView:
    return ProductView(product.id, product.code, product.name, product.category, product.unit, product.enabled, skus)


def categories(session: Session) -> list[str]:
    return list(
        session.exec(select(Product.category).where(Product.category != "").distinct().order_by(Product.category))
    )


def get_product(session: Session, *, actor: Actor, product_id: int) -> ProductView:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError(key="catalog.err.not_found", id=product_id)
    skus = session.exec(select(ErpSku).where(ErpSku.product_id == product_id).order_by(ErpSku.id)).all()
    return _view(product, [SkuView.of(s) for s in skus])


def _clean_skus(skus: Sequence[dict]) -> list[dict]:
    if not skus:
        raise ValidationError(key="catalog.err.no_skus", field="skus")
    if len(skus) > MAX_SKUS:
        raise ValidationError(key="catalog.err.too_many_skus", field="skus", n=MAX_SKUS)
    clean, seen = [], {}
    for i, sku in enumerate(skus):
        if extra := set(sku) - SKU_KEYS:
            raise ValidationError(key="orders.err.unknown_fields", fields=", ".join(sorted(extra)))
        at = f"sku{i}."
        code = checked(at + "sku_code", rules.code, sku.get("sku_code"), limit="sku_code", required=True)
        if code in seen:
            raise ValidationError(key="catalog.err.sku_twice", field=at + "sku_code", code=code)
        seen[code] = i
        clean.append(
            {
                "id": sku.get("id"),
                "code": code,
                "color": checked(at + "color", rules.text, sku.get("color"), limit="spec_value"),
                "size": checked(at + "size", rules.text, sku.get("size"), limit="spec_value"),
                "variant": checked(at + "variant", rules.text, sku.get("variant"), limit="spec_value"),
                "barcode": checked(at + "barcode", rules.code, sku.get("barcode"), limit="sku_code"),
                "weight_g": checked(at + "weight_g", weight, sku.get("weight_g")),
                "price_fen": checked(
                    at + "price_fen", rules.fen_in_range, sku.get("price_fen", 0), maximum=rules.MAX_UNIT_PRICE_FEN
                ),
                "cost_fen": checked(
                    at + "cost_fen", rules.fen_in_range, sku.get("cost_fen", 0), maximum=rules.MAX_UNIT_PRICE_FEN
                ),
                "enabled": bool(sku.get("enabled", True)),
            }
        )
    return clean


def save_product(
    session: Session,
    *,
    actor: Actor,
    product_id: int | None,
    code: str,
    name: str,
    category: str = "",
    unit: str = "",
    skus: Sequence[dict],
) -> ProductView:
    """Create (product_id None) or edit a product with its SKUs. A SKU left out of an edit is
    disabled, not deleted (orders may point at it)."""
    require_role(actor, "admin", "manager")
    code = checked("code", rules.code, code, limit="sku_code", required=True)
    name = checked("name", rules.text, name, limit="item_name", required=True)
    category = checked("category", rules.text, category, limit="category")
    unit = checked("unit", rules.text, unit, limit="unit")
    clean = _clean_skus(skus)
    product = Product(code=code, name=name) if product_id is None else session.get(Product, product_id)
    if product is None:
        raise NotFoundError(key="catalog.err.not_found", id=product_id)
    clash = session.exec(select(Product.id).where(Product.code == code, Product.id != product.id)).first()
    if clash is not None:
        raise ConflictError(key="catalog.err.code_taken", field="code", code=code)
    product.code, product.name, product.category, product.unit = code, name, category, unit
    session.add(product)
    session.flush()
    existing = {s.id: s for s in session.exec(select(ErpSku).where(ErpSku.product_id == product.id))}
    taken = {
        sku_code: (sku_id, owner)
        for sku_code, sku_id, owner in session.exec(
            select(ErpSku.code, ErpSku.id, ErpSku.product_id).where(ErpSku.code.in_([s["code"] for s in clean]))
        )
    }
    kept = set()
    for i, values in enumerate(clean):
        sku = existing.get(values["id"]) if values["id"] else None
        other = taken.get(values["code"])  # (sku id, product id) of a SKU that has this code
        if sku is None and other is not None:
            if other[1] not in (None, product.id):
                raise ConflictError(key="catalog.err.sku_taken", field=f"sku{i}.sku_code", code=values["code"])
            sku = session.get(ErpSku, other[0])  # a loose SKU (made before products existed) joins
        elif sku is not None and other is not None and other[0] != sku.id:
            raise ConflictError(key="catalog.err.sku_taken", field=f"sku{i}.sku_code", code=values["code"])
        sku = sku or ErpSku(code=values["code"], name=name)
        _fill(sku, values, product)
        session.add(sku)
        session.flush()
        kept.add(sku.id)
    for sku_id, sku in existing.items():
        if sku_id not in kept:
            sku.enabled = False
            session.add(sku)
    session.flush()
    return get_product(session, actor=actor, product_id=product.id)


def _fill(sku: ErpSku, values: dict, product: Product) -> None:
    sku.code = values["code"]
    sku.product_id = product.id
    sku.name = product.name
    sku.unit = product.unit
    sku.color, sku.size, sku.variant = values["color"], values["size"], values["variant"]
    sku.spec = spec_text(values["color"], values["size"], values["variant"])
    sku.barcode = values["barcode"]
    sku.weight_g = values["weight_g"]
    sku.price_fen = values["price_fen"]
    sku.cost_fen = values["cost_fen"]
    sku.enabled = bool(values["enabled"]) and product.enabled


def set_product_enabled(session: Session, *, actor: Actor, product_id: int, enabled: bool) -> None:
    """Disable a product (and every SKU of it) or enable it again (its SKUs with it)."""
    require_role(actor, "admin", "manager")
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError(key="catalog.err.not_found", id=product_id)
    product.enabled = enabled
    session.add(product)
    session.execute(sa.update(ErpSku).where(ErpSku.product_id == product_id).values(enabled=enabled))
    session.flush()


def search_skus(session: Session, *, actor: Actor, q: str, limit: int = 20) -> list[SkuView]:
    """Enabled SKUs by code or barcode (exact first, as a scanner types them), then by name."""
    q = str(q or "").strip()[: rules.LIMITS["search"]]
    if not q:
        return []
    exact = session.exec(
        select(ErpSku).where(ErpSku.enabled, sa.or_(ErpSku.code == q, ErpSku.barcode == q)).order_by(ErpSku.id)
    ).all()
    pattern = _like(q)
    fuzzy = session.exec(
        select(ErpSku)
        .where(
            ErpSku.enabled,
            sa.or_(ErpSku.code.ilike(pattern, escape="\\"), ErpSku.name.ilike(pattern, escape="\\")),
            ErpSku.id.not_in([s.id for s in exact] or [0]),
        )
        .order_by(ErpSku.name, ErpSku.code)
        .limit(limit)
    ).all()
    return [SkuView.of(s) for s in [*exact, *fuzzy][:limit]]


def scanned_sku(session: Session, *, actor: Actor, code: str) -> SkuView | None:
    """The one enabled SKU whose code or barcode is exactly this (a scanner's Enter), else None."""
    code = str(code or "").strip()
    if not code:
        return None
    found = session.exec(
        select(ErpSku).where(ErpSku.enabled, sa.or_(ErpSku.code == code, ErpSku.barcode == code)).limit(2)
    ).all()
    return SkuView.of(found[0]) if len(found) == 1 else None
