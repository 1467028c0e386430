"""TOP JSON → the OMS's platform types. Money comes as yuan strings ("12.00"), times as
"yyyy-MM-dd HH:mm:ss" in Asia/Shanghai; lists come wrapped ({"orders": {"order": [...]}}) unless
the call asked for `simplify`, so both shapes are read."""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.base import wire_yuan_to_fen
from integrations.taobao.spec import (
    NO_REFUND,
    OUR_CARRIER,
    REFUND_STATUS,
    TIME_FORMAT,
    TRADE_STATUS,
    TRADE_STATUS_TEXT,
)
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.order_status import Platform
from qihang_app.domain.platform_order import (
    DeliveryType,
    PlatformOrder,
    PlatformOrderLine,
    PlatformRefund,
    PlatformSku,
    RefundKind,
    RefundLine,
    RefundStatus,
)

ADDRESS_KEYS = ("receiver_state", "receiver_city", "receiver_district", "receiver_address")


def _address(parts: list[str]) -> str:
    """Province, city, district and street as one line, without saying a part twice: a
    municipality's province is its city (上海 / 上海市), and a street line may start with them."""
    kept = []
    for i, part in enumerate(parts):
        later = parts[i + 1 :]
        if part and not any(p.startswith(part) for p in later if p):
            kept.append(part)
    return "".join(kept)


def parse_time(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.strptime(str(value), TIME_FORMAT).replace(tzinfo=SHANGHAI).astimezone(UTC)


def listed(container: object, key: str) -> list[dict]:
    """`{"order": [...]}` (plain JSON) or `[...]` (simplify=true) → the list."""
    if isinstance(container, list):
        return container
    if isinstance(container, dict):
        inner = container.get(key)
        return inner if isinstance(inner, list) else []
    return []


def _id(row: dict, key: str) -> str:
    # TOP sends ids as numbers and (where they may overflow) as `<key>_str`; prefer the string.
    return str(row.get(f"{key}_str") or row.get(key) or "")


def order_from_trade(trade: dict) -> PlatformOrder:
    status = str(trade.get("status") or "")
    if status not in TRADE_STATUS:
        raise ValueError(f"unknown Taobao trade status {status!r}")
    placed = parse_time(trade.get("created"))
    if placed is None:
        raise ValueError("trade without `created`")
    lines = [_line(sub) for sub in listed(trade.get("orders"), "order")]
    goods = wire_yuan_to_fen(trade.get("total_fee"))
    merchant_cut = wire_yuan_to_fen(trade.get("discount_fee"))
    platform_cut = wire_yuan_to_fen(trade.get("coupon_fee"))
    address = _address([str(trade.get(k) or "") for k in ADDRESS_KEYS])
    return PlatformOrder(
        platform=Platform.TAOBAO,
        platform_shop_id=str(trade.get("seller_nick") or ""),
        platform_order_id=_id(trade, "tid"),
        status=TRADE_STATUS[status],
        raw_status_code=status,
        raw_status_text=TRADE_STATUS_TEXT.get(status, ""),
        placed_at=placed,
        updated_at=parse_time(trade.get("modified")) or placed,
        paid_at=parse_time(trade.get("pay_time")),
        ship_deadline_at=parse_time(trade.get("consign_due_time")),
        display_no=_id(trade, "tid"),
        buyer_memo=str(trade.get("buyer_message") or ""),
        receiver_name=str(trade.get("receiver_name") or ""),
        receiver_phone=str(trade.get("receiver_mobile") or trade.get("receiver_phone") or ""),
        receiver_address=address,
        delivery_type=DeliveryType.EXPRESS,
        goods_fen=goods,
        freight_fen=wire_yuan_to_fen(trade.get("post_fee")),
        platform_discount_fen=platform_cut,
        merchant_discount_fen=merchant_cut,
        paid_fen=wire_yuan_to_fen(trade.get("payment")),
        lines=lines,
        is_complete=bool(lines),
    )


def _line(sub: dict) -> PlatformOrderLine:
    quantity = int(sub.get("num") or 0)
    price = wire_yuan_to_fen(sub.get("price"))
    refund = str(sub.get("refund_status") or "")
    return PlatformOrderLine(
        platform_item_id=_id(sub, "num_iid"),
        platform_sku_id=str(sub.get("sku_id") or ""),
        name=str(sub.get("title") or ""),
        quantity=quantity,
        unit_price_fen=price,
        paid_fen=wire_yuan_to_fen(sub.get("payment")),
        discount_fen=wire_yuan_to_fen(sub.get("discount_fee")),
        outer_sku_code=str(sub.get("outer_sku_id") or sub.get("outer_iid") or ""),
        barcode=str(sub.get("barcode") or ""),
        spec=str(sub.get("sku_properties_name") or ""),
        platform_line_id=_id(sub, "oid"),
        refund_status="" if refund == NO_REFUND else refund,
    )


def refund_from_wire(refund: dict, shop_nick: str = "") -> PlatformRefund:
    status = str(refund.get("status") or "")
    if status not in REFUND_STATUS:
        raise ValueError(f"unknown Taobao refund status {status!r}")
    goods_back = str(refund.get("has_good_return")).lower() in ("true", "1")
    fee = wire_yuan_to_fen(refund.get("refund_fee"))
    total = wire_yuan_to_fen(refund.get("total_fee") or refund.get("payment"))
    kind = (
        RefundKind.RETURN_GOODS if goods_back else RefundKind.FULL if not total or fee >= total else RefundKind.PARTIAL
    )
    line = RefundLine(
        platform_item_id=_id(refund, "num_iid"),
        platform_sku_id=str(refund.get("sku") or refund.get("sku_id") or ""),
        name=str(refund.get("title") or ""),
        quantity=int(refund.get("num") or 0),
        amount_fen=fee,
    )
    return PlatformRefund(
        platform=Platform.TAOBAO,
        platform_shop_id=str(refund.get("seller_nick") or shop_nick),
        platform_refund_id=_id(refund, "refund_id"),
        platform_order_id=_id(refund, "tid"),
        kind=kind,
        status=_refund_status(status, goods_back),
        amount_fen=fee,
        reason=str(refund.get("reason") or ""),
        raw_status_code=status,
        updated_at=parse_time(refund.get("modified")) or parse_time(refund.get("created")),
        lines=(line,) if line.platform_item_id else (),
        return_carrier=OUR_CARRIER.get(str(refund.get("company_name") or ""), str(refund.get("company_name") or "")),
        return_waybill=str(refund.get("sid") or ""),
        deadline_at=parse_time(refund.get("timeout")),
        raw={k: v for k, v in refund.items() if k not in ("buyer_nick",)},
    )


def _refund_status(status: str, goods_back: bool) -> RefundStatus:
    unified = REFUND_STATUS[status]
    # Without goods to return, "wait for the goods" never happens: agreed means the money goes.
    return RefundStatus.AGREED if unified is RefundStatus.RETURN_SHIPPED and not goods_back else unified


def skus_from_item(shop_nick: str, item: dict) -> list[PlatformSku]:
    """One item of taobao.item.seller.get: a row per SKU, or the item itself when it has none."""
    item_id = _id(item, "num_iid")
    title = str(item.get("title") or "")
    skus = listed(item.get("skus"), "sku")
    if not skus:
        return [
            PlatformSku(
                platform=Platform.TAOBAO,
                platform_shop_id=shop_nick,
                platform_item_id=item_id,
                platform_sku_id="",
                name=title,
                outer_sku_code=str(item.get("outer_id") or ""),
                barcode=str(item.get("barcode") or ""),
                price_fen=wire_yuan_to_fen(item.get("price")),
                stock=int(item.get("num") or 0),
            )
        ]
    return [
        PlatformSku(
            platform=Platform.TAOBAO,
            platform_shop_id=shop_nick,
            platform_item_id=item_id,
            platform_sku_id=_id(sku, "sku_id"),
            name=title,
            spec=str(sku.get("properties_name") or ""),
            outer_sku_code=str(sku.get("outer_id") or ""),
            barcode=str(sku.get("barcode") or ""),
            price_fen=wire_yuan_to_fen(sku.get("price")),
            stock=int(sku.get("quantity") or 0),
        )
        for sku in skus
    ]
