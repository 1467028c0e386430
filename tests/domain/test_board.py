"""Board rules: tab per order, urgency colours, the primary action, distance."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from qihang_app.domain.board import (
    Action,
    Tab,
    board_tab,
    distance_m,
    format_distance,
    primary_action,
    refund_attention,
    rider_attention,
    urgency,
)
from qihang_app.domain.messages import decode
from qihang_app.domain.platform_order import DeliveryStatus, RefundKind, RefundStatus
from qihang_app.i18n import render

HAN = re.compile(r"[\u4e00-\u9fff]")

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
SOON = NOW + timedelta(minutes=30)
LATER = NOW + timedelta(hours=3)
PAST = NOW - timedelta(minutes=1)


@pytest.mark.parametrize(
    "status, scheduled, ready, accepted, expected_at, exception, tab",
    [
        ("awaiting_accept", False, None, None, SOON, None, Tab.NEW),
        ("awaiting_accept", True, None, None, LATER, None, Tab.NEW),  # booked orders still ring
        ("to_ship", False, None, NOW, SOON, None, Tab.PICKING),
        ("to_ship", True, None, NOW, LATER, None, Tab.SCHEDULED),
        ("to_ship", True, None, NOW, SOON, None, Tab.PICKING),  # due within the hour: pick now
        ("to_ship", False, NOW, NOW, SOON, None, Tab.AWAITING_RIDER),
        ("to_ship", False, None, NOW, PAST, None, Tab.EXCEPTION),  # promised time passed
        ("shipped", False, NOW, NOW, SOON, None, Tab.DELIVERING),
        ("shipped", False, NOW, NOW, PAST, None, Tab.EXCEPTION),
        ("completed", False, NOW, NOW, SOON, None, Tab.DONE),
        ("cancelled", False, None, None, SOON, None, Tab.DONE),  # never accepted: nothing to stop
        ("cancelled", False, None, NOW, SOON, None, Tab.EXCEPTION),  # staff may be picking it
        ("closed", False, None, NOW, SOON, None, Tab.EXCEPTION),
        ("to_ship", False, None, NOW, SOON, "用户申请退款", Tab.EXCEPTION),
        ("pending_payment", False, None, None, SOON, None, None),
        ("invalid", False, None, None, SOON, None, None),
    ],
)
def test_board_tab(status, scheduled, ready, accepted, expected_at, exception, tab):
    got = board_tab(
        status=status,
        is_scheduled=scheduled,
        ready_at=ready,
        accepted_at=accepted,
        expected_delivery_at=expected_at,
        exception_reason=exception,
        now=NOW,
    )
    assert got == tab


@pytest.mark.parametrize(
    "deadline, level",
    [
        (None, "ok"),
        (NOW + timedelta(minutes=6), "ok"),
        (NOW + timedelta(minutes=5), "warn"),
        (NOW, "late"),
        (PAST, "late"),
    ],
)
def test_urgency(deadline, level):
    assert urgency(deadline, NOW) == level


@pytest.mark.parametrize(
    "tab, delivery, pending, action",
    [
        (Tab.NEW, "platform", None, Action.ACCEPT),
        (Tab.NEW, "platform", "accept", None),  # in flight: no second tap
        (Tab.PICKING, "platform", None, Action.READY),
        (Tab.SCHEDULED, "self", None, Action.READY),
        (Tab.AWAITING_RIDER, "platform", None, None),  # the platform's rider comes by itself
        (Tab.AWAITING_RIDER, "self", None, Action.DISPATCH_SELF),
        (Tab.DELIVERING, "self", None, Action.DELIVERED),
        (Tab.DELIVERING, "platform", None, None),
        (Tab.EXCEPTION, "platform", None, Action.ACK_EXCEPTION),
        (Tab.DONE, "self", None, None),
        (Tab.PICKING, "express", None, Action.SHIP),  # e-commerce: 发货, never 备货完成 → rider
        (Tab.AWAITING_RIDER, "express", None, Action.SHIP),
        (Tab.DELIVERING, "express", None, None),  # in transit with the carrier
        (Tab.EXCEPTION, "express", None, Action.ACK_EXCEPTION),
    ],
)
def test_primary_action(tab, delivery, pending, action):
    assert primary_action(tab=tab, delivery_type=delivery, pending_action=pending) == action


def test_distance():
    # 静安寺 → 人民广场 is about 2.9 km as the crow flies
    d = distance_m(31.2235, 121.4457, 31.2323, 121.4752)
    assert 2700 < d < 3100
    assert format_distance(d).endswith("km")
    assert format_distance(850) == "850m"
    assert distance_m(None, 121.0, 31.0, 121.0) is None
    assert format_distance(None) == ""


@pytest.mark.parametrize(
    ("kind", "status", "accepted", "starts"),
    [
        (RefundKind.PARTIAL, RefundStatus.APPLIED, False, "顾客申请退款 ¥3.50：少送一瓶，请到售后处理"),
        (RefundKind.FULL, RefundStatus.APPLIED, True, "顾客申请退款 ¥3.50：少送一瓶，请到售后处理"),
        (RefundKind.PARTIAL, RefundStatus.SUCCEEDED, True, "部分退款已完成 ¥3.50：少送一瓶"),
        (RefundKind.PARTIAL, RefundStatus.SUCCEEDED, False, ""),  # nothing picked yet: nothing to change
        (RefundKind.FULL, RefundStatus.SUCCEEDED, True, ""),  # the order closes; that state speaks for itself
        (RefundKind.FULL, RefundStatus.REJECTED, True, ""),
        (RefundKind.PARTIAL, RefundStatus.CANCELLED, True, ""),
    ],
)
def test_refund_attention(kind, status, accepted, starts):
    stored = refund_attention(kind=kind, status=status, amount_fen=350, reason="少送一瓶", accepted=accepted)
    assert render(stored, "zh").startswith(starts)
    if stored:  # stored as a key: one language when shown, never a "中文 / English" pair
        assert " / " not in render(stored, "zh") and decode(stored) is not None
        assert not HAN.search(render(stored, "en").replace("少送一瓶", ""))


def test_rider_attention():
    cancelled = rider_attention(status=DeliveryStatus.CANCELLED, rider_name="")
    assert render(cancelled, "zh").startswith("骑手取消了配送")
    assert render(cancelled, "en").startswith("The rider cancelled")
    problem = rider_attention(status=DeliveryStatus.EXCEPTION, rider_name="王师傅")
    assert render(problem, "zh") == "配送异常（王师傅），请联系骑手或平台"
    assert render(problem, "en") == "Delivery problem (王师傅); contact the rider or the platform"
    for fine in (DeliveryStatus.RIDER_ACCEPTED, DeliveryStatus.DELIVERING, DeliveryStatus.DELIVERED):
        assert rider_attention(status=fine, rider_name="王师傅") == ""
