"""Our orders and after-sales as 聚水潭 wants them (§1.5, §1.7), and its logistic rows as Shipments.

Money leaves as 元 numbers (2 decimals). Empty values are never sent: JST asks for fields to be
left out rather than sent as "" or null (and the signature skips empties anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations.erp_base import local_text, parse_local, yuan_number
from integrations.erp_contract import AfterSaleResult, Shipment, ShipmentLine
from integrations.jushuitan.spec import AFTERSALE_LINE_TYPES, AFTERSALE_TYPES, FROM_CARRIER_CODE, RESULT_OUTCOMES
from qihang_app.domain.express_carriers import carrier_by_name


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


def _shop(shop_id: str) -> int | str:
    return int(shop_id) if shop_id.isdigit() else shop_id


def order_biz(order: Mapping[str, Any], shop_id: str) -> dict[str, Any]:
    paid = order.get("paid_at") is not None
    total = int(order["total_fen"])
    phone = str(order.get("receiver_phone") or "")
    split = all(order.get(part) for part in ("province", "city", "district"))  # else the full address only
    items = [
        _compact(
            {
                "sku_id": str(line["sku"])[:40],
                "shop_sku_id": str(line["sku"])[:128],
                "name": str(line.get("name") or "")[:100],
                "qty": int(line["quantity"]),
                "price": yuan_number(line["price_fen"]),
                "base_price": yuan_number(line["price_fen"]),
                "amount": yuan_number(line["amount_fen"]),
                "outer_oi_id": str(line["line_no"])[:50],
            }
        )
        for line in order["lines"]
    ]
    biz = {
        "shop_id": _shop(shop_id),
        "so_id": str(order["order_no"])[:50],
        "order_date": local_text(order["created_at"]),
        "shop_status": "WAIT_SELLER_SEND_GOODS" if paid else "WAIT_BUYER_PAY",
        "shop_buyer_id": str(order.get("customer_code") or "")[:50],
        "receiver_name": str(order.get("receiver_name") or "")[:50],
        "receiver_mobile": phone[:50] if phone.startswith("1") else "",
        "receiver_phone": "" if phone.startswith("1") else phone[:50],
        "receiver_state": order.get("province") if split else "",
        "receiver_city": order.get("city") if split else "",
        "receiver_district": order.get("district") if split else "",
        "receiver_address": str(order.get("address") or "")[:200],
        "pay_amount": yuan_number(total),
        "freight": yuan_number(order.get("freight_fen") or 0),
        "buyer_message": str(order.get("buyer_note") or "")[:400],
        "remark": str(order.get("seller_note") or "")[:1000],
        "items": items,
    }
    if paid:
        biz["pay"] = _compact(
            {
                "outer_pay_id": f"{order['order_no']}-PAY"[:50],
                "pay_date": local_text(order["paid_at"]),
                "payment": "在线支付",
                "buyer_account": str(order.get("customer_code") or "")[:50],
                "amount": yuan_number(order.get("paid_fen", total)),
            }
        )
    out = _compact(biz)
    out["freight"] = biz["freight"]  # 0 is a real freight, not an empty value
    return out


def after_sale_biz(after_sale: Mapping[str, Any], shop_id: str) -> dict[str, Any]:
    kind = str(after_sale["kind"])
    items = [
        _compact(
            {
                "outer_oi_id": str(line.get("line_no") or "")[:50],
                "sku_id": str(line["sku"]),
                "qty": int(line["quantity"]),
                "amount": yuan_number(line.get("amount_fen") or 0),
                "type": AFTERSALE_LINE_TYPES.get(kind, "其它"),
            }
        )
        for line in after_sale.get("lines") or []
    ]
    returns_goods = kind in ("return", "exchange")
    return _compact(
        {
            "shop_id": _shop(shop_id),
            "outer_as_id": str(after_sale["after_sale_no"])[:50],
            "so_id": str(after_sale["order_no"])[:50],
            "type": AFTERSALE_TYPES.get(kind, "其它"),
            "shop_status": "WAIT_SELLER_AGREE",
            "good_status": "BUYER_RETURNED_GOODS" if returns_goods else "BUYER_NOT_RECEIVED",
            "question_type": str(after_sale.get("reason") or "")[:50],
            "remark": str(after_sale.get("reason") or "")[:400],
            "refund": yuan_number(after_sale.get("refund_fen") or 0),
            "total_amount": yuan_number(after_sale.get("refund_fen") or 0),
            "logistics_company": str(after_sale.get("return_carrier") or ""),
            "l_id": str(after_sale.get("return_tracking_no") or ""),
            "items": items,
        }
    )


def our_carrier(lc_id: object, company: object) -> str:
    code = FROM_CARRIER_CODE.get(str(lc_id or "").upper())
    return code or carrier_by_name(str(company or lc_id or "")).code


def spawned_by_after_sale(rows: list[dict[str, Any]], shipment: Shipment) -> bool:
    return any(str(r.get("o_id")) == shipment.ack_ref and r.get("as_id") for r in rows)


def after_sale_result_of(row: Mapping[str, Any]) -> AfterSaleResult | None:
    """A sent 补发订单 / 换货订单 -> the after-sale's result with the replacement's tracking number."""
    outcome = RESULT_OUTCOMES.get(str(row.get("type") or ""))
    tracking = str(row.get("l_id") or "").strip()
    if not row.get("as_id") or outcome is None or not tracking:
        return None
    carrier = our_carrier(row.get("lc_id"), row.get("logistics_company"))
    return AfterSaleResult(str(row["as_id"]), outcome, tracking_no=tracking, carrier=carrier)


def shipment_of(row: Mapping[str, Any]) -> Shipment | None:
    """One sent JST order (a split so_id gives several) -> Shipment (ack_ref: its o_id)."""
    tracking = str(row.get("l_id") or "").strip()
    if not tracking or not row.get("so_id"):
        return None  # not shipped yet
    lines = tuple(
        ShipmentLine(str(item["sku_id"]), int(item["qty"])) for item in row.get("items") or [] if item.get("sku_id")
    )
    return Shipment(
        order_ref=str(row["so_id"]),
        carrier=our_carrier(row.get("lc_id"), row.get("logistics_company")),
        tracking_no=tracking,
        shipped_at=parse_local(row.get("send_date")),
        lines=lines,
        ack_ref=str(row.get("o_id") or ""),
    )
