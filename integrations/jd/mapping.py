"""JD wire → normalised OMS data. Orders and SKUs carry yuan text (→ fen); refund records fen.

JD has no sub-order ids: a POP order's lines are its SKUs, so `platform_line_id` is the skuId and
parcels ship per order (a JD split makes separate child orders, each pulled on its own).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from integrations.base import wire_yuan_to_fen
from integrations.jd.sign import parse_jd_time
from integrations.jd.spec import (
    CUSTOMER_EXPECT_RETURN,
    ORDER_STATES,
    PLATFORM,
    REFUND_STATUS,
    SERVICE_STATUS,
)
from qihang_app.domain.order_status import OrderStatus, Platform
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


def _time(value: object) -> datetime | None:
    moment = parse_jd_time(str(value or ""))
    return moment.astimezone(UTC) if moment else None


def _int(value: object) -> int:
    try:
        return int(float(str(value or 0)))
    except ValueError:
        return 0


def order_from_wire(raw: dict[str, Any], receiver: dict[str, Any] | None = None) -> PlatformOrder:
    """One enSearch / enGet order. `receiver` is the decrypted consignee, when the shop may decrypt."""
    code = str(raw.get("orderState") or "")
    status, text = ORDER_STATES.get(code, (OrderStatus.TO_SHIP, code))
    placed = _time(raw.get("orderStartTime")) or datetime.now(UTC)
    discounts: dict[str, int] = defaultdict(int)
    for coupon in raw.get("couponDetailList") or []:
        if coupon.get("skuId"):
            discounts[str(coupon["skuId"])] += wire_yuan_to_fen(coupon.get("couponPrice"))
    lines = []
    for item in raw.get("itemInfoList") or []:
        sku = str(item.get("skuId") or "")
        quantity = _int(item.get("itemTotal")) or 1
        unit = wire_yuan_to_fen(item.get("jdPrice"))
        discount = discounts.get(sku, 0)
        lines.append(
            PlatformOrderLine(
                platform_item_id=str(item.get("wareId") or ""),
                platform_sku_id=sku,
                name=str(item.get("skuName") or ""),
                quantity=quantity,
                unit_price_fen=unit,
                paid_fen=unit * quantity - discount,
                discount_fen=discount,
                outer_sku_code=str(item.get("outerSkuId") or ""),
                barcode=str(item.get("productNo") or ""),
                platform_line_id=sku,
                refund_status="LOCKED" if code == "LOCKED" else "",
            )
        )
    goods = wire_yuan_to_fen(raw.get("orderTotalPrice"))
    freight = wire_yuan_to_fen(raw.get("freightPrice"))
    seller = wire_yuan_to_fen(raw.get("sellerDiscount"))
    paid = wire_yuan_to_fen(raw.get("orderPayment"))
    consignee = raw.get("consigneeInfo") or {}
    name = str(consignee.get("fullname") or "")
    phone = str(consignee.get("mobile") or consignee.get("telephone") or "")
    address = str(consignee.get("fullAddress") or "")
    if receiver:
        name = str(receiver.get("customerName") or name)
        phone = str(receiver.get("customerPhone") or phone)
        address = str((receiver.get("address") or {}).get("detailAddress") or address)
    return PlatformOrder(
        platform=Platform.JD,
        platform_shop_id=str(raw.get("venderId") or ""),
        platform_order_id=str(raw.get("orderId") or ""),
        status=status,
        raw_status_code=code,
        raw_status_text=str(raw.get("orderStateRemark") or text),
        placed_at=placed,
        updated_at=_time(raw.get("modified")) or placed,
        paid_at=_time(raw.get("paymentConfirmTime")),
        display_no=str(raw.get("orderId") or ""),
        buyer_memo=str(raw.get("orderRemark") or ""),
        receiver_name=name,
        receiver_phone=phone,
        receiver_address=address,
        delivery_type=DeliveryType.EXPRESS,
        goods_fen=goods,
        freight_fen=freight,
        merchant_discount_fen=seller,
        platform_discount_fen=max(0, goods + freight - seller - paid),
        paid_fen=paid,
        lines=lines,
    )


def refund_from_apply(shop_id: str, raw: dict[str, Any]) -> PlatformRefund:
    """A 退款审核单: the buyer asks for the money back before the goods left (or instead of them)."""
    code = str(raw.get("status", ""))
    skus = raw.get("skuList") or []
    return PlatformRefund(
        platform=Platform.JD,
        platform_shop_id=shop_id,
        platform_refund_id=str(raw.get("id") or ""),
        platform_order_id=str(raw.get("orderId") or ""),
        kind=RefundKind.PARTIAL if skus else RefundKind.FULL,
        status=REFUND_STATUS.get(code, RefundStatus.APPLIED),
        amount_fen=_int(raw.get("applyRefundSum")),
        reason=str(raw.get("reason") or ""),
        raw_status_code=code,
        updated_at=_time(raw.get("checkTime")) or _time(raw.get("applyTime")),
        lines=tuple(
            RefundLine(str(s.get("wareId") or ""), str(s.get("skuId") or ""), "", _int(s.get("num"))) for s in skus
        ),
        deadline_at=_time(raw.get("auditDeadline")),
        raw={k: v for k, v in raw.items() if k not in ("buyerName",)},
    )


def refund_from_service(shop_id: str, raw: dict[str, Any]) -> PlatformRefund:
    """A 售后服务单 with customerExpect 10 (退货): the goods come back before the money."""
    code = str(raw.get("serviceStatus", ""))
    returning = _int(raw.get("customerExpect")) == CUSTOMER_EXPECT_RETURN
    pictures = tuple(p for p in str(raw.get("questionPic") or "").split(",") if p)
    return PlatformRefund(
        platform=Platform.JD,
        platform_shop_id=shop_id,
        platform_refund_id=str(raw.get("serviceId") or ""),
        platform_order_id=str(raw.get("orderId") or ""),
        kind=RefundKind.RETURN_GOODS if returning else RefundKind.PARTIAL,
        status=SERVICE_STATUS.get(code, RefundStatus.APPLIED),
        amount_fen=_int(raw.get("refundAmount")) if raw.get("refundAmount") not in (None, "") else None,
        reason=str(raw.get("applyReason") or ""),
        raw_status_code=code,
        updated_at=_time(raw.get("updateDate")) or _time(raw.get("applyTime")),
        lines=(
            RefundLine(
                str(raw.get("wareId") or ""),
                str(raw.get("skuId") or ""),
                str(raw.get("wareName") or ""),
                _int(raw.get("serviceCount")),
            ),
        ),
        pictures=pictures,
        return_carrier=str(raw.get("expressCompany") or ""),
        return_waybill=str(raw.get("expressCode") or ""),
        deadline_at=_time(raw.get("auditDeadline")),
        raw=dict(raw),
    )


def skus_from_wire(shop_id: str, rows: list[dict[str, Any]]) -> list[PlatformSku]:
    skus = []
    for row in rows:
        specs = [v for attr in row.get("saleAttrs") or [] for v in attr.get("attrValueAlias") or []]
        skus.append(
            PlatformSku(
                platform=Platform(PLATFORM),
                platform_shop_id=shop_id,
                platform_item_id=str(row.get("wareId") or ""),
                platform_sku_id=str(row.get("skuId") or ""),
                name=str(row.get("skuName") or row.get("wareTitle") or ""),
                spec=" ".join(str(v) for v in specs),
                outer_sku_code=str(row.get("outerId") or ""),
                barcode=str(row.get("barCode") or ""),
                price_fen=wire_yuan_to_fen(row.get("jdPrice")),
                stock=_int(row.get("stockNum")) if row.get("stockNum") not in (None, "") else None,
            )
        )
    return skus
