"""A rider problem in 异常 is said aloud once, like a cancel or a refund request."""

from __future__ import annotations

from qihang_app.domain.board import Alert, Tab, alert_of, rider_attention
from qihang_app.domain.platform_order import DeliveryStatus


def test_a_rider_problem_is_spoken():
    for status in (DeliveryStatus.EXCEPTION, DeliveryStatus.CANCELLED):
        reason = rider_attention(status=status, rider_name="周杰")
        assert alert_of(tab=Tab.EXCEPTION, status="to_ship", exception_reason=reason) is Alert.RIDER
        assert alert_of(tab=Tab.DELIVERING, status="shipped", exception_reason=reason) is None  # not in 异常
    assert rider_attention(status=DeliveryStatus.DELIVERING, rider_name="") == ""
