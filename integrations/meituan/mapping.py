"""Meituan wire dicts -> normalised PlatformOrder / PlatformEvent / PlatformSku.

Input is a push after `push.decode_push_fields`, or `data` of order/getOrderDetail. Amounts on the
wire are yuan except `package_bag_money` (fen) and `poi_receive_detail.wmPoiReceiveCent` (fen).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from integrations.base import from_unix, wire_yuan_to_fen
from integrations.meituan.push import parse_json_field
from integrations.meituan.refunds import REFUND_NOTIFY, REFUND_RESULT, refund_from_push  # noqa: F401 (re-exported)
from integrations.meituan.spec import PushType
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    DeliveryType,
    DeliveryUpdate,
    EventKind,
    PlatformEvent,
    PlatformOrder,
    PlatformOrderLine,
    PlatformSku,
    RefundKind,
    RefundStatus,
)

# Order `status` (§1.6). 3/6/7 only come from order/viewstatus.
ORDER_STATUS = {
    "1": (OrderStatus.AWAITING_ACCEPT, "用户已提交订单"),
    "2": (OrderStatus.AWAITING_ACCEPT, "已推送给商家"),
    "3": (OrderStatus.AWAITING_ACCEPT, "商家已收到"),
    "4": (OrderStatus.TO_SHIP, "商家已确认"),
    "6": (OrderStatus.SHIPPED, "配送中"),
    "7": (OrderStatus.SHIPPED, "已送达"),  # delivered; 8 (completed) follows
    "8": (OrderStatus.COMPLETED, "已完成"),
    "9": (OrderStatus.CANCELLED, "已取消"),
}

# Meituan-delivery `logistics_status` (§1.6 / §11.5).
LOGISTICS_STATUS = {
    "0": DeliveryStatus.AWAITING_RIDER,
    "5": DeliveryStatus.AWAITING_RIDER,
    "10": DeliveryStatus.RIDER_ACCEPTED,
    "15": DeliveryStatus.AT_STORE,
    "20": DeliveryStatus.DELIVERING,
    "40": DeliveryStatus.DELIVERED,
    "100": DeliveryStatus.CANCELLED,
}

# Self-delivery status we send with ecommerce/order/logistics/sync (§1.5).
# Meituan's logistics_provider_code (§1.5: 10001 SF, 10002 Dada, 10003 Shansong, 10032 Meituan
# paotui …) for an ERP shipment's express carrier (domain.express_carriers) and for the instant
# carrier a self-delivered order rides with (domain.carriers); others and own riders send none.
LOGISTICS_PROVIDER = {
    "SF": "10001",
    "sf_same_city": "10001",
    "dada": "10002",
    "shansong": "10003",
    "meituan_paotui": "10032",
}

LOGISTICS_SYNC_CODE = {
    DeliveryStatus.AWAITING_RIDER: 0,
    DeliveryStatus.RIDER_ACCEPTED: 10,
    DeliveryStatus.AT_STORE: 15,
    DeliveryStatus.DELIVERING: 20,
    DeliveryStatus.DELIVERED: 40,
    DeliveryStatus.CANCELLED: 100,
}

# Cancel push `deal_op_type` (§1.4): who cancelled.
CANCELLED_BY = {"1": "user", "2": "merchant", "3": "service", "4": "service", "5": "system", "6": "merchant"}

# ASSUMED: Meituan cancels an order nobody accepted after this long; shown as a countdown.
ACCEPT_WINDOW = timedelta(minutes=5)

SELF_DELIVERY_CODE = "0000"


def order_from_detail(data: Mapping[str, Any]) -> PlatformOrder:
    """Same field set as the paid-order push; JSON fields may still be strings here."""
    return order_from_push(data)


def order_from_push(data: Mapping[str, Any]) -> PlatformOrder:
    status_code = str(data.get("status", ""))
    status, status_text = ORDER_STATUS.get(status_code, (OrderStatus.AWAITING_ACCEPT, "未知状态"))
    placed_at = from_unix(data.get("ctime"))
    if placed_at is None:
        raise ValueError("Meituan order without ctime")
    updated_at = from_unix(data.get("utime")) or placed_at
    details = _json_list(data.get("detail"))
    benefits = _benefits_by_sku(_json_list(data.get("sku_benefit_detail")))
    lines = [_line(item, benefits) for item in details]
    extras = _json_list(data.get("extras"))
    delivery_at = from_unix(data.get("delivery_time"))  # 0 means "as soon as possible"
    box_fen = sum(_times(item.get("box_price"), item.get("box_num")) for item in details)
    pre_sale = str(data.get("is_pre_sale_order", "0")) == "1"
    lat, lng = _coordinate(data.get("latitude")), _coordinate(data.get("longitude"))
    return PlatformOrder(
        platform=Platform.MEITUAN,
        platform_shop_id=str(data.get("app_poi_code", "")),
        platform_order_id=str(data["order_id"]),
        display_no=str(data.get("wm_order_id_view") or data["order_id"]),
        day_seq=_int_or_none(data.get("day_seq")),
        status=status,
        raw_status_code=status_code,
        raw_status_text=status_text,
        buyer_memo=str(data.get("caution") or ""),
        receiver_name=str(data.get("recipient_name") or ""),
        receiver_phone=str(data.get("recipient_phone") or ""),
        receiver_address=_address(str(data.get("recipient_address") or "")),
        lat=lat,
        lng=lng,
        delivery_type=_delivery_type(data),
        is_scheduled=pre_sale or delivery_at is not None,
        expected_delivery_at=delivery_at or from_unix(data.get("estimate_arrival_time")),
        accept_deadline_at=placed_at + ACCEPT_WINDOW if status_code in ("1", "2", "3") else None,
        goods_fen=sum(line.unit_price_fen * line.quantity for line in lines),
        freight_fen=wire_yuan_to_fen(data.get("shipping_fee")),
        packing_fen=int(data.get("package_bag_money") or 0) + box_fen,  # package_bag_money is fen
        platform_discount_fen=sum(wire_yuan_to_fen(e.get("mt_charge")) for e in extras),
        merchant_discount_fen=sum(wire_yuan_to_fen(e.get("poi_charge")) for e in extras),
        paid_fen=wire_yuan_to_fen(data.get("total")),
        merchant_receivable_fen=_receivable(data),
        placed_at=placed_at,
        paid_at=placed_at,  # paid-order pushes only exist after payment; no separate pay time
        updated_at=updated_at,
        lines=lines,
        is_complete=str(data.get("incmp_code", "0")) != "-1" and bool(details),
    )


def event_from_push(push_type: PushType | str, data: Mapping[str, Any]) -> PlatformEvent:
    """A decoded push -> one PlatformEvent. `push_type` is known from the callback URL it hit."""
    kind = PushType(push_type)
    if kind in (PushType.PAID, PushType.CONFIRMED):
        order = order_from_push(data)
        return PlatformEvent(
            kind=EventKind.ORDER if kind == PushType.PAID else EventKind.CONFIRMED,
            platform=Platform.MEITUAN,
            platform_shop_id=order.platform_shop_id,
            platform_order_id=order.platform_order_id,
            raw_type=kind.value,
            raw_status_code=order.raw_status_code,
            occurred_at=order.updated_at,
            order=order,
        )
    base = dict(
        platform=Platform.MEITUAN,
        platform_shop_id=str(data.get("app_poi_code", "")),
        platform_order_id=str(data["order_id"]),
        raw_type=kind.value,
        occurred_at=from_unix(data.get("utime") or data.get("timestamp")),
    )
    if kind == PushType.CANCEL:
        return PlatformEvent(
            kind=EventKind.CANCEL,
            raw_status_code="9",
            cancel_reason_code=str(data.get("reason_code", "")),
            cancel_reason=str(data.get("reason") or ""),
            cancelled_by=CANCELLED_BY.get(str(data.get("deal_op_type")), ""),
            **base,
        )
    if kind == PushType.REFUND:
        notify = str(data.get("notify_type", ""))
        refund = refund_from_push(data, RefundKind.FULL, REFUND_NOTIFY.get(notify, RefundStatus.APPLIED), notify, base)
        return PlatformEvent(kind=EventKind.REFUND, raw_status_code=notify, refund=refund, **base)
    if kind == PushType.REFUND_STATUS:
        code = str(data.get("refund_status", ""))
        refund_kind, status = REFUND_RESULT.get(code, (RefundKind.FULL, RefundStatus.FAILED))
        refund = refund_from_push(data, refund_kind, status, code, base)
        return PlatformEvent(kind=EventKind.REFUND, raw_status_code=code, refund=refund, **base)
    code = str(data.get("logistics_status", ""))
    if "time" in data:
        base["occurred_at"] = from_unix(data.get("time")) or base["occurred_at"]
    delivery = DeliveryUpdate(
        status=LOGISTICS_STATUS.get(code, DeliveryStatus.EXCEPTION),
        raw_status_code=code,
        rider_name=str(data.get("dispatcher_name") or ""),
        rider_phone=str(data.get("dispatcher_mobile") or ""),
        updated_at=base["occurred_at"],
    )
    return PlatformEvent(kind=EventKind.DELIVERY, raw_status_code=code, delivery=delivery, **base)


def skus_from_retail_list(app_poi_code: str, items: list[Mapping[str, Any]]) -> list[PlatformSku]:
    skus = []
    for item in items:
        for sku in _json_list(item.get("skus")):
            stock = sku.get("stock")
            skus.append(
                PlatformSku(
                    platform=Platform.MEITUAN,
                    platform_shop_id=app_poi_code,
                    platform_item_id=str(item.get("app_food_code", "")),
                    platform_sku_id=str(sku.get("sku_id", "")),
                    name=str(item.get("name", "")),
                    spec=str(sku.get("spec") or ""),
                    outer_sku_code=str(sku.get("sku_id", "")),  # Meituan sku_id is the merchant's code
                    barcode=str(sku.get("upc") or ""),
                    price_fen=wire_yuan_to_fen(sku.get("price")),
                    stock=None if stock in (None, "") else int(float(stock)),
                )
            )
    return skus


# ---- helpers -----------------------------------------------------------------------------------


def _line(item: Mapping[str, Any], benefits: Mapping[tuple[str, str], int]) -> PlatformOrderLine:
    quantity = int(item.get("quantity") or 0)
    unit = wire_yuan_to_fen(item.get("price"))
    key = (str(item.get("app_food_code", "")), str(item.get("sku_id", "")))
    discount = benefits.get(key, 0)
    return PlatformOrderLine(
        platform_item_id=key[0],
        platform_sku_id=key[1],
        outer_sku_code=key[1],
        barcode=str(item.get("upc") or ""),
        name=str(item.get("food_name") or ""),
        spec=str(item.get("spec") or ""),
        quantity=quantity,
        unit_price_fen=unit,
        discount_fen=discount,
        paid_fen=unit * quantity - discount,
    )


def _benefits_by_sku(rows: list[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    result: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (str(row.get("app_food_code", "")), str(row.get("sku_id", "")))
        result[key] = result.get(key, 0) + wire_yuan_to_fen(row.get("totalReducePrice"))
    return result


def _receivable(data: Mapping[str, Any]) -> int | None:
    yuan = data.get("poi_receive_detail_yuan")
    if isinstance(yuan, str) and yuan:
        yuan = parse_json_field(yuan)
    if isinstance(yuan, Mapping) and yuan.get("poiReceive") not in (None, ""):
        return wire_yuan_to_fen(yuan["poiReceive"])
    cent = data.get("poi_receive_detail")
    if isinstance(cent, str) and cent:
        cent = parse_json_field(cent)
    if isinstance(cent, Mapping) and cent.get("wmPoiReceiveCent") not in (None, ""):
        return int(cent["wmPoiReceiveCent"])
    return None


def _delivery_type(data: Mapping[str, Any]) -> DeliveryType:
    if str(data.get("pick_type", "0")) == "1":
        return DeliveryType.SELF_PICKUP
    code = str(data.get("logistics_code") or "")
    if not code:
        return DeliveryType.UNKNOWN
    return DeliveryType.MERCHANT if code == SELF_DELIVERY_CODE else DeliveryType.PLATFORM


def _address(value: str) -> str:
    # "<typed address>@#<reverse-geocoded address>": the buyer's own words are the useful part.
    typed, _, geocoded = value.partition("@#")
    return typed.strip() or geocoded.strip()


def _coordinate(value: object) -> float | None:
    if value in (None, ""):
        return None
    number = float(value)  # type: ignore[arg-type]
    return number / 1_000_000 if abs(number) > 1000 else number  # some feeds send degrees x 1e6


def _times(price_yuan: object, count: object) -> int:
    if price_yuan in (None, "") or count in (None, ""):
        return 0
    return wire_yuan_to_fen(Decimal(str(price_yuan)) * Decimal(str(count)))


def _json_list(value: object) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = parse_json_field(value)
    return list(value) if isinstance(value, list) else []


def _int_or_none(value: object) -> int | None:
    return None if value in (None, "") else int(value)  # type: ignore[arg-type]
