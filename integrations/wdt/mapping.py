"""Our orders and after-sales as 旺店通 企业版 wants them (§2.1), and its sync records as Shipments.

Money leaves as 元 text with 2 decimals (decimal(19,4) on their side). The amounts obey WDT's
identity paid = Σ(price·num + adjust − discount − share_discount) + post_amount + other_amount:
a line's own discount is price·num − amount, an order-level discount is shared over the lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations.base import PlatformError
from integrations.erp_base import local_text, parse_local, yuan_text
from integrations.erp_contract import Shipment, ShipmentLine
from integrations.wdt.spec import (
    ERP,
    FROM_CARRIER_CODE,
    REFUND_DONE,
    REFUND_STATUS_ASKED,
    REFUND_TYPES,
    SELF_PLATFORM,
    TRADE_STATUS_CLOSED,
    TRADE_STATUS_PAID,
    TRADE_STATUS_REFUNDED,
    TRADE_STATUS_UNPAID,
)
from qihang_app.domain.express_carriers import carrier_by_name
from qihang_app.domain.money import allocate_discount

UNPAID_TIME = "0000-00-00 00:00:00"


def oid(order_no: str, line_no: object) -> str:
    """A line's oid: unique per sid (WDT refuses a repeated oid), so it carries the order number."""
    return f"{order_no}-{line_no}"[:40]


def trade(order: Mapping[str, Any], *, cancelled: bool = False) -> dict[str, Any]:
    paid = order.get("paid_at") is not None
    status = TRADE_STATUS_PAID if paid else TRADE_STATUS_UNPAID
    if cancelled:
        status = TRADE_STATUS_REFUNDED if paid else TRADE_STATUS_CLOSED
    lines = list(order["lines"])
    amounts = [int(line["amount_fen"]) for line in lines]
    freight = int(order.get("freight_fen") or 0)
    rest = int(order["total_fen"]) - sum(amounts) - freight  # + extra charges / − order discount
    shared = allocate_discount(-rest, amounts) if rest < 0 else [0] * len(lines)
    order_list = [
        {
            "oid": oid(order["order_no"], line["line_no"]),
            "num": int(line["quantity"]),
            "price": yuan_text(line["price_fen"]),
            "status": status,
            "refund_status": REFUND_DONE if cancelled else 0,
            "goods_id": str(line["sku"]),
            "goods_no": str(line["sku"]),
            "spec_no": str(line["sku"]),
            "goods_name": str(line.get("name") or "")[:255],
            "spec_name": "",
            "adjust_amount": "0.00",
            "discount": yuan_text(int(line["price_fen"]) * int(line["quantity"]) - amount),
            "share_discount": yuan_text(share),
        }
        for line, amount, share in zip(lines, amounts, shared, strict=True)
    ]
    return {
        "tid": str(order["order_no"])[:40],
        "trade_status": status,
        "pay_status": 2 if paid else 0,
        "delivery_term": 1,
        "trade_time": local_text(order["created_at"]),
        "pay_time": local_text(order["paid_at"]) if paid else UNPAID_TIME,
        "buyer_nick": str(order.get("customer_code") or "")[:100],
        "buyer_message": str(order.get("buyer_note") or ""),
        "seller_memo": str(order.get("seller_note") or ""),
        "receiver_name": str(order.get("receiver_name") or ""),
        "receiver_province": str(order.get("province") or ""),
        "receiver_city": str(order.get("city") or ""),
        "receiver_district": str(order.get("district") or ""),
        "receiver_address": str(order.get("address") or ""),
        "receiver_mobile": str(order.get("receiver_phone") or ""),
        "logistics_type": -1,
        "post_amount": yuan_text(freight),
        "cod_amount": "0.00",
        "ext_cod_fee": "0.00",
        "other_amount": yuan_text(max(rest, 0)),
        "paid": yuan_text(int(order.get("paid_fen", order["total_fen"])) if paid else 0),
        "order_list": order_list,
    }


def closing_trade(tid: str) -> dict[str, Any]:
    """The cancel of an order whose contents we were not given: the tid in the closed state."""
    return {"tid": tid, "trade_status": TRADE_STATUS_REFUNDED, "order_list": []}


def refund(after_sale: Mapping[str, Any], shop_no: str) -> dict[str, Any]:
    kind = str(after_sale["kind"])
    if kind not in REFUND_TYPES:
        raise PlatformError(ERP, "unsupported", f"旺店通企业版的退款单不接收“{kind}”类售后")
    row = {
        "platform_id": SELF_PLATFORM,
        "shop_no": shop_no,
        "tid": str(after_sale["order_no"]),
        "refund_no": str(after_sale["after_sale_no"])[:40],
        "type": REFUND_TYPES[kind],
        "status": REFUND_STATUS_ASKED,
        "refund_fee": yuan_text(int(after_sale.get("refund_fen") or 0)),
        "refund_time": local_text(after_sale.get("created_at")) or None,
        "reason": str(after_sale.get("reason") or ""),
        "logistics_no": str(after_sale.get("return_tracking_no") or ""),
        "logistics_name": str(after_sale.get("return_carrier") or ""),
        "order_list": [
            {"oid": oid(after_sale["order_no"], line["line_no"]), "num": int(line["quantity"])}
            for line in after_sale.get("lines") or []
        ],
    }
    return {k: v for k, v in row.items() if v is not None}


def our_carrier(logistics_type: object, name: object) -> str:
    return FROM_CARRIER_CODE.get(str(logistics_type)) or carrier_by_name(str(name or "")).code


def shipment_of(record: Mapping[str, Any]) -> Shipment | None:
    """One logistics_sync_query record -> Shipment (rec_id to ack it); a part shipment names its
    lines by oid (whole lines: WDT gives no quantities)."""
    if str(record.get("sync_status", 0)) != "0" or not record.get("logistics_no"):
        return None
    tid = str(record["tid"])
    lines: tuple[ShipmentLine, ...] = ()
    if str(record.get("is_part_sync")) == "1":
        oids = [o.strip() for o in str(record.get("oids") or "").split(",") if o.strip()]
        lines = tuple(ShipmentLine("", 0, o.removeprefix(f"{tid}-")) for o in oids)
    return Shipment(
        order_ref=tid,
        carrier=our_carrier(record.get("logistics_type"), record.get("logistics_name")),
        tracking_no=str(record["logistics_no"]),
        shipped_at=parse_local(record.get("consign_time")),
        lines=lines,
        ack_ref=str(record["rec_id"]),
    )
