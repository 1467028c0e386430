"""Merging thin platform events (confirm, cancel, refund, rider) into the stored order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qihang_app.domain.order_event_merge import (
    OrderNotKnownYet,
    merge_event,
    recorded_refund_text,
)
from qihang_app.domain.order_merge import MergeState
from qihang_app.domain.order_notes import refund_facts, refund_note
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    DeliveryUpdate,
    EventKind,
    PlatformEvent,
    PlatformRefund,
    RefundKind,
    RefundStatus,
)
from qihang_app.i18n import render

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=5)
SHOP = {"id": 7, "store_id": 3, "platform": "meituan"}
S, D, K = OrderStatus, DeliveryStatus, EventKind


def stored(status=S.TO_SHIP, **columns) -> MergeState:
    values = {
        "status": status.value,
        "raw_status_code": "4",
        "raw_status_text": None,
        "accepted_at": T0 if status != S.AWAITING_ACCEPT else None,
        "shipped_at": None,
        "delivered_at": None,
        "completed_at": None,
        "cancelled_at": None,
        "closed_at": None,
        "rider_name": None,
        "rider_phone": None,
        "rider_status": None,
        "exception_reason": None,
        "platform_updated_at": T0,
        **columns,
    }
    return MergeState(key=(7, "MT1"), values=values, id=1)


def event(kind, *, at=T0, **kw) -> PlatformEvent:
    return PlatformEvent(
        kind=kind,
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_order_id="MT1",
        raw_type=str(kind),
        occurred_at=at,
        **kw,
    )


def refund(kind=RefundKind.FULL, status=RefundStatus.APPLIED, amount=None, reason="不想要了"):
    return event(
        K.REFUND,
        refund=PlatformRefund(
            platform=Platform.MEITUAN,
            platform_shop_id="mt-a",
            platform_refund_id="R1",
            platform_order_id="MT1",
            kind=kind,
            status=status,
            amount_fen=amount,
            reason=reason,
        ),
    )


def rider(status, name="王师傅", **kw):
    return event(K.DELIVERY, delivery=DeliveryUpdate(status=status, raw_status_code="", rider_name=name, **kw))


@pytest.mark.parametrize("kind", list(EventKind))
def test_an_event_for_an_unknown_order_waits(kind):
    with pytest.raises(OrderNotKnownYet):
        merge_event(None, SHOP, event(kind), now=NOW, note="push")


@pytest.mark.parametrize(
    ("status", "message", "status_after", "event_kinds"),
    [
        (S.AWAITING_ACCEPT, event(K.CONFIRMED, raw_status_code="4"), S.TO_SHIP, ["status"]),
        (S.SHIPPED, event(K.CONFIRMED), S.SHIPPED, []),  # late confirm: never backwards
        (S.TO_SHIP, event(K.CANCEL, cancelled_by="user"), S.CANCELLED, ["status"]),
        (S.COMPLETED, event(K.CANCEL), S.COMPLETED, []),  # a sale is never cancelled
        (S.INVALID, event(K.CANCEL), S.INVALID, []),  # split parent: children carry it
        (S.TO_SHIP, event(K.ORDER), S.TO_SHIP, []),  # its snapshot did the work
        (S.TO_SHIP, event(K.ORDER_REF), S.TO_SHIP, []),
        (S.TO_SHIP, refund(status=RefundStatus.SUCCEEDED), S.CLOSED, ["refund", "status"]),
        (S.TO_SHIP, refund(RefundKind.PARTIAL, RefundStatus.SUCCEEDED), S.TO_SHIP, ["refund"]),
        (S.CANCELLED, refund(status=RefundStatus.SUCCEEDED), S.CANCELLED, ["refund"]),
        (S.TO_SHIP, rider(D.RIDER_ACCEPTED), S.TO_SHIP, ["delivery"]),
        (S.TO_SHIP, rider(D.DELIVERING), S.SHIPPED, ["delivery", "status"]),
        (S.TO_SHIP, rider(D.DELIVERED), S.COMPLETED, ["delivery", "status"]),
        (S.CANCELLED, rider(D.DELIVERED), S.CANCELLED, ["delivery"]),
    ],
)
def test_merge_event_status(status, message, status_after, event_kinds):
    state = stored(status)
    merge_event(state, SHOP, message, now=NOW, note="push")
    assert state.values["status"] == status_after.value
    assert [e["kind"] for e in state.events] == event_kinds
    assert state.changed is bool(event_kinds)
    assert state.values["platform_updated_at"] == T0  # events never advance the platform time


def test_a_status_move_by_an_event_is_stamped_at_its_time_or_now():
    state = stored(S.AWAITING_ACCEPT)
    merge_event(state, SHOP, event(K.CONFIRMED, at=T0 + timedelta(seconds=3)), now=NOW, note="p")
    assert state.values["accepted_at"] == T0 + timedelta(seconds=3)
    untimed = stored(S.TO_SHIP)
    merge_event(
        untimed,
        SHOP,
        event(K.CANCEL, at=None, cancelled_by="user", cancel_reason_code="1001", cancel_reason="不想要了"),
        now=NOW,
        note="push cancel",
    )
    assert untimed.values["cancelled_at"] == NOW
    note = untimed.events[0]["note"]
    assert render(note, "zh") == "原因：不想要了" and render(note, "en") == "Reason: 不想要了"


def test_a_move_without_the_platforms_status_words_drops_the_old_ones():
    """A cancel event carries no status text: the stored "已推送给商家" described the old status."""
    state = stored(S.AWAITING_ACCEPT, raw_status_code="2", raw_status_text="已推送给商家")
    merge_event(state, SHOP, event(K.CANCEL, at=None, cancel_reason="不想要了"), now=NOW, note="push")
    assert state.values["status"] == "cancelled"
    assert (state.values["raw_status_code"], state.values["raw_status_text"]) == (None, None)


@pytest.mark.parametrize(
    ("message", "accepted", "attention"),
    [
        (refund(status=RefundStatus.APPLIED, amount=500), True, "顾客申请退款 ¥5.00：不想要了"),
        (refund(RefundKind.PARTIAL, RefundStatus.APPLIED), False, "顾客申请退款：不想要了"),
        (refund(RefundKind.PARTIAL, RefundStatus.SUCCEEDED, 300), True, "部分退款已完成 ¥3.00"),
        (refund(RefundKind.PARTIAL, RefundStatus.SUCCEEDED, 300), False, None),  # not picked yet
        (refund(status=RefundStatus.SUCCEEDED), True, None),  # closed says it by itself
        (refund(status=RefundStatus.REJECTED), True, None),
    ],
)
def test_refund_attention(message, accepted, attention):
    state = stored(S.TO_SHIP if accepted else S.AWAITING_ACCEPT)
    merge_event(state, SHOP, message, now=NOW, note="push")
    reason = state.values["exception_reason"]
    assert (reason is None) if attention is None else render(reason, "zh").startswith(attention)


def test_a_redelivered_refund_records_nothing_new():
    message = refund(RefundKind.PARTIAL, RefundStatus.APPLIED, 300)
    state = stored(S.TO_SHIP)
    merge_event(state, SHOP, message, now=NOW, note="push refund")
    note = state.events[0]["note"]
    assert render(note, "zh") == "部分退款 ¥3.00（已申请）"
    assert render(note, "en") == "Partial refund ¥3.00 (requested)"
    assert recorded_refund_text(note) == "退款 partial/applied 300分 #R1 不想要了"
    again = stored(S.TO_SHIP, exception_reason=None)
    again.refund_notes = {recorded_refund_text(note)}  # what the service loads back
    merge_event(again, SHOP, message, now=NOW, note="sweep")
    assert again.events == [] and not again.changed and again.values["exception_reason"] is None


@pytest.mark.parametrize(
    ("facts", "text"),
    [
        (
            {"kind": "full", "status": "applied", "amount_fen": None, "refund_id": "R1", "reason": "不想要了"},
            "退款 full/applied #R1 不想要了",
        ),
        (
            {"kind": "partial", "status": "succeeded", "amount_fen": 500, "refund_id": "R2", "reason": ""},
            "退款 partial/succeeded 500分 #R2",
        ),
    ],
)
def test_a_refund_note_and_an_old_one_identify_the_same_refund(facts, text):
    new = refund_note(**facts, via="push refund")
    assert recorded_refund_text(new) == text
    assert recorded_refund_text(f"{text} (push refund)") == text  # stored before notes were encoded
    assert refund_facts(f"{text} (sweep)") == {**facts, "via": "sweep"}


@pytest.mark.parametrize(
    ("stored_rider", "message", "rider_after", "changed"),
    [
        (None, rider(D.AWAITING_RIDER, name=""), "awaiting_rider", True),
        ("at_store", rider(D.RIDER_ACCEPTED), "at_store", False),  # late, older message
        ("delivering", rider(D.AT_STORE), "delivering", False),
        ("rider_accepted", rider(D.AT_STORE), "at_store", True),
        ("delivering", rider(D.CANCELLED), "cancelled", True),  # no rank: always applies
        ("cancelled", rider(D.RIDER_ACCEPTED, name="李师傅"), "rider_accepted", True),  # new rider
        ("rider_accepted", rider(D.RIDER_ACCEPTED), "rider_accepted", False),  # same again
    ],
)
def test_rider_progress_never_goes_backwards(stored_rider, message, rider_after, changed):
    state = stored(S.TO_SHIP, rider_status=stored_rider, rider_name="王师傅")
    merge_event(state, SHOP, message, now=NOW, note="push")
    assert state.values["rider_status"] == rider_after
    assert state.changed is changed


def test_rider_keeps_known_name_and_phone_and_stamps_delivery():
    state = stored(S.SHIPPED, rider_status="delivering", rider_name="王师傅", rider_phone="13700000000")
    merge_event(state, SHOP, rider(D.DELIVERED, name=""), now=NOW, note="push")
    assert (state.values["rider_name"], state.values["rider_phone"]) == ("王师傅", "13700000000")
    assert state.values["delivered_at"] == T0 and state.values["completed_at"] == T0


@pytest.mark.parametrize(
    ("status", "rider_status", "attention"),
    [
        (S.TO_SHIP, D.CANCELLED, "骑手取消了配送"),
        (S.SHIPPED, D.EXCEPTION, "配送异常（王师傅）"),
        (S.TO_SHIP, D.RIDER_ACCEPTED, None),
        (S.COMPLETED, D.CANCELLED, None),  # the order has ended: nothing to act on
        (S.CANCELLED, D.EXCEPTION, None),
    ],
)
def test_rider_attention(status, rider_status, attention):
    state = stored(status)
    merge_event(state, SHOP, rider(rider_status), now=NOW, note="push")
    reason = state.values["exception_reason"]
    assert (reason is None) if attention is None else render(reason, "zh").startswith(attention)
