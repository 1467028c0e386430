"""SKU auto-link during ingest: the shop's own links, then ERP codes, then barcodes
(domain.sku_link decides), looked up for a whole batch of order lines at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain.platform_order import PlatformOrderLine
from qihang_app.domain.sku_link import link_sku, normalize_code, unique_index
from qihang_app.models import ErpSku, ShopSku

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
                }
            )
        return result
