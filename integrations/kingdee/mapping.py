"""Our orders as a 金蝶 SAL_SaleOrder Save (§3.4), and SAL_OUTSTOCK query rows as Shipments (§3.5).

Only material, quantity and the tax-included price go per line (and the discount that makes the
line's amount), so Kingdee's own pricing computes the totals; freight becomes a line of the
connection's freight material when one is set. Money leaves as 元 numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations.erp_base import local_text, parse_local, yuan_number
from integrations.erp_contract import Shipment, ShipmentLine
from integrations.kingdee.spec import (
    AUDITED,
    CURRENCY_CNY,
    DEFAULT_TAX_RATE,
    ORDER_BILL_TYPE,
    OUT_STOCK,
    QUERY_LIMIT,
    SALE_ORDER,
    SHIPMENT_KEYS,
)
from qihang_app.domain.express_carriers import carrier, carrier_by_name
from qihang_app.domain.money import allocate_discount


def _number(code: str) -> dict[str, str]:
    return {"FNumber": code}


def quoted(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def save_order(order: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    lines = list(order["lines"])
    amounts = [int(line["amount_fen"]) for line in lines]
    freight = int(order.get("freight_fen") or 0)
    freight_material = str(keys.get("freight_material") or "").strip()
    rest = int(order["total_fen"]) - sum(amounts) - (freight if freight_material else 0)
    shared = allocate_discount(-rest, amounts) if rest < 0 else [0] * len(lines)
    tax = float(keys.get("tax_rate") or DEFAULT_TAX_RATE)
    entries = [
        {
            "FMaterialId": _number(str(line["sku"])),
            "FQty": int(line["quantity"]),
            "FTaxPrice": yuan_number(line["price_fen"]),
            "FEntryTaxRate": tax,
            "FDiscount": yuan_number(int(line["price_fen"]) * int(line["quantity"]) - amount + share),
            "FIsFree": int(line["price_fen"]) == 0,
            "FEntryNote": f"{line['line_no']} {line.get('name') or ''}".strip()[:255],
        }
        for line, amount, share in zip(lines, amounts, shared, strict=True)
    ]
    if freight_material and freight:
        entries.append(
            {"FMaterialId": _number(freight_material), "FQty": 1, "FTaxPrice": yuan_number(freight), "FEntryTaxRate": tax, "FEntryNote": "运费"}
        )  # fmt: skip
    customer = str(order.get("customer_code") or keys.get("default_customer") or "")
    model = {
        "FID": 0,
        "FBillTypeID": {"FNUMBER": ORDER_BILL_TYPE},
        "FBillNo": str(order["order_no"]),
        "FDate": local_text(order["created_at"]),
        "FSaleOrgId": _number(keys["sale_org"]),
        "FCustId": _number(customer),
        "FNote": " ".join(str(order.get(k) or "") for k in ("buyer_note", "seller_note")).strip()[:255],
        "FReceiveAddress": " ".join(str(order.get(k) or "") for k in ("province", "city", "district", "address")).strip(),
        "FReceiverContact": str(order.get("receiver_name") or ""),
        "FReceiverPhone": str(order.get("receiver_phone") or ""),
        "FSaleOrderFinance": {"FSettleCurrId": _number(CURRENCY_CNY), "FIsIncludedTax": True, "FIsPriceExcludeTax": False},
        "FSaleOrderEntry": entries,
    }  # fmt: skip
    return {
        "formid": SALE_ORDER,
        "data": {
            "NeedUpDateFields": [],
            "NeedReturnFields": ["FBillNo"],
            "IsDeleteEntry": "true",
            "IsVerifyBaseDataField": "false",
            "IsAutoSubmitAndAudit": "true",
            "Model": model,
        },
    }


def find_order(bill_no: str) -> dict[str, Any]:
    filters = f"FBillNo={quoted(bill_no)}"
    keys = "FID,FBillNo,FDocumentStatus"
    return {"data": {"FormId": SALE_ORDER, "FieldKeys": keys, "FilterString": filters, "StartRow": 0, "Limit": 1}}


def shipments_query(since_text: str, start: int) -> dict[str, Any]:
    filters = f"FDocumentStatus={quoted(AUDITED)} AND FModifyDate>={quoted(since_text)}"
    return {
        "data": {
            "FormId": OUT_STOCK,
            "FieldKeys": ",".join(SHIPMENT_KEYS),
            "FilterString": filters,
            "OrderString": "FModifyDate ASC",
            "TopRowCount": 0,
            "StartRow": start,
            "Limit": QUERY_LIMIT,
        }
    }


def our_carrier(number: object, name: object) -> str:
    """Carriers are the merchant's own base data: their number when it is one of our codes, else
    the name (顺丰速运 -> SF)."""
    found = carrier(str(number or ""))
    return found.code if found else carrier_by_name(str(name or "")).code


def shipments_of(rows: list[list[Any]]) -> list[Shipment]:
    """Entry rows of SAL_OUTSTOCK (one per line) -> one Shipment per 出库单 with a tracking number."""
    bills: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        named = dict(zip(SHIPMENT_KEYS, row, strict=False))
        bills.setdefault(str(named["FBillNo"]), []).append(named)
    shipments = []
    for bill_no, entries in bills.items():
        head = entries[0]
        if not str(head.get("FCarriageNO") or "").strip() or not head.get("FSoorDerno"):
            continue
        lines = tuple(
            ShipmentLine(str(e["FMaterialID.FNumber"]), int(float(e.get("FRealQty") or 0)))
            for e in entries
            if e.get("FMaterialID.FNumber")
        )
        shipments.append(
            Shipment(
                order_ref=str(head["FSoorDerno"]),
                carrier=our_carrier(head.get("FCarrierID.FNumber"), head.get("FCarrierID.FName")),
                tracking_no=str(head["FCarriageNO"]).strip(),
                shipped_at=parse_local(head.get("FDate")),
                lines=lines,
                ack_ref=bill_no,
            )
        )
    return shipments
