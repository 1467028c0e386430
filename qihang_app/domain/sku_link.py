"""Auto-link an order line to an ERP SKU.

Precedence: an explicit shop-SKU link (the merchant said so) beats the line's outer code
(商家编码) matching an ERP SKU code, which beats the barcode. Values are normalized by stripping
whitespace only. Codes compare case-sensitively: ERPs (聚水潭, 旺店通...) treat "A01" and "a01"
as different SKUs, and a wrong automatic link ships the wrong goods, while a missed link only
asks the merchant to link it by hand.

Lookup dicts must be keyed by normalized values; build them with `unique_index`, which also
drops ambiguous keys (one code or barcode shared by several ERP SKUs never links automatically).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from enum import StrEnum
from typing import NamedTuple, TypeVar

SkuId = TypeVar("SkuId", bound=Hashable)


class LinkHow(StrEnum):
    SHOP_LINK = "shop_link"  # explicit ShopSku → ErpSku link
    OUTER_CODE = "outer_code"  # line outer code == ErpSku.code
    BARCODE = "barcode"  # line barcode == ErpSku.barcode


class SkuMatch(NamedTuple):
    erp_sku_id: Hashable | None
    how: LinkHow | None


NO_MATCH = SkuMatch(None, None)


def normalize_code(value: str | None) -> str | None:
    """Strip surrounding whitespace (incl. full-width spaces); empty → None. Case is kept."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def unique_index(pairs: Iterable[tuple[str | None, SkuId]]) -> dict[str, SkuId]:
    """Build a lookup dict keyed by normalized value, dropping keys that map to several ids."""
    index: dict[str, SkuId] = {}
    ambiguous: set[str] = set()
    for raw_key, sku_id in pairs:
        key = normalize_code(raw_key)
        if key is None or key in ambiguous:
            continue
        if key in index and index[key] != sku_id:
            del index[key]
            ambiguous.add(key)
        else:
            index[key] = sku_id
    return index


def link_sku(
    platform_sku_id: str | None,
    outer_code: str | None,
    barcode: str | None,
    *,
    shop_links: Mapping[str, SkuId],
    erp_by_code: Mapping[str, SkuId],
    erp_by_barcode: Mapping[str, SkuId],
) -> SkuMatch:
    """Return SkuMatch(erp_sku_id, how), or NO_MATCH = (None, None) when nothing fits."""
    for value, lookup, how in (
        (platform_sku_id, shop_links, LinkHow.SHOP_LINK),
        (outer_code, erp_by_code, LinkHow.OUTER_CODE),
        (barcode, erp_by_barcode, LinkHow.BARCODE),
    ):
        key = normalize_code(value)
        sku_id = None if key is None else lookup.get(key)
        if sku_id is not None:  # a None value marks a key as "do not auto-link"
            return SkuMatch(sku_id, how)
    return NO_MATCH
