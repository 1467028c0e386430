"""SKU links. During ingest: the shop's own links, then ERP codes, then barcodes (domain.sku_link
decides), looked up for a whole batch of order lines at once. On the link screen and after a
product pull: shop SKUs linked to ERP SKUs, every waiting order line back-filled, every link and
unlink recorded (who, how, why)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules
from qihang_app.domain.platform_order import PlatformOrderLine
from qihang_app.domain.sku_link import link_sku, normalize_code, unique_index
from qihang_app.models import ErpSku, Order, OrderLine, Shop, ShopSku, SkuLinkEvent, User

from . import audit, erp_push, stock
from .errors import NotFoundError, ValidationError, checked
from .scope import Actor, require_permission, require_store

CHUNK = 500  # bounded IN lists


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class LinkIndex:
    shop_links: dict[int, dict[str, int]]
    by_code: dict[str, int]
    by_barcode: dict[str, int]

    @classmethod
    def build(cls, session: Session, lines: Iterable[tuple[int, PlatformOrderLine]]) -> LinkIndex:
        """Everything needed to link these (shop id, line) pairs, in three queries."""
        sku_ids: dict[int, set[str]] = defaultdict(set)
        codes: set[str] = set()
        barcodes: set[str] = set()
        for shop_id, line in lines:
            if key := normalize_code(line.platform_sku_id):
                sku_ids[shop_id].add(key)
            if key := normalize_code(line.outer_sku_code):
                codes.add(key)
            if key := normalize_code(line.barcode):
                barcodes.add(key)
        pairs_by_shop: dict[int, list] = defaultdict(list)
        all_skus = sorted(set().union(*sku_ids.values())) if sku_ids else []
        for chunk in chunks(all_skus):
            for shop_id, sku_id, erp_id in session.execute(
                sa.select(ShopSku.shop_id, ShopSku.platform_sku_id, ShopSku.erp_sku_id).where(
                    ShopSku.shop_id.in_(sorted(sku_ids)),
                    ShopSku.platform_sku_id.in_(chunk),
                    ShopSku.erp_sku_id.is_not(None),
                )
            ):
                pairs_by_shop[shop_id].append((sku_id, erp_id))
        shop_links = {shop_id: unique_index(pairs_by_shop.get(shop_id, [])) for shop_id in sku_ids}
        code_pairs, barcode_pairs = [], []
        for chunk in chunks(sorted(codes)):
            code_pairs += session.execute(
                sa.select(ErpSku.code, ErpSku.id).where(ErpSku.enabled, ErpSku.code.in_(chunk))
            ).all()
        for chunk in chunks(sorted(barcodes)):
            barcode_pairs += session.execute(
                sa.select(ErpSku.barcode, ErpSku.id).where(ErpSku.enabled, ErpSku.barcode.in_(chunk))
            ).all()
        return cls(shop_links, unique_index(code_pairs), unique_index(barcode_pairs))

    def lines(self, shop_id: int, lines: Sequence[PlatformOrderLine], old: list[dict] | None) -> list[dict]:
        manual = {}
        for line in old or []:  # a merchant's manual link survives a platform line change
            if line.get("link_method") == "manual" and line.get("erp_sku_id"):
                manual[(line["platform_sku_id"], line["outer_sku_code"])] = line["erp_sku_id"]
        result = []
        for no, line in enumerate(lines, start=1):
            erp_id, how = link_sku(
                line.platform_sku_id,
                line.outer_sku_code,
                line.barcode,
                shop_links=self.shop_links.get(shop_id, {}),
                erp_by_code=self.by_code,
                erp_by_barcode=self.by_barcode,
            )
            kept = manual.get((str(line.platform_sku_id), line.outer_sku_code or ""))
            if kept is not None:
                erp_id, how = kept, "manual"
            result.append(
                {
                    "line_no": no,
                    "platform_item_id": str(line.platform_item_id),
                    "platform_sku_id": str(line.platform_sku_id),
                    "outer_sku_code": line.outer_sku_code or "",
                    "barcode": line.barcode or "",
                    "name": line.name or "",
                    "spec": line.spec or "",
                    "quantity": int(line.quantity),
                    "unit_price_fen": int(line.unit_price_fen),
                    "allocated_discount_fen": int(line.discount_fen),
                    "paid_fen": int(line.paid_fen),
                    "erp_sku_id": erp_id,
                    "link_method": None if how is None else str(getattr(how, "value", how)),
                    "platform_line_id": str(line.platform_line_id or ""),
                    "refund_status": line.refund_status or "",
                }
            )
        return result


def catalog_links(session: Session, lines: Sequence[dict]) -> list[tuple[int | None, str | None]]:
    """(erp sku id, how) for lines typed or picked in the OMS (manual orders): by the line's
    code as an ERP SKU code, else its barcode; enabled SKUs only."""
    codes = sorted({k for line in lines if (k := normalize_code(line.get("outer_sku_code")))})
    barcodes = sorted({k for line in lines if (k := normalize_code(line.get("barcode")))} | set(codes))
    code_pairs, barcode_pairs = [], []
    for chunk in chunks(codes):
        code_pairs += session.execute(
            sa.select(ErpSku.code, ErpSku.id).where(ErpSku.enabled, ErpSku.code.in_(chunk))
        ).all()
    for chunk in chunks(barcodes):
        barcode_pairs += session.execute(
            sa.select(ErpSku.barcode, ErpSku.id).where(ErpSku.enabled, ErpSku.barcode.in_(chunk))
        ).all()
    by_code, by_barcode = unique_index(code_pairs), unique_index(barcode_pairs)
    found = []
    for line in lines:
        code = line.get("outer_sku_code")
        erp_id, how = link_sku(
            None, code, line.get("barcode") or code, shop_links={}, erp_by_code=by_code, erp_by_barcode=by_barcode
        )
        found.append((erp_id, None if how is None else str(how.value)))
    return found


# -- linking shop SKUs to ERP SKUs ------------------------------------------------------------


@dataclass(frozen=True)
class LinkResult:
    order_ids: list[int]  # orders whose waiting lines were back-filled
    lines: int
    skus: int = 1  # shop SKUs linked


def _after_link(session: Session, order_ids: list[int]) -> None:
    """Orders whose lines just got their ERP SKU. Two follow-ups hook in here: reserving their
    stock (services.stock) and releasing ERP pushes held for unlinked lines
    (services.erp_push.release_blocked)."""
    stock.reserve_lines(session, order_ids)
    erp_push.release_blocked(session, order_ids)


def backfill_lines(session: Session, *, shop_id: int, platform_sku_id: str, erp_sku_id: int, how: str) -> LinkResult:
    """Every unlinked order line of this shop SKU gets the ERP SKU."""
    waiting = (
        sa.select(OrderLine.id, OrderLine.order_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.shop_id == shop_id, OrderLine.platform_sku_id == platform_sku_id, OrderLine.erp_sku_id.is_(None))
    )
    rows = session.execute(waiting).all()
    line_ids = [line_id for line_id, _ in rows]
    for chunk in chunks(line_ids):
        session.execute(
            sa.update(OrderLine)
            .where(OrderLine.id.in_(chunk), OrderLine.erp_sku_id.is_(None))
            .values(erp_sku_id=erp_sku_id, link_method=how)
        )
    return LinkResult(sorted({order_id for _, order_id in rows}), len(line_ids))


def _shop_sku_for(session: Session, actor: Actor | None, shop_sku_id: int, permission: str = "sku.link") -> ShopSku:
    shop_sku = session.get(ShopSku, shop_sku_id)
    if shop_sku is None:
        raise NotFoundError(key="links.err.no_shop_sku", id=shop_sku_id)
    if actor is not None:
        require_permission(actor, permission)
        require_store(actor, session.get(Shop, shop_sku.shop_id).store_id)
    return shop_sku


def _link(session: Session, shop_sku: ShopSku, erp_sku_id: int, *, how: str, actor_ref: str) -> LinkResult:
    shop_sku.erp_sku_id = erp_sku_id
    session.add(shop_sku)
    result = backfill_lines(
        session, shop_id=shop_sku.shop_id, platform_sku_id=shop_sku.platform_sku_id, erp_sku_id=erp_sku_id, how=how
    )
    session.add(
        SkuLinkEvent(
            shop_sku_id=shop_sku.id,
            action="link",
            how=how,
            erp_sku_id=erp_sku_id,
            actor=actor_ref,
            backfilled_lines=result.lines,
        )
    )
    session.flush()
    _after_link(session, result.order_ids)
    return result


def link_shop_sku(
    session: Session, *, actor: Actor, shop_sku_id: int, erp_sku_id: int, how: str = "manual"
) -> LinkResult:
    """Link by hand (or by accepting a suggestion); returns the back-filled orders."""
    shop_sku = _shop_sku_for(session, actor, shop_sku_id)
    erp_sku = session.get(ErpSku, erp_sku_id)
    if erp_sku is None or not erp_sku.enabled:
        raise ValidationError(key="links.err.no_erp_sku", field="erp_sku", id=erp_sku_id)
    result = _link(session, shop_sku, erp_sku_id, how=how, actor_ref=actor.ref)
    audit.record(
        session, actor, "sku.link", _target(session, shop_sku),
        after={"shop_sku": shop_sku.platform_sku_id, "erp_sku": erp_sku.code, "how": how, "lines": result.lines},
    )  # fmt: skip
    return result


def _target(session: Session, shop_sku: ShopSku) -> audit.Target:
    return audit.Target("shop_sku", shop_sku.id, session.get(Shop, shop_sku.shop_id).store_id)


def unlink_shop_sku(session: Session, *, actor: Actor, shop_sku_id: int, reason: str) -> None:
    """Undo a link, saying why. Order lines linked before keep their ERP SKU: they may already
    be reserved or pushed to the ERP, and a wrong link is fixed on the order, not here."""
    shop_sku = _shop_sku_for(session, actor, shop_sku_id, "sku.unlink")
    reason = checked(
        "reason", rules.text, reason, limit="reason", required=True, required_key="links.err.reason_required"
    )
    if shop_sku.erp_sku_id is None:
        raise ValidationError(key="links.err.not_linked", field="reason")
    session.add(
        SkuLinkEvent(
            shop_sku_id=shop_sku.id, action="unlink", erp_sku_id=shop_sku.erp_sku_id, actor=actor.ref, reason=reason
        )
    )
    erp_sku = session.get(ErpSku, shop_sku.erp_sku_id)
    audit.record(
        session, actor, "sku.unlink", _target(session, shop_sku),
        before={"shop_sku": shop_sku.platform_sku_id, "erp_sku": erp_sku.code if erp_sku else shop_sku.erp_sku_id},
        after={"reason": reason},
    )  # fmt: skip
    shop_sku.erp_sku_id = None
    session.add(shop_sku)
    session.flush()


@dataclass(frozen=True)
class LinkEventView:
    at: datetime
    action: str  # "link" | "unlink"
    how: str
    erp_code: str
    actor: str  # "user:3" or "worker"
    username: str  # "" for the worker
    reason: str
    lines: int


def link_history(session: Session, *, actor: Actor, shop_sku_id: int, limit: int = 50) -> list[LinkEventView]:
    """Who linked or unlinked this shop SKU, how and why; newest first."""
    _shop_sku_for(session, actor, shop_sku_id)
    events = session.exec(
        select(SkuLinkEvent)
        .where(SkuLinkEvent.shop_sku_id == shop_sku_id)
        .order_by(SkuLinkEvent.at.desc(), SkuLinkEvent.id.desc())
        .limit(limit)
    ).all()
    codes = dict(
        session.execute(sa.select(ErpSku.id, ErpSku.code).where(ErpSku.id.in_({e.erp_sku_id for e in events} or {0})))
        .tuples()
        .all()
    )
    user_ids = {int(e.actor.split(":")[1]) for e in events if e.actor.startswith("user:")}
    names = dict(session.execute(sa.select(User.id, User.username).where(User.id.in_(user_ids or {0}))).tuples().all())
    return [
        LinkEventView(
            e.at,
            e.action,
            e.how,
            codes.get(e.erp_sku_id, ""),
            e.actor,
            names.get(int(e.actor.split(":")[1]), "") if e.actor.startswith("user:") else "",
            e.reason,
            e.backfilled_lines,
        )  # fmt: skip
        for e in events
    ]


@dataclass(frozen=True)
class Suggestion:
    shop_sku_id: int
    erp_sku_id: int
    how: str  # "outer_code" | "barcode" | "name"


def suggest(session: Session, shop_skus: Sequence[ShopSku], *, by_name: bool) -> list[Suggestion]:
    """For unlinked shop SKUs: the ERP SKU with the same outer code, else barcode (unique values
    only), else — when by_name — the one enabled ERP SKU with the same name and spec."""
    waiting = [s for s in shop_skus if s.erp_sku_id is None]
    codes = sorted({k for s in waiting if (k := normalize_code(s.outer_code))})
    barcodes = sorted({k for s in waiting if (k := normalize_code(s.barcode))})
    code_pairs, barcode_pairs, name_pairs = [], [], []
    for chunk in chunks(codes):
        code_pairs += session.execute(
            sa.select(ErpSku.code, ErpSku.id).where(ErpSku.enabled, ErpSku.code.in_(chunk))
        ).all()
    for chunk in chunks(barcodes):
        barcode_pairs += session.execute(
            sa.select(ErpSku.barcode, ErpSku.id).where(ErpSku.enabled, ErpSku.barcode.in_(chunk))
        ).all()
    if by_name:
        names = sorted({s.name.strip() for s in waiting if s.name.strip()})
        for chunk in chunks(names):
            name_pairs += [
                (f"{name}\n{spec}", sku_id)
                for name, spec, sku_id in session.execute(
                    sa.select(ErpSku.name, ErpSku.spec, ErpSku.id).where(ErpSku.enabled, ErpSku.name.in_(chunk))
                )
            ]
    by_code, by_barcode, by_named = unique_index(code_pairs), unique_index(barcode_pairs), unique_index(name_pairs)
    found = []
    for s in waiting:
        erp_id, how = link_sku(
            None, s.outer_code, s.barcode, shop_links={}, erp_by_code=by_code, erp_by_barcode=by_barcode
        )
        if erp_id is None and by_name:
            erp_id, how = by_named.get(f"{s.name.strip()}\n{s.spec.strip()}"), "name"
        if erp_id is not None:
            found.append(Suggestion(s.id, int(erp_id), str(getattr(how, "value", how))))
    return found


def auto_link_shop(session: Session, *, shop_id: int) -> LinkResult:
    """After a product pull: unlinked shop SKUs whose outer code, else barcode, names one ERP
    SKU get linked (never by name: a wrong automatic link ships the wrong goods)."""
    shop_skus = session.exec(select(ShopSku).where(ShopSku.shop_id == shop_id, ShopSku.erp_sku_id.is_(None))).all()
    order_ids: set[int] = set()
    lines = 0
    by_id = {s.id: s for s in shop_skus}
    hints = suggest(session, shop_skus, by_name=False)
    for hint in hints:
        result = _link(session, by_id[hint.shop_sku_id], hint.erp_sku_id, how=hint.how, actor_ref="worker")
        order_ids.update(result.order_ids)
        lines += result.lines
    return LinkResult(sorted(order_ids), lines, len(hints))
