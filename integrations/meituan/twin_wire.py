"""How the sandbox renders its truth in Meituan's wire format (detail answers and pushes)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from integrations.meituan.sign import meituan_sig
from integrations.meituan.spec import (
    DOUBLE_ENCODED_FIELDS,
    PUSH_PATH_TEMPLATE,
    SERVICE_RETURN_GOODS,
    STATUS_BUYER_SHIPPED,
    PushType,
)
from integrations.sandbox.store import (
    ACCEPTED,
    AWAITING_ACCEPT,
    CANCELLED,
    CLOSED,
    COMPLETED,
    DELIVERING,
    AfterSale,
    Shop,
    SimOrder,
)

STATUS_CODE = {AWAITING_ACCEPT: 2, ACCEPTED: 4, DELIVERING: 6, COMPLETED: 8, CANCELLED: 9, CLOSED: 9}
LOGISTICS_CODE = {
    "awaiting_rider": 0,
    "rider_accepted": 10,
    "at_store": 15,
    "delivering": 20,
    "delivered": 40,
    "cancelled": 100,
}
# Self-delivery codes the OMS may send with logistics/sync, as rider steps (§1.5, §11.5).
SYNC_STEP = {
    0: "awaiting_rider",
    1: "awaiting_rider",
    5: "rider_accepted",
    10: "rider_accepted",
    15: "at_store",
    20: "delivering",
    40: "delivered",
    100: "cancelled",
}
DEAL_OP_TYPE = {"user": 1, "merchant": 2, "service": 3, "system": 5, "open_platform": 6}
REFUND_NOTIFY = {
    "refund_applied": ("apply", 0),
    "refund_rejected": ("reject", 1),
    "refund_agreed": ("agree", 2),
    "refund_cancelled": ("cancelRefund", 7),
}
SELF_DELIVERY = "0000"
PLATFORM_DELIVERY = "1001"


def yuan(fen: int) -> float:
    """Meituan sends yuan as JSON numbers (floats); two decimals are exact enough for its parser."""
    return float(Decimal(fen) / 100)


def yuan_text(fen: int) -> str:
    """1230 -> "12.30" (the `_yuan` twin fields are strings)."""
    return f"{Decimal(fen) / 100:.2f}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def refund_fields(after_sale: AfterSale, event: str, reason: str | None = None) -> dict[str, Any]:
    """The 全额退款 push's fields for a refund move (also one row of getOrderRefundDetail)."""
    notify_type, res_type = REFUND_NOTIFY.get(event, ("agree", 2))
    fields: dict[str, Any] = {
        "notify_type": notify_type,
        "refund_id": after_sale.after_sale_id,
        "reason": reason or after_sale.reason,
        "res_type": res_type,
        "is_appeal": 0,
        "money": yuan(after_sale.amount_fen),
        "service_type": SERVICE_RETURN_GOODS if after_sale.return_goods else 1,
        "pictures": _json(after_sale.pictures),
        "utime": int(after_sale.updated_at),  # ASSUMED: when the refund last changed
    }
    if event == "return_shipped":
        fields["status"] = STATUS_BUYER_SHIPPED
        fields["logistics_info"] = _json(
            [{"express_company": after_sale.carrier, "express_number": after_sale.waybill}]
        )
    return fields


def refund_row(after_sale: AfterSale) -> dict[str, Any]:
    """One row of getOrderRefundDetail (the refund query)."""
    res_type = {"applied": 0, "rejected": 1, "cancelled": 7}.get(after_sale.status, 2)
    status = {"return_shipped": STATUS_BUYER_SHIPPED, "refunded": 30}.get(after_sale.status, 20)
    return {
        "refund_id": after_sale.after_sale_id,
        "wm_order_id_view": after_sale.order_id,
        "refund_type": 2 if after_sale.kind == "partial" else 1,
        "res_type": res_type,
        "status": status,
        "service_type": SERVICE_RETURN_GOODS if after_sale.return_goods else 1,
        "apply_reason": after_sale.reason,
        "money": yuan(after_sale.amount_fen),
        "pictures": after_sale.pictures,
        "food": _food(after_sale),
        "ctime": int(after_sale.created_at),
        "utime": int(after_sale.updated_at),
    }


def _food(after_sale: AfterSale) -> list[dict]:
    return [
        {
            "app_food_code": ln["item_id"],
            "sku_id": ln["sku_id"],
            "food_name": ln["name"],
            "count": ln["quantity"],
            "refund_price": yuan(ln["amount_fen"]),
        }  # fmt: skip
        for ln in after_sale.lines
    ]


def order_fields(order: SimOrder, shop: Shop) -> dict[str, Any]:
    """Paid-order push / getOrderDetail fields. JSON-valued fields are JSON text, as on the wire."""
    goods_box = order.goods_fen + order.box_fen
    return {
        "order_id": int(order.order_id),
        "wm_order_id_view": order.display_no,
        "app_poi_code": order.shop_id,
        "wm_poi_name": shop.name,
        "day_seq": order.day_seq,
        "ctime": int(order.created_at),
        "utime": int(order.updated_at),
        "status": STATUS_CODE[order.stage],
        "recipient_name": order.receiver_name,
        "recipient_phone": order.receiver_phone,
        "recipient_address": f"{order.address}@#{order.geo_address}",
        "latitude": order.lat,
        "longitude": order.lng,
        "caution": order.memo,
        "shipping_fee": yuan(order.freight_fen),
        "total": yuan(order.paid_fen),
        "original_price": yuan(goods_box + order.bag_fen + order.freight_fen),
        "package_bag_money": order.bag_fen,  # fen, unlike everything else
        "package_bag_money_yuan": yuan_text(order.bag_fen),
        "delivery_time": int(order.scheduled_at or 0),
        "is_pre_sale_order": 1 if order.scheduled_at else 0,
        "estimate_arrival_time": int(order.scheduled_at or order.created_at + 2700),
        "pick_type": 1 if order.delivery_type == "pickup" else 0,
        "logistics_code": PLATFORM_DELIVERY if order.delivery_type == "platform" else SELF_DELIVERY,
        "detail": _json(
            [
                {
                    "app_food_code": line.item_id,
                    "food_name": line.name,
                    "sku_id": line.sku_id,
                    "upc": line.barcode,
                    "quantity": line.quantity,
                    "price": yuan(line.unit_price_fen),
                    "box_num": line.box_num,
                    "box_price": yuan(line.box_price_fen),
                    "unit": "份",
                    "spec": line.spec,
                    "food_discount": 1,
                }
                for line in order.lines
            ]
        ),
        "extras": _json(
            [
                {
                    "reduce_fee": yuan(order.platform_discount_fen + order.merchant_discount_fen),
                    "mt_charge": yuan(order.platform_discount_fen),
                    "poi_charge": yuan(order.merchant_discount_fen),
                    "remark": order.discount_label,
                    "type": 2,
                }
            ]
            if order.discount_label
            else []
        ),
        "sku_benefit_detail": _json(
            [
                {
                    "app_food_code": line.item_id,
                    "sku_id": line.sku_id,
                    "count": line.quantity,
                    "totalReducePrice": yuan(line.discount_fen),
                }
                for line in order.lines
                if line.discount_fen
            ]
        ),
        "poi_receive_detail": _json({"wmPoiReceiveCent": order.receivable_fen}),
        "poi_receive_detail_yuan": _json({"poiReceive": yuan_text(order.receivable_fen)}),
        "incmp_code": 0,
    }


def push_for(
    order: SimOrder, shop: Shop, event: str, details: dict[str, Any]
) -> tuple[PushType, dict[str, Any]] | None:
    """The push Meituan sends for a lifecycle event, or None when Meituan sends none."""
    base = {"order_id": order.order_id, "app_poi_code": order.shop_id}
    if event == "paid":
        return PushType.PAID, order_fields(order, shop)
    if event == "confirmed":
        return PushType.CONFIRMED, order_fields(order, shop)
    if event == "cancelled":
        return PushType.CANCEL, {
            **base,
            "reason_code": details.get("reason_code", ""),
            "reason": details.get("reason", ""),
            "deal_op_type": DEAL_OP_TYPE.get(str(details.get("by")), 5),
        }
    if event in REFUND_NOTIFY or event == "return_shipped":
        return PushType.REFUND, {**base, **refund_fields(details["after_sale"], event, details.get("reason"))}
    if event == "refunded":
        after_sale = details["after_sale"]
        return PushType.REFUND_STATUS, {
            **base,
            "refund_id": after_sale.after_sale_id,
            "refund_status": 3 if after_sale.kind == "full" else 13,
            "money": yuan(after_sale.amount_fen),
            "food": _json(_food(after_sale)),
            "utime": int(after_sale.updated_at),
        }
    if event == "delivery":
        return PushType.LOGISTICS, {
            **base,
            "logistics_status": LOGISTICS_CODE[details["step"]],
            "dispatcher_name": details.get("rider_name", ""),
            "dispatcher_mobile": details.get("rider_phone", ""),
            "time": int(order.updated_at),
        }
    return None


def callback_url(shop: Shop, push_type: PushType) -> str:
    return shop.callback_base.rstrip("/") + PUSH_PATH_TEMPLATE.format(push_type=push_type.value)


def encode_push(url: str, fields: dict[str, Any], shop: Shop, now: float) -> bytes:
    """Form body signed like Meituan: sig over the values the receiver sees after one decoding."""
    params = {k: _text(v) for k, v in fields.items() if v is not None}
    if shop.double_encode:
        for name in DOUBLE_ENCODED_FIELDS:
            if name in params:
                params[name] = quote(params[name], safe="")
    params["app_id"] = shop.app_id
    params["timestamp"] = str(int(now))
    params["sig"] = meituan_sig(url, params, shop.secret)
    return urlencode(params).encode("ascii")


def _text(value: object) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)
