"""Meituan and Laike refund wire → PlatformRefund: return flow, pictures, waybill, lines, the
auto-agree deadline, and the refund query rows the sweep reads."""

from __future__ import annotations

from datetime import timedelta

from integrations.douyin_laike.mapping import _after_sale_event
from integrations.meituan import refunds
from integrations.meituan.mapping import event_from_push
from integrations.meituan.spec import PushType
from qihang_app.domain.platform_order import RefundKind, RefundStatus

BASE = {"order_id": "27061900338318741", "app_poi_code": "mt-1", "utime": 1764230400}


def test_apply_push_carries_pictures_and_the_deadline():
    data = {**BASE, "notify_type": "apply", "refund_id": "R9", "res_type": 0, "money": 12.5,
            "pictures": ["https://p.example/1.jpg", "javascript:alert(1)"], "reason": "破损"}  # fmt: skip
    refund = event_from_push(PushType.REFUND, data).refund
    assert (refund.status, refund.amount_fen, refund.pictures) == (
        RefundStatus.APPLIED,
        1250,
        ("https://p.example/1.jpg",),
    )
    assert refund.deadline_at - refund.updated_at == timedelta(hours=24)
    assert refund.raw["refund_id"] == "R9"


def test_return_flow_buyer_shipped_with_waybill():
    data = {**BASE, "notify_type": "agree", "refund_id": "R9", "service_type": 2, "status": 21,
            "logistics_info": [{"express_company": "顺丰", "express_number": "SF1"}]}  # fmt: skip
    refund = event_from_push(PushType.REFUND, data).refund
    assert (refund.kind, refund.status) == (RefundKind.RETURN_GOODS, RefundStatus.RETURN_SHIPPED)
    assert (refund.return_carrier, refund.return_waybill, refund.deadline_at) == ("顺丰", "SF1", None)


def test_partial_refund_result_lists_its_lines():
    data = {**BASE, "refund_id": "P1", "refund_status": 13, "money": 3.3,
            "food": [{"app_food_code": "I1", "sku_id": "S1", "food_name": "苹果", "count": 1, "refund_price": 3.3}]}  # fmt: skip
    refund = event_from_push(PushType.REFUND_STATUS, data).refund
    assert (refund.kind, refund.status, refund.amount_fen) == (RefundKind.PARTIAL, RefundStatus.SUCCEEDED, 330)
    assert [(ln.platform_sku_id, ln.quantity, ln.amount_fen) for ln in refund.lines] == [("S1", 1, 330)]


def test_refund_query_rows():
    rows = [
        {"refund_id": "A", "res_type": 0, "refund_type": 1, "money": 10, "ctime": 1764230000, "utime": 1764230000},
        {"refund_id": "B", "res_type": 2, "refund_type": 2, "money": 1, "utime": 1764230100},
        {"refund_id": "C", "res_type": 2, "service_type": 2, "status": 20, "money": 1, "utime": 1764230100},
        {"refund_id": "D", "res_type": 7, "money": 1, "utime": 1764230100},
    ]
    found = refunds.refunds_from_detail("mt-1", "O1", rows)
    assert [(r.platform_refund_id, r.status) for r in found] == [
        ("A", RefundStatus.APPLIED),
        ("B", RefundStatus.SUCCEEDED),
        ("C", RefundStatus.AGREED),
        ("D", RefundStatus.CANCELLED),
    ]
    assert found[0].deadline_at is not None and found[1].kind is RefundKind.PARTIAL
    assert refunds.refunds_from_detail("mt-1", "O1", None) == []


def test_laike_after_sale_carries_pictures_and_deadline():
    content = {"action": "apply", "msg_time": 1764230400, "after_sale": {
        "after_sale_id": "AS1", "order_id": "O1", "account_id": "acc", "type": 3, "status": 1, "refund_amount": 500,
        "create_time": 1764230000, "pictures": ["https://p.example/x.jpg"], "update_time": 1764230400}}  # fmt: skip
    refund = _after_sale_event("acc", content).refund
    assert (refund.kind, refund.amount_fen, refund.pictures) == (
        RefundKind.RETURN_GOODS,
        500,
        ("https://p.example/x.jpg",),
    )
    assert refund.deadline_at.timestamp() == 1764230000 + 24 * 3600
