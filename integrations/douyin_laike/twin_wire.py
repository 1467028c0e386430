"""How the sandbox renders its truth in Douyin Laike's (partly ASSUMED, see spec.py) wire format."""

from __future__ import annotations

import json
import uuid
from typing import Any

from integrations.douyin_laike.spec import (
    AFTER_SALE_EVENT,
    AFTER_SALE_STATUS_BY_ACTION,
    ORDER_EVENT,
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    AfterSaleAction,
    OrderAction,
)
from integrations.douyin_laike.webhook import douyin_signature
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

STATUS_CODE = {AWAITING_ACCEPT: 2, ACCEPTED: 3, DELIVERING: 4, COMPLETED: 5, CANCELLED: 6, CLOSED: 7}
ORDER_ACTIONS = {
    "paid": OrderAction.PAY,
    "confirmed": OrderAction.CONFIRM,
    "delivering": OrderAction.DELIVER,
    "finished": OrderAction.FINISH,
    "cancelled": OrderAction.CANCEL,
}
AFTER_SALE_ACTIONS = {
    "refund_applied": AfterSaleAction.APPLY,
    "refund_agreed": AfterSaleAction.AGREE,
    "refund_rejected": AfterSaleAction.REJECT,
    "refund_cancelled": AfterSaleAction.CANCEL,
    "refunded": AfterSaleAction.REFUNDED,
}
DELIVERY_TYPE = {"platform": "platform", "merchant": "merchant", "pickup": "pickup"}
ACCEPT_WINDOW = 300  # the sandbox's own rule: unaccepted orders show a 5-minute deadline


def order_fields(order: SimOrder, shop: Shop) -> dict[str, Any]:
    """One order as trade/order/query returns it. Amounts are int fen."""
    return {
        "order_id": order.order_id,
        "account_id": order.shop_id,
        "order_status": STATUS_CODE[order.stage],
        "create_time": int(order.created_at),
        "pay_time": int(order.created_at),
        "update_time": int(order.updated_at),
        "accept_deadline": int(order.created_at + ACCEPT_WINDOW),
        "day_seq": order.day_seq,
        "original_amount": order.goods_fen + order.box_fen + order.bag_fen + order.freight_fen,
        "pay_amount": order.paid_fen,
        "freight_amount": order.freight_fen,
        "packing_amount": order.box_fen + order.bag_fen,
        "platform_discount_amount": order.platform_discount_fen,
        "merchant_discount_amount": order.merchant_discount_fen,
        "merchant_receivable_amount": order.receivable_fen,
        "remark": order.memo,
        "delivery_type": DELIVERY_TYPE[order.delivery_type],
        "book_time": int(order.scheduled_at or 0),
        "expect_delivery_time": int(order.scheduled_at or order.created_at + 2700),
        "receiver_info": {
            "name": order.receiver_name,
            "phone": order.receiver_phone,
            "address": f"{order.geo_address}{order.address}",
            "latitude": order.lat,
            "longitude": order.lng,
        },
        "products": [
            {
                "product_id": line.item_id,
                "sku_id": line.sku_id,
                "out_sku_id": line.outer_code,
                "barcode": line.barcode,
                "name": line.name,
                "spec": line.spec,
                "count": line.quantity,
                "sale_price": line.unit_price_fen,
                "discount_amount": line.discount_fen,
                "pay_amount": line.paid_fen,
            }
            for line in order.lines
        ],
    }


def push_for(order: SimOrder, shop: Shop, event: str, details: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(event name, content) of the webhook for a lifecycle event; None when none is sent."""
    now = int(order.updated_at)
    if event in ORDER_ACTIONS:
        thin = {
            "order_id": order.order_id,
            "account_id": order.shop_id,
            "original_amount": order.goods_fen + order.box_fen + order.bag_fen + order.freight_fen,
            "pay_amount": order.paid_fen,
            "create_time": int(order.created_at),
            "pay_time": int(order.created_at),
        }
        if event == "cancelled":
            thin.update(cancel_reason=details.get("reason", ""), cancel_by=details.get("by", ""))
        return ORDER_EVENT, {"action": ORDER_ACTIONS[event].value, "msg_time": now, "order": thin}
    if event in AFTER_SALE_ACTIONS:
        after_sale: AfterSale = details["after_sale"]
        action = AFTER_SALE_ACTIONS[event]
        return AFTER_SALE_EVENT, {
            "action": action.value,
            "msg_time": now,
            "after_sale": {
                "after_sale_id": after_sale.after_sale_id,
                "order_id": order.order_id,
                "account_id": order.shop_id,
                "type": 3 if after_sale.return_goods else 1 if after_sale.kind == "full" else 2,
                "status": AFTER_SALE_STATUS_BY_ACTION[action],
                "refund_amount": after_sale.amount_fen,
                "reason": details.get("reason") or after_sale.reason,
                "update_time": int(after_sale.updated_at),
                "create_time": int(after_sale.created_at),
                "audit_expire_time": int(after_sale.deadline_at) or None,  # ASSUMED field name
                "pictures": list(after_sale.pictures),
            },
        }
    return None


def callback_url(shop: Shop) -> str:
    return shop.callback_base.rstrip("/") + WEBHOOK_PATH


def encode_push(event: str, content: dict[str, Any], shop: Shop) -> tuple[bytes, dict[str, str]]:
    log_id = uuid.uuid4().hex
    envelope = {
        "event": event,
        "client_key": shop.app_id,
        "from_user_id": shop.shop_id,
        "content": json.dumps(content, ensure_ascii=False, separators=(",", ":")),
        "log_id": log_id,
    }
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: douyin_signature(shop.secret, body),
        "Msg-Id": log_id,
    }
    return body, headers
