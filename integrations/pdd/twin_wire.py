"""How the sandbox renders its truth in PDD's wire format (yuan, Beijing-time strings, masks)."""

from __future__ import annotations

import base64
from typing import Any

from integrations.pdd.mapping import format_time
from integrations.pdd.spec import OrderState, RefundState
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
from qihang_app.domain.money import fen_to_yuan_str

SHIP_WITHIN = 48 * 3600  # the sandbox's promise: ship within 48 hours of payment
ORDER_STATUS = {
    AWAITING_ACCEPT: OrderState.TO_SHIP,
    ACCEPTED: OrderState.TO_SHIP,
    CANCELLED: OrderState.TO_SHIP,
    DELIVERING: OrderState.SHIPPED,
    COMPLETED: OrderState.SIGNED,
    CLOSED: OrderState.TO_SHIP,
}
AFTER_SALES_STATUS = {
    "agreed": 4,
    "rejected": 6,
    "return_agreed": 7,
    "return_shipped": 7,  # PDD keeps 7; the buyer's tracking number says the goods are on the way
    "refunded": 10,
    "cancelled": 11,
}
OPEN = frozenset({"applied", "rejected", "return_agreed", "return_shipped"})


def yuan(fen: int) -> float:
    return float(fen_to_yuan_str(fen))


def encrypt(shop: Shop, plain: str) -> str:
    """PDD-style ciphertext: `~...~` (the twin's own reversible scheme, bound to the shop)."""
    return "~" + base64.urlsafe_b64encode(f"{shop.shop_id}|{plain}".encode()).decode() + "~"


def decrypt(shop: Shop, text: str) -> str | None:
    if not (text.startswith("~") and text.endswith("~")):
        return None
    try:
        owner, _, plain = base64.urlsafe_b64decode(text[1:-1].encode()).decode().partition("|")
    except ValueError:
        return None
    return plain if owner == shop.shop_id else None


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def refund_state(order: SimOrder) -> RefundState:
    if order.stage == CLOSED:
        return RefundState.REFUNDED
    last = order.after_sales[-1] if order.after_sales else None
    if last is None or last.status in ("cancelled", "refunded"):
        return RefundState.NONE
    return RefundState.REFUNDING if last.status == "agreed" else RefundState.IN_PROGRESS


def order_fields(order: SimOrder, shop: Shop, note: dict | None = None) -> dict[str, Any]:
    """One order as pdd.order.information.get / the increment list return it."""
    shipped = next((entry for entry in reversed(order.logistics) if entry.get("step") == "shipped"), {})
    postage = order.freight_fen + order.box_fen + order.bag_fen  # PDD has no packing fee: it is postage
    note = note or {}
    return {
        "order_sn": order.order_id,
        "order_status": int(ORDER_STATUS[order.stage]),
        "refund_status": int(refund_state(order)),
        "confirm_status": 2 if order.stage == CANCELLED else 1,
        "group_status": 1,
        "is_lucky_flag": 1,
        "trade_type": 0,
        "created_time": format_time(order.created_at),
        "confirm_time": format_time(order.created_at),
        "pay_time": format_time(order.created_at),
        "updated_at": format_time(order.updated_at),
        "last_ship_time": format_time(order.created_at + SHIP_WITHIN),
        "shipping_time": format_time(shipped["at"]) if shipped else "",
        "goods_amount": yuan(order.goods_fen),
        "postage": yuan(postage),
        "seller_discount": yuan(order.merchant_discount_fen),
        "platform_discount": yuan(order.platform_discount_fen),
        "discount_amount": yuan(order.merchant_discount_fen + order.platform_discount_fen),
        "pay_amount": yuan(order.paid_fen),
        "buyer_memo": order.memo,
        "remark": note.get("note", ""),
        "remark_tag": note.get("tag"),
        "remark_tag_name": note.get("tag_name", ""),
        "province": "上海市",
        "city": "上海市",
        "town": order.geo_address[:3] if order.geo_address else "",
        "receiver_name": encrypt(shop, order.receiver_name),
        "receiver_phone": encrypt(shop, order.receiver_phone),
        "address": encrypt(shop, f"{order.geo_address}{order.address}"),
        "receiver_name_mask": mask_name(order.receiver_name),
        "receiver_phone_mask": mask_phone(order.receiver_phone),
        "address_mask": order.address[:4] + "****",
        "tracking_number": shipped.get("tracking_number", ""),
        "logistics_id": shipped.get("logistics_id", 0),
        "item_list": [
            {
                "goods_id": line.item_id,
                "sku_id": line.sku_id,
                "outer_id": line.outer_code,
                "outer_goods_id": line.outer_code,
                "goods_name": line.name,
                "goods_spec": line.spec,
                "goods_count": line.quantity,
                "goods_price": yuan(line.unit_price_fen),
            }
            for line in order.lines
        ],
    }


def after_sales_status(after_sale: AfterSale) -> int:
    if after_sale.status == "applied":
        return 3 if after_sale.return_goods else 2
    return AFTER_SALES_STATUS.get(after_sale.status, 2)


def refund_fields(order: SimOrder, after_sale: AfterSale) -> dict[str, Any]:
    """One after-sale as pdd.refund.list.increment.get returns it (one SKU per row)."""
    line = after_sale.lines[0] if after_sale.lines else None
    first = order.lines[0]
    return {
        "id": after_sale.after_sale_id,
        "order_sn": order.order_id,
        "after_sales_type": 3 if after_sale.return_goods else 2,
        "after_sales_status": after_sales_status(after_sale),
        "after_sale_reason": after_sale.reason,
        "refund_amount": yuan(after_sale.amount_fen),
        "order_amount": yuan(order.paid_fen),
        "discount_amount": yuan(order.merchant_discount_fen + order.platform_discount_fen),
        "goods_id": line["item_id"] if line else first.item_id,
        "sku_id": line["sku_id"] if line else first.sku_id,
        "goods_name": line["name"] if line else first.name,
        "goods_number": line["quantity"] if line else first.quantity,
        "goods_price": yuan(first.unit_price_fen),
        "outer_id": first.outer_code,
        "created_time": format_time(after_sale.created_at),
        "updated_time": format_time(after_sale.updated_at),
        "confirm_time": format_time(order.created_at),
        "tracking_number": after_sale.waybill,
        "shipping_name": after_sale.carrier,
        "images": list(after_sale.pictures),  # ASSUMED field name
        "expire_time": format_time(after_sale.deadline_at) if after_sale.deadline_at else "",  # ASSUMED
    }


def goods_row(product) -> dict[str, Any]:
    """One product as pdd.goods.list.get lists it (one SKU per product in the sandbox)."""
    return {
        "goods_id": product.item_id,
        "goods_name": product.name,
        "goods_quantity": product.stock,
        "is_onsale": 1 if product.on_sale else 0,
        "sku_list": [
            {
                "sku_id": product.sku_id,
                "outer_id": product.outer_code,
                "spec": product.spec,
                "sku_quantity": product.stock,
                "is_sku_onsale": 1 if product.on_sale else 0,
            }
        ],
    }


def goods_detail(product) -> dict[str, Any]:
    """pdd.goods.detail.get: prices in fen there (multi_price = the group price)."""
    return {
        "goods_id": product.item_id,
        "goods_name": product.name,
        "sku_list": [
            {
                "sku_id": product.sku_id,
                "out_sku_sn": product.outer_code,
                "spec": [{"parent_name": "规格", "spec_name": product.spec}],
                "price": product.price_fen + 200,  # 单买价: the sandbox charges 2 yuan more alone
                "multi_price": product.price_fen,
                "quantity": product.stock,
                "barcode": product.barcode,  # ASSUMED field
            }
        ],
    }
