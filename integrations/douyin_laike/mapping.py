"""Douyin Laike wire dicts -> PlatformOrder / PlatformEvent. Amounts are already int fen.

The order fields read here are the ASSUMED query schema documented in docs/platforms.md; every
status code comes from `spec.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from integrations.base import from_unix
from integrations.douyin_laike.spec import (
    AFTER_SALE_EVENT,
    AFTER_SALE_STATUS,
    AFTER_SALE_STATUS_BY_ACTION,
    DELIVERY_TYPES,
    ORDER_EVENT,
    ORDER_STATUS,
    REFUND_AUTO_AGREE_HOURS,
    STATUS_AFTER_ACTION,
    OrderAction,
)
from integrations.douyin_laike.webhook import WebhookMessage
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    DeliveryType,
    EventKind,
    PlatformEvent,
    PlatformOrder,
    PlatformOrderLine,
    PlatformRefund,
    PlatformSku,
    RefundKind,
    RefundStatus,
)

REFUND_KIND = {1: RefundKind.FULL, 2: RefundKind.PARTIAL, 3: RefundKind.RETURN_GOODS}  # ASSUMED


def order_from_query(data: Mapping[str, Any]) -> PlatformOrder:
    """One element of `orders` from trade/order/query."""
    code = int(data.get("order_status") or 0)
    status, text = ORDER_STATUS.get(code, (OrderStatus.AWAITING_ACCEPT, "未知状态"))
    placed_at = from_unix(data.get("create_time"))
    if placed_at is None:
        raise ValueError("Douyin Laike order without create_time")
    receiver = data.get("receiver_info") or {}
    book_time = from_unix(data.get("book_time"))  # 0 = deliver now
    lines = [_line(p) for p in data.get("products") or []]
    return PlatformOrder(
        platform=Platform.DOUYIN_LAIKE,
        platform_shop_id=str(data.get("account_id", "")),
        platform_order_id=str(data["order_id"]),
        display_no=str(data["order_id"]),
        day_seq=None if data.get("day_seq") in (None, "") else int(data["day_seq"]),
        status=status,
        raw_status_code=str(code),
        raw_status_text=text,
        buyer_memo=str(data.get("remark") or ""),
        receiver_name=str(receiver.get("name") or ""),
        receiver_phone=str(receiver.get("phone") or ""),
        receiver_address=str(receiver.get("address") or ""),
        lat=_float(receiver.get("latitude")),
        lng=_float(receiver.get("longitude")),
        delivery_type=DELIVERY_TYPES.get(str(data.get("delivery_type")), DeliveryType.UNKNOWN),
        is_scheduled=book_time is not None,
        expected_delivery_at=book_time or from_unix(data.get("expect_delivery_time")),
        accept_deadline_at=from_unix(data.get("accept_deadline")),
        goods_fen=sum(line.unit_price_fen * line.quantity for line in lines),
        freight_fen=int(data.get("freight_amount") or 0),
        packing_fen=int(data.get("packing_amount") or 0),
        platform_discount_fen=int(data.get("platform_discount_amount") or 0),
        merchant_discount_fen=int(data.get("merchant_discount_amount") or 0),
        paid_fen=int(data.get("pay_amount") or 0),
        merchant_receivable_fen=_int_or_none(data.get("merchant_receivable_amount")),
        placed_at=placed_at,
        paid_at=from_unix(data.get("pay_time")),
        updated_at=from_unix(data.get("update_time")) or placed_at,
        lines=lines,
        is_complete=bool(lines),
    )


def event_from_webhook(message: WebhookMessage) -> PlatformEvent | None:
    """None for messages the OMS does not act on (URL checks, unknown events)."""
    content = message.content
    if message.event == ORDER_EVENT:
        return _order_event(message.account_id, content)
    if message.event == AFTER_SALE_EVENT:
        return _after_sale_event(message.account_id, content)
    return None


def _order_event(account_id: str, content: Mapping[str, Any]) -> PlatformEvent:
    order = content.get("order") or {}
    action = str(content.get("action", ""))
    code = STATUS_AFTER_ACTION.get(action)  # type: ignore[call-overload]
    shop = str(order.get("account_id") or account_id)
    base = dict(
        platform=Platform.DOUYIN_LAIKE,
        platform_shop_id=shop,
        platform_order_id=str(order["order_id"]),
        raw_type=action,
        raw_status_code="" if code is None else str(code),
        occurred_at=from_unix(content.get("msg_time")),
    )
    if action == OrderAction.CANCEL:
        return PlatformEvent(
            kind=EventKind.CANCEL,
            cancel_reason=str(order.get("cancel_reason") or ""),
            cancelled_by=str(order.get("cancel_by") or ""),
            **base,
        )
    if action == OrderAction.CONFIRM:
        return PlatformEvent(kind=EventKind.CONFIRMED, **base)
    # The push carries amounts but no lines or address: the OMS queries the order (§0.1).
    return PlatformEvent(kind=EventKind.ORDER_REF, **base)


def _deadline(after_sale: Mapping[str, Any]):
    """When Laike agrees by itself: the push's audit_expire_time (ASSUMED), else create time + the
    assumed window."""
    expire = from_unix(after_sale.get("audit_expire_time"))
    created = from_unix(after_sale.get("create_time"))
    return expire or (created + timedelta(hours=REFUND_AUTO_AGREE_HOURS) if created else None)


def _after_sale_event(account_id: str, content: Mapping[str, Any]) -> PlatformEvent:
    after_sale = content.get("after_sale") or {}
    action = str(content.get("action", ""))
    status_code = after_sale.get("status")
    if status_code in (None, ""):
        status_code = AFTER_SALE_STATUS_BY_ACTION.get(action)  # type: ignore[call-overload]
    occurred = from_unix(after_sale.get("update_time") or content.get("msg_time"))
    shop = str(after_sale.get("account_id") or account_id)
    refund = PlatformRefund(
        platform=Platform.DOUYIN_LAIKE,
        platform_shop_id=shop,
        platform_refund_id=str(after_sale.get("after_sale_id", "")),
        platform_order_id=str(after_sale["order_id"]),
        kind=REFUND_KIND.get(int(after_sale.get("type") or 1), RefundKind.FULL),
        status=AFTER_SALE_STATUS.get(int(status_code or 0), RefundStatus.APPLIED),
        amount_fen=_int_or_none(after_sale.get("refund_amount")),
        reason=str(after_sale.get("reason") or ""),
        raw_status_code=str(status_code or ""),
        updated_at=occurred,
        pictures=tuple(str(p) for p in after_sale.get("pictures") or () if str(p).startswith(("http://", "https://"))),
        deadline_at=_deadline(after_sale) if int(status_code or 0) == 1 else None,
        raw=dict(after_sale),
    )
    return PlatformEvent(
        kind=EventKind.REFUND,
        platform=Platform.DOUYIN_LAIKE,
        platform_shop_id=shop,
        platform_order_id=refund.platform_order_id,
        raw_type=action,
        raw_status_code=refund.raw_status_code,
        occurred_at=occurred,
        refund=refund,
    )


def _line(product: Mapping[str, Any]) -> PlatformOrderLine:
    quantity = int(product.get("count") or 0)
    unit = int(product.get("sale_price") or 0)
    discount = int(product.get("discount_amount") or 0)
    paid = product.get("pay_amount")
    return PlatformOrderLine(
        platform_item_id=str(product.get("product_id", "")),
        platform_sku_id=str(product.get("sku_id", "")),
        outer_sku_code=str(product.get("out_sku_id") or ""),
        barcode=str(product.get("barcode") or ""),
        name=str(product.get("name") or ""),
        spec=str(product.get("spec") or ""),
        quantity=quantity,
        unit_price_fen=unit,
        discount_fen=discount,
        paid_fen=int(paid) if paid not in (None, "") else unit * quantity - discount,
    )


def _float(value: object) -> float | None:
    return None if value in (None, "") else float(value)  # type: ignore[arg-type]


def _int_or_none(value: object) -> int | None:
    return None if value in (None, "") else int(value)  # type: ignore[arg-type]


def skus_from_products(account_id: str, products: list[Mapping[str, Any]]) -> list[PlatformSku]:
    """The product list's SKUs (ASSUMED fields: product_id, product_name, skus[{sku_id, spec,
    out_sku_id, barcode, price (fen), stock}])."""
    skus = []
    for product in products:
        for sku in product.get("skus") or []:
            stock = sku.get("stock")
            skus.append(
                PlatformSku(
                    platform=Platform.DOUYIN_LAIKE,
                    platform_shop_id=str(account_id),
                    platform_item_id=str(product.get("product_id", "")),
                    platform_sku_id=str(sku.get("sku_id", "")),
                    name=str(product.get("product_name") or ""),
                    spec=str(sku.get("spec") or ""),
                    outer_sku_code=str(sku.get("out_sku_id") or ""),
                    barcode=str(sku.get("barcode") or ""),
                    price_fen=int(sku.get("price") or 0),
                    stock=None if stock in (None, "") else int(stock),
                )
            )
    return skus
