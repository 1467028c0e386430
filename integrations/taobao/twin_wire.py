"""How the sandbox renders its truth as TOP JSON (trades, refunds, items) and as TMC messages."""

from __future__ import annotations

from typing import Any

from integrations.sandbox.store import (
    ACCEPTED,
    AWAITING_ACCEPT,
    CANCELLED,
    CLOSED,
    COMPLETED,
    DELIVERING,
    AfterSale,
    Product,
    Shop,
    SimOrder,
)
from integrations.taobao.twin_state import STATE, line_id, oaid, wire_time

SHIP_WINDOW = 48 * 3600  # the twin's promise: ship within 48 hours of payment
STAGE_STATUS = {
    AWAITING_ACCEPT: "WAIT_SELLER_SEND_GOODS",  # no accept step on Taobao
    ACCEPTED: "WAIT_SELLER_SEND_GOODS",
    DELIVERING: "WAIT_BUYER_CONFIRM_GOODS",
    COMPLETED: "TRADE_FINISHED",
    CANCELLED: "TRADE_CLOSED",  # the sandbox's orders are paid: a close after payment
    CLOSED: "TRADE_CLOSED",
}
REFUND_STATUS = {
    "applied": "WAIT_SELLER_AGREE",
    "agreed": "SUCCESS",  # refund only: the money goes at once
    "return_agreed": "WAIT_BUYER_RETURN_GOODS",
    "return_shipped": "WAIT_SELLER_CONFIRM_GOODS",
    "rejected": "SELLER_REFUSE_BUYER",
    "cancelled": "CLOSED",
    "refunded": "SUCCESS",
}


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}" if fen >= 0 else "-" + yuan(-fen)


def mask_name(name: str) -> str:
    return (name[:1] + "**") if name else ""


def mask_phone(phone: str) -> str:
    digits = phone.replace("*", "")
    return "*******" + digits[-4:] if len(digits) >= 4 else phone


def trade_status(order: SimOrder) -> str:
    status = STAGE_STATUS[order.stage]
    shipped = STATE.shipped.get(order.order_id, {})
    if status == "WAIT_SELLER_SEND_GOODS" and shipped:
        return "SELLER_CONSIGNED_PART"
    return status


def _line_refund(order: SimOrder, index: int) -> tuple[str, str]:
    """(refund status, refund id) of a line: a full refund covers every line, a partial one the first."""
    for after_sale in reversed(order.after_sales):
        covered = after_sale.kind == "full" or index == 0
        if covered:
            return REFUND_STATUS[after_sale.status], after_sale.after_sale_id
    return "NO_REFUND", ""


def trade(order: SimOrder, shop: Shop) -> dict[str, Any]:
    """One trade as taobao.trade.fullinfo.get returns it (plain JSON: lists wrapped)."""
    memo = STATE.memos.get(order.order_id, {})
    subs = []
    for index, line in enumerate(order.lines):
        refund, refund_id = _line_refund(order, index)
        oid = line_id(order.order_id, index)
        parcel = STATE.shipped.get(order.order_id, {}).get(oid)
        subs.append(
            {
                "oid": oid,  # beyond JS numbers: text here
                "oid_str": oid,
                "num_iid": int(line.item_id),
                "sku_id": line.sku_id,
                "outer_iid": line.outer_code,
                "outer_sku_id": line.outer_code,
                "title": line.name,
                "sku_properties_name": line.spec,
                "num": line.quantity,
                "price": yuan(line.unit_price_fen),
                "total_fee": yuan(line.paid_fen),
                "payment": yuan(line.paid_fen),
                "discount_fee": yuan(line.discount_fen),
                "refund_status": refund,
                "refund_id": refund_id,
                "status": "WAIT_BUYER_CONFIRM_GOODS" if parcel else trade_status(order),
                "invoice_no": parcel["out_sid"] if parcel else "",
                "logistics_company": parcel["company_code"] if parcel else "",
            }
        )
    extra = order.box_fen + order.bag_fen  # no such charges on Taobao: folded into the price adjustment
    return {
        "tid": order.order_id,
        "tid_str": order.order_id,
        "status": trade_status(order),
        "type": "fixed",
        "seller_nick": shop.shop_id,
        "buyer_nick": "t**" + order.order_id[-3:],
        "created": wire_time(order.created_at),
        "pay_time": wire_time(order.created_at),
        "modified": wire_time(order.updated_at),
        "consign_due_time": wire_time(order.created_at + SHIP_WINDOW),
        "total_fee": yuan(order.goods_fen),
        "post_fee": yuan(order.freight_fen),
        "discount_fee": yuan(order.merchant_discount_fen),
        "coupon_fee": yuan(order.platform_discount_fen),
        "adjust_fee": yuan(extra),
        "payment": yuan(order.paid_fen),
        "buyer_message": order.memo,
        "seller_memo": memo.get("memo", ""),
        "seller_flag": int(memo.get("flag") or 0),
        "receiver_name": mask_name(order.receiver_name),
        "receiver_mobile": mask_phone(order.receiver_phone),
        "receiver_state": "上海",
        "receiver_city": "上海市",
        "receiver_district": "",
        "receiver_address": order.geo_address[:6] + "****",
        "oaid": oaid(order.order_id),
        "orders": {"order": subs},
    }


def receiver(order: SimOrder) -> dict[str, Any]:
    """The unmasked receiver, as taobao.top.oaid.decrypt returns it."""
    return {
        "oaid": oaid(order.order_id),
        "tid": order.order_id,
        "name": order.receiver_name,
        "mobile": order.receiver_phone,
        "state": "上海",
        "city": "上海市",
        "district": "",
        "address_detail": f"{order.geo_address}{order.address}",
    }


def refund(order: SimOrder, after_sale: AfterSale, shop: Shop) -> dict[str, Any]:
    first = order.lines[0] if order.lines else None
    return {
        "refund_id": after_sale.after_sale_id,
        "tid": order.order_id,
        "oid": line_id(order.order_id, 0),
        "status": REFUND_STATUS[after_sale.status],
        "seller_nick": shop.shop_id,
        "refund_fee": yuan(after_sale.amount_fen),
        "total_fee": yuan(order.paid_fen),
        "payment": yuan(order.paid_fen),
        "has_good_return": after_sale.return_goods,
        "reason": after_sale.reason,
        "desc": after_sale.reason,
        "created": wire_time(after_sale.created_at),
        "modified": wire_time(after_sale.updated_at),
        "timeout": wire_time(after_sale.deadline_at) if after_sale.deadline_at else "",
        "refund_phase": "onsale" if order.stage != COMPLETED else "aftersale",
        "refund_version": int(after_sale.updated_at * 1000),
        "title": first.name if first else "",
        "num": first.quantity if first else 0,
        "num_iid": int(first.item_id) if first else 0,
        "sku": first.sku_id if first else "",
        "company_name": after_sale.carrier,
        "sid": after_sale.waybill,
    }


def item(product: Product, shop: Shop) -> dict[str, Any]:
    """An item with one SKU (the sandbox's catalog keeps one per product)."""
    return {
        "num_iid": int(product.item_id),
        "title": product.name,
        "nick": shop.shop_id,
        "outer_id": product.outer_code,
        "price": yuan(product.price_fen),
        "num": product.stock,
        "approve_status": "onsale" if product.on_sale else "instock",
        "barcode": product.barcode,
        "skus": {
            "sku": [
                {
                    "sku_id": int(product.sku_id),
                    "properties_name": product.spec,
                    "outer_id": product.outer_code,
                    "barcode": product.barcode,
                    "price": yuan(product.price_fen),
                    "quantity": product.stock,
                }
            ]
        },
    }


# ---- TMC ---------------------------------------------------------------------------------------------

ORDER_TOPICS = {
    "paid": ("taobao_trade_TradeCreate", "taobao_trade_TradeBuyerPay"),
    "delivering": ("taobao_trade_TradeSellerShip",),
    "finished": ("taobao_trade_TradeSuccess",),
    "cancelled": ("taobao_trade_TradeClose",),
}
REFUND_TOPICS = {
    "refund_applied": "taobao_refund_RefundCreated",
    "refund_agreed": "taobao_refund_RefundSellerAgreeAgreement",
    "refund_rejected": "taobao_refund_RefundSellerRefuseAgreement",
    "return_shipped": "taobao_refund_RefundBuyerReturnGoods",
    "refunded": "taobao_refund_RefundSuccess",
    "refund_cancelled": "taobao_refund_RefundClosed",
}


def publish(order: SimOrder, shop: Shop, event: str, details: dict[str, Any]) -> None:
    """Put the TMC messages of a lifecycle event on the app's queue (TMC has no webhooks)."""
    if event == "paid" and order.stage == AWAITING_ACCEPT:
        # Taobao has no accept step: a paid order is ready to ship (and never times out unaccepted).
        order.stage, order.confirmed_at = ACCEPTED, order.created_at
    base = {"tid": order.order_id, "seller_nick": shop.shop_id, "buyer_nick": "t**" + order.order_id[-3:]}
    for topic in ORDER_TOPICS.get(event, ()):
        content = {**base, "payment": yuan(order.paid_fen), "status": trade_status(order), "type": "fixed"}
        STATE.publish(shop.app_id, topic, shop.shop_id, content)
    if event in REFUND_TOPICS and details.get("after_sale") is not None:
        after_sale: AfterSale = details["after_sale"]
        content = {
            **base,
            "refund_id": after_sale.after_sale_id,
            "oid": line_id(order.order_id, 0),
            "refund_fee": yuan(after_sale.amount_fen),
            "refund_phase": "onsale",
            "modified": wire_time(after_sale.updated_at),
        }
        STATE.publish(shop.app_id, REFUND_TOPICS[event], shop.shop_id, content)
        if event == "refunded" and order.stage == CLOSED:
            STATE.publish(shop.app_id, "taobao_trade_TradeClose", shop.shop_id, {**base, "status": "TRADE_CLOSED"})
