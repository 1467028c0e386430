"""拼多多 wire JSON → domain types. Yuan → fen here (and only here); Beijing-time strings → UTC.

A PDD order has no sub-order ids: each `item_list` row is one SKU of the order, so the line id is
the SKU id, and after-sales are tracked per order (each line carries the order's refund state).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from integrations.base import from_unix, wire_yuan_to_fen
from integrations.pdd.spec import (
    AFTER_SALES_STATUS,
    REFUND_TEXT,
    RETURN_AGREED,
    STATUS_TEXT,
    RefundState,
    refund_kind,
    unified_status,
)
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.money import allocate_discount
from qihang_app.domain.order_status import Platform
from qihang_app.domain.platform_order import (
    DeliveryType,
    PlatformOrder,
    PlatformOrderLine,
    PlatformRefund,
    PlatformSku,
    RefundLine,
    RefundStatus,
)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_time(value: object) -> datetime | None:
    """'2026-11-27 12:00:00' (Beijing) or unix seconds → aware UTC; empty → None."""
    if value in (None, "", 0, "0"):
        return None
    text = str(value)
    if text.isdigit():
        return from_unix(text)
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=SHANGHAI).astimezone(UTC)


def format_time(at: float) -> str:
    return datetime.fromtimestamp(at, SHANGHAI).strftime(TIME_FORMAT)


def order_from_wire(raw: Mapping[str, Any], shop_id: str = "") -> PlatformOrder:
    """One order of pdd.order.information.get / the increment list (receiver fields may have
    been replaced by decrypted ones under `_decrypted`)."""
    order_sn = str(raw["order_sn"])
    order_status = int(raw.get("order_status") or 1)
    refund_status = int(raw.get("refund_status") or RefundState.NONE)
    confirm_status = int(raw.get("confirm_status") if raw.get("confirm_status") is not None else 1)
    placed = parse_time(raw.get("created_time")) or datetime.now(UTC)
    updated = parse_time(raw.get("updated_at")) or placed
    items = list(raw.get("item_list") or [])
    amounts = [wire_yuan_to_fen(i.get("goods_price")) * int(i.get("goods_count") or 0) for i in items]
    seller_cut = wire_yuan_to_fen(raw.get("seller_discount"))
    platform_cut = wire_yuan_to_fen(raw.get("platform_discount"))
    shares = allocate_discount(min(seller_cut + platform_cut, sum(amounts)), amounts) if items else []
    line_refund = "" if refund_status == RefundState.NONE else str(refund_status)
    lines = [
        PlatformOrderLine(
            platform_item_id=str(item.get("goods_id") or ""),
            platform_sku_id=str(item.get("sku_id") or ""),
            name=str(item.get("goods_name") or ""),
            quantity=int(item.get("goods_count") or 0),
            unit_price_fen=wire_yuan_to_fen(item.get("goods_price")),
            paid_fen=amount - share,
            discount_fen=share,
            outer_sku_code=str(item.get("outer_id") or ""),
            spec=str(item.get("goods_spec") or ""),
            platform_line_id=str(item.get("sku_id") or ""),
            refund_status=line_refund,
        )
        for item, amount, share in zip(items, amounts, shares, strict=True)
    ]
    plain = raw.get("_decrypted") or {}
    region = "".join(str(raw.get(k) or "") for k in ("province", "city", "town"))
    return PlatformOrder(
        platform=Platform.PDD,
        platform_shop_id=str(shop_id or raw.get("mall_id") or ""),
        platform_order_id=order_sn,
        status=unified_status(order_status, refund_status, confirm_status),
        raw_status_code=f"{order_status}/{refund_status}",
        raw_status_text="·".join(
            t for t in (STATUS_TEXT.get(order_status, ""), REFUND_TEXT.get(refund_status, "")) if t
        ),
        placed_at=placed,
        updated_at=updated,
        paid_at=parse_time(raw.get("pay_time")),
        ship_deadline_at=parse_time(raw.get("last_ship_time")),
        display_no=order_sn,
        buyer_memo=str(raw.get("buyer_memo") or ""),
        receiver_name=str(plain.get("name") or raw.get("receiver_name_mask") or ""),
        receiver_phone=str(plain.get("phone") or raw.get("receiver_phone_mask") or ""),
        receiver_address=str(plain.get("address") or (region + str(raw.get("address_mask") or ""))),
        delivery_type=DeliveryType.EXPRESS,
        goods_fen=wire_yuan_to_fen(raw.get("goods_amount")),
        freight_fen=wire_yuan_to_fen(raw.get("postage")),
        platform_discount_fen=platform_cut,
        merchant_discount_fen=seller_cut,
        paid_fen=wire_yuan_to_fen(raw.get("pay_amount")),
        lines=lines,
    )


def refund_from_wire(raw: Mapping[str, Any], shop_id: str = "") -> PlatformRefund:
    """One row of pdd.refund.list.increment.get / pdd.refund.information.get."""
    status_code = int(raw.get("after_sales_status") or 0)
    amount = wire_yuan_to_fen(raw.get("refund_amount"))
    order_amount = wire_yuan_to_fen(raw.get("order_amount"))
    line = RefundLine(
        platform_item_id=str(raw.get("goods_id") or ""),
        platform_sku_id=str(raw.get("sku_id") or ""),
        name=str(raw.get("goods_name") or ""),
        quantity=int(raw.get("goods_number") or 0),
        amount_fen=amount,
    )
    return PlatformRefund(
        platform=Platform.PDD,
        platform_shop_id=str(shop_id),
        platform_refund_id=str(raw["id"]),
        platform_order_id=str(raw.get("order_sn") or ""),
        kind=refund_kind(int(raw.get("after_sales_type") or 2), amount >= order_amount > 0),
        status=_refund_status(status_code, bool(raw.get("tracking_number"))),
        amount_fen=amount,
        reason=str(raw.get("after_sale_reason") or ""),
        raw_status_code=str(status_code),
        updated_at=parse_time(raw.get("updated_time")),
        lines=(line,) if line.platform_sku_id else (),
        pictures=tuple(str(p) for p in raw.get("images") or ()),
        return_carrier=str(raw.get("shipping_name") or ""),
        return_waybill=str(raw.get("tracking_number") or ""),
        deadline_at=parse_time(raw.get("expire_time")),
        raw={k: v for k, v in raw.items() if not str(k).startswith("_")},
    )


def _refund_status(code: int, goods_sent: bool) -> RefundStatus:
    if code == RETURN_AGREED and goods_sent:
        return RefundStatus.RETURN_SHIPPED
    return AFTER_SALES_STATUS.get(code, RefundStatus.APPLIED)


def skus_from_goods(shop_id: str, item: Mapping[str, Any], detail: Mapping[str, Any]) -> list[PlatformSku]:
    """One pdd.goods.list.get row and its pdd.goods.detail.get → one PlatformSku per SKU.

    The list gives ids, outer codes and stock; prices come from the detail, in fen there
    (`multi_price` is the group price buyers pay). `barcode` is the twin's field (ASSUMED)."""
    listed = {str(s.get("sku_id")): s for s in item.get("sku_list") or ()}
    out: list[PlatformSku] = []
    for sku in detail.get("sku_list") or item.get("sku_list") or ():
        sku_id = str(sku.get("sku_id") or "")
        row = listed.get(sku_id, {})
        quantity = row.get("sku_quantity", sku.get("quantity"))
        out.append(
            PlatformSku(
                platform=Platform.PDD,
                platform_shop_id=str(shop_id),
                platform_item_id=str(item.get("goods_id") or ""),
                platform_sku_id=sku_id,
                name=str(item.get("goods_name") or detail.get("goods_name") or ""),
                spec=str(row.get("spec") or _spec(sku.get("spec"))),
                outer_sku_code=str(row.get("outer_id") or sku.get("out_sku_sn") or ""),
                barcode=str(sku.get("barcode") or ""),
                price_fen=int(sku.get("multi_price") or sku.get("price") or 0),
                stock=None if quantity is None else int(quantity),
            )
        )
    return out


def _spec(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v.get("spec_name") or "") for v in value if isinstance(v, Mapping))
    return str(value or "")
