"""Meituan refund wire dicts -> PlatformRefund: the 全额退款 push (notify_type, res_type,
service_type, return-flow status, pictures, logistics_info), the 退款状态 push, the partial-refund
food list, and the refund query (getOrderRefundDetail) the sweep uses.

Meituan's getOrderDetail shows a refunded order as cancelled, so a lost refund push is found only
through the refund query (§1.5). Amounts on the wire are yuan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from integrations.base import from_unix, wire_yuan_to_fen
from integrations.meituan import spec
from qihang_app.domain.order_status import Platform
from qihang_app.domain.platform_order import PlatformRefund, RefundKind, RefundLine, RefundStatus

# 全额退款 push `notify_type` (§1.4).
REFUND_NOTIFY = {
    "apply": RefundStatus.APPLIED,
    "agree": RefundStatus.AGREED,
    "reject": RefundStatus.REJECTED,
    "cancelRefund": RefundStatus.CANCELLED,
    "cancelRefundComplaint": RefundStatus.CANCELLED,
}

# 退款状态 push `refund_status` (§1.4).
REFUND_RESULT = {
    "3": (RefundKind.FULL, RefundStatus.SUCCEEDED),
    "4": (RefundKind.FULL, RefundStatus.FAILED),
    "13": (RefundKind.PARTIAL, RefundStatus.SUCCEEDED),
    "14": (RefundKind.PARTIAL, RefundStatus.FAILED),
}
AUTO_AGREE = timedelta(hours=spec.REFUND_AUTO_AGREE_HOURS)


def refund_from_push(
    data: Mapping[str, Any], kind: RefundKind, status: RefundStatus, raw: str, base: Mapping
) -> PlatformRefund:
    """One refund message; `base` carries shop, order and the message time."""
    at: datetime | None = base["occurred_at"]
    if _int(data.get("service_type")) == spec.SERVICE_RETURN_GOODS:
        kind = RefundKind.RETURN_GOODS
        if status is RefundStatus.AGREED and _int(data.get("status")) == spec.STATUS_BUYER_SHIPPED:
            status = RefundStatus.RETURN_SHIPPED
    money = data.get("money")
    carrier, waybill = _logistics(data.get("logistics_info"))
    return PlatformRefund(
        platform=Platform.MEITUAN,
        platform_shop_id=base["platform_shop_id"],
        platform_refund_id=str(data.get("refund_id", "")),
        platform_order_id=base["platform_order_id"],
        kind=kind,
        status=status,
        amount_fen=None if money in (None, "") else wire_yuan_to_fen(money),
        reason=str(data.get("reason") or ""),
        raw_status_code=raw,
        updated_at=at,
        reason_code=str(data.get("res_type", "")),
        lines=_lines(data.get("food")),
        pictures=_pictures(data.get("pictures")),
        return_carrier=carrier,
        return_waybill=waybill,
        deadline_at=at + AUTO_AGREE if at is not None and status is RefundStatus.APPLIED else None,
        raw=dict(data),
    )


def refunds_from_detail(shop_id: str, order_id: str, rows: Any) -> list[PlatformRefund]:
    """getOrderRefundDetail `data` (a list of refunds of one order) -> PlatformRefunds."""
    out = []
    for row in rows or ():
        res = _int(row.get("res_type"))
        kind = RefundKind.PARTIAL if _int(row.get("refund_type")) == 2 else RefundKind.FULL
        if res in spec.RES_PENDING:
            status = RefundStatus.APPLIED
        elif res in spec.RES_REJECTED:
            status = RefundStatus.REJECTED
        elif res in spec.RES_CANCELLED:
            status = RefundStatus.CANCELLED
        elif _int(row.get("service_type")) == spec.SERVICE_RETURN_GOODS and _int(row.get("status")) != 30:
            status = RefundStatus.AGREED
        else:
            status = RefundStatus.SUCCEEDED
        at = from_unix(row.get("utime") or row.get("ctime"))
        base = {"platform_shop_id": shop_id, "platform_order_id": order_id, "occurred_at": at}
        refund = refund_from_push({**row, "reason": row.get("apply_reason") or row.get("reason")}, kind, status,
                                  f"query:{res}", base)  # fmt: skip
        if status is RefundStatus.APPLIED:
            created = from_unix(row.get("ctime")) or at
            refund.deadline_at = created + AUTO_AGREE if created else None
        out.append(refund)
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _pictures(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [p for p in value.split(",") if p]
    return tuple(str(p) for p in value or () if str(p).startswith(("http://", "https://")))


def _logistics(value: Any) -> tuple[str, str]:
    if isinstance(value, list):
        value = value[0] if value else {}
    if not isinstance(value, Mapping):
        return "", ""
    return str(value.get("express_company") or ""), str(value.get("express_number") or "")


def _lines(value: Any) -> tuple[RefundLine, ...]:
    return tuple(
        RefundLine(
            platform_item_id=str(f.get("app_food_code", "")),
            platform_sku_id=str(f.get("sku_id", "")),
            name=str(f.get("food_name") or ""),
            quantity=_int(f.get("count")) or 0,
            amount_fen=wire_yuan_to_fen(f.get("refund_price") or 0),
        )
        for f in value or ()
        if isinstance(f, Mapping)
    )
