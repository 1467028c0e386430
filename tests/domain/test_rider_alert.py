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


def test_a_rider_step_reads_on_the_timeline():
    from qihang_app.domain.messages import encode
    from qihang_app.domain.timeline import describe
    from qihang_app.i18n import render

    note = encode("delivery.note.cancelled", carrier="达达", rider="周杰 130（骑手取消）")
    entry = describe(actor="carrier:dada", kind="delivery", from_status=None, to_status=None, note=note, usernames={})
    assert render(entry.what, "zh") == "达达 已取消 周杰 130（骑手取消）"
    assert render(entry.who, "en") == "Dada"
    booked = encode("delivery.note.booked", carrier="闪送", ref="QH1-2", fee="¥8.00", tip="¥0.00")
    entry = describe(
        actor="auto-dispatch", kind="delivery_booked", from_status=None, to_status=None, note=booked, usernames={}
    )
    assert render(entry.what, "zh").startswith("已呼叫闪送") and render(entry.who, "zh") == "自动派单"
