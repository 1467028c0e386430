"""What a card says beyond its tab: 尾号 search tails, the 已取消 / 已拒单 mark, whether a
countdown still shows, which voice line a card in 异常 asks for, and where a search result is."""

import pytest

from qihang_app.domain.board import (
    Alert,
    EndMark,
    Tab,
    alert_of,
    end_mark,
    refund_attention,
    search_tab,
    shows_deadline,
)
from qihang_app.domain.display import extension_tail, phone_tail, phone_tails
from qihang_app.domain.platform_order import RefundKind, RefundStatus


@pytest.mark.parametrize(
    "phone, tails",
    [
        ("17926818563_5885", ("8563", "5885")),  # privacy number: the number's tail and the extension
        ("13812345678,1234", ("5678", "1234")),
        ("13812345678#0042", ("5678", "0042")),
        ("13812345678_5678", ("5678",)),  # both the same: once
        ("138****5678", ("5678",)),  # masked by the platform
        ("13812345678", ("5678",)),
        ("0571-88889999转123", ("9999",)),  # a 3-digit extension gives no tail
        ("123", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_phone_tails(phone, tails):
    assert phone_tails(phone) == tails


def test_tail_and_extension_tail_of_a_privacy_number():
    assert (phone_tail("17926818563_5885"), extension_tail("17926818563_5885")) == ("8563", "5885")
    assert (phone_tail("138****5678"), extension_tail("138****5678")) == ("5678", "")


@pytest.mark.parametrize(
    "status, accepted, by, mark",
    [
        ("cancelled", False, "merchant", EndMark.REJECTED),  # the store said no before accepting
        ("cancelled", True, "merchant", EndMark.CANCELLED),  # cancelled after accepting
        ("cancelled", False, "user", EndMark.CANCELLED),
        ("cancelled", False, "system", EndMark.CANCELLED),  # not accepted in time
        ("cancelled", False, None, EndMark.CANCELLED),  # a sweep saw it cancelled, no reason
        ("closed", True, "user", EndMark.REFUNDED),
        ("completed", True, None, None),
        ("to_ship", True, None, None),
    ],
)
def test_end_mark(status, accepted, by, mark):
    assert end_mark(status=status, accepted=accepted, cancelled_by=by) == mark


@pytest.mark.parametrize(
    "tab, mark, shown",
    [
        (Tab.NEW, None, True),
        (Tab.PICKING, None, True),
        (Tab.DONE, EndMark.CANCELLED, False),  # no 送达 countdown on a cancelled order
        (Tab.EXCEPTION, EndMark.CANCELLED, False),
        (Tab.DONE, None, False),  # delivered: nothing is due
    ],
)
def test_shows_deadline(tab, mark, shown):
    assert shows_deadline(tab=tab, mark=mark) is shown


def test_alert_of():
    request = refund_attention(
        kind=RefundKind.FULL, status=RefundStatus.APPLIED, amount_fen=100, reason="少送", accepted=True
    )
    assert alert_of(tab=Tab.EXCEPTION, status="cancelled", exception_reason="订单已取消") is Alert.CANCELLED
    assert alert_of(tab=Tab.EXCEPTION, status="to_ship", exception_reason=request) is Alert.REFUND
    assert alert_of(tab=Tab.EXCEPTION, status="to_ship", exception_reason="已超过承诺送达时间") is None
    assert alert_of(tab=Tab.DONE, status="cancelled", exception_reason="") is None  # cancelled before anyone started


@pytest.mark.parametrize(
    "current, counts, found",
    [
        (Tab.PICKING, {Tab.DELIVERING: 1}, Tab.DELIVERING),  # "#141" is on the road, not being picked
        (Tab.PICKING, {Tab.PICKING: 1, Tab.DELIVERING: 1}, Tab.PICKING),  # the tab shown has it: stay
        (Tab.DONE, {Tab.NEW: 2, Tab.EXCEPTION: 1}, Tab.NEW),  # board order
        (Tab.PICKING, {}, Tab.PICKING),  # nothing anywhere: stay
    ],
)
def test_search_tab(current, counts, found):
    assert search_tab(current, counts) is found
