"""Every (status, event) pair of the order state machine, allowed and illegal."""

from __future__ import annotations

import itertools
import pickle

import pytest

from qihang_app.domain.errors import DomainError
from qihang_app.domain.order_flow import (
    EVENT_LABEL_EN,
    EVENT_LABEL_ZH,
    STATUS_LABEL_EN,
    STATUS_LABEL_ZH,
    IllegalTransition,
    OrderEvent,
    allowed_events,
    can_move,
    is_terminal,
    next_status,
    progress_rank,
    status_label,
)
from qihang_app.domain.order_status import OrderStatus

S, E = OrderStatus, OrderEvent

# The spec, written out independently of the implementation's table.
# (from, event) → (target without accept step, target with accept step)
ALLOWED = {
    (S.PENDING_PAYMENT, E.PAY): (S.TO_SHIP, S.AWAITING_ACCEPT),
    (S.PENDING_PAYMENT, E.CANCEL): (S.CANCELLED, S.CANCELLED),
    (S.AWAITING_ACCEPT, E.ACCEPT): (S.TO_SHIP, S.TO_SHIP),
    (S.AWAITING_ACCEPT, E.REJECT): (S.CANCELLED, S.CANCELLED),
    (S.AWAITING_ACCEPT, E.CANCEL): (S.CANCELLED, S.CANCELLED),
    (S.AWAITING_ACCEPT, E.REFUND_FULL): (S.CLOSED, S.CLOSED),
    (S.TO_SHIP, E.SHIP): (S.SHIPPED, S.SHIPPED),
    (S.TO_SHIP, E.CANCEL): (S.CANCELLED, S.CANCELLED),
    (S.TO_SHIP, E.REFUND_FULL): (S.CLOSED, S.CLOSED),
    (S.TO_SHIP, E.SPLIT): (S.INVALID, S.INVALID),
    (S.SHIPPED, E.COMPLETE): (S.COMPLETED, S.COMPLETED),
    (S.SHIPPED, E.REFUND_FULL): (S.CLOSED, S.CLOSED),
    (S.COMPLETED, E.REFUND_FULL): (S.CLOSED, S.CLOSED),
}
ALL_PAIRS = list(itertools.product(S, E))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


@pytest.mark.parametrize(("current", "event"), list(ALLOWED))
@pytest.mark.parametrize("needs_accept", [False, True])
def test_allowed_transition(current, event, needs_accept):
    expected = ALLOWED[(current, event)][needs_accept]
    assert next_status(current, event, needs_accept=needs_accept) is expected


@pytest.mark.parametrize(("current", "event"), ILLEGAL)
def test_illegal_transition_raises_with_bilingual_message(current, event):
    with pytest.raises(IllegalTransition) as info:
        next_status(current, event, needs_accept=False)
    err = info.value
    assert isinstance(err, DomainError)
    assert (err.current, err.event) == (current, event)
    msg = str(err)
    assert msg.startswith(f"订单状态 {STATUS_LABEL_ZH[current]} 不允许 {EVENT_LABEL_ZH[event]} ")
    assert f"({current.value} → {event.value})" in msg
    allowed = [e for (s, e) in ALLOWED if s == current]
    for e in allowed:
        assert f"{e.value} {EVENT_LABEL_ZH[e]}" in msg
    if not allowed:
        assert msg.endswith("allowed: none 无")


def test_error_message_example():
    with pytest.raises(IllegalTransition) as info:
        next_status(S.CANCELLED, E.ACCEPT, needs_accept=True)
    assert str(info.value) == "订单状态 已取消 不允许 接单 (cancelled → accept); allowed: none 无"
    with pytest.raises(IllegalTransition) as info:
        next_status(S.PENDING_PAYMENT, E.SHIP, needs_accept=False)
    assert str(info.value) == ("订单状态 待付款 不允许 发货 (pending_payment → ship); allowed: pay 付款, cancel 取消")


def test_illegal_transition_is_picklable():
    err = pickle.loads(pickle.dumps(IllegalTransition(S.CLOSED, E.SHIP)))
    assert (err.current, err.event) == (S.CLOSED, E.SHIP)
    assert "交易关闭" in str(err)


def test_plain_strings_are_accepted():
    assert next_status("pending_payment", "pay", needs_accept=True) is S.AWAITING_ACCEPT


def test_reopen_is_impossible():
    """No event leads out of a terminal status, nothing leads back to pending_payment."""
    for status in (S.CANCELLED, S.CLOSED, S.INVALID):
        assert allowed_events(status) == ()
    assert all(S.PENDING_PAYMENT not in targets for targets in ALLOWED.values())


@pytest.mark.parametrize("status", list(S))
def test_allowed_events_match_spec(status):
    assert set(allowed_events(status)) == {e for (s, e) in ALLOWED if s == status}


def test_refund_full_only_after_payment():
    assert E.REFUND_FULL not in allowed_events(S.PENDING_PAYMENT)


def test_terminal_statuses():
    assert {s for s in S if is_terminal(s)} == {S.CANCELLED, S.CLOSED, S.INVALID}
    assert not is_terminal(S.COMPLETED)  # a full refund can still close it


def test_labels_complete():
    for table in (STATUS_LABEL_ZH, STATUS_LABEL_EN):
        assert set(table) == set(S) and all(table.values())
    for table in (EVENT_LABEL_ZH, EVENT_LABEL_EN):
        assert set(table) == set(E) and all(table.values())
    assert len(set(STATUS_LABEL_ZH.values())) == len(S)


def test_status_label_instant_retail_words():
    assert status_label(S.SHIPPED) == "已发货"
    assert status_label(S.SHIPPED, instant_retail=True) == "配送中"
    assert status_label(S.TO_SHIP, instant_retail=True) == "备货中"
    assert status_label(S.AWAITING_ACCEPT, instant_retail=True) == "新订单"
    assert status_label(S.COMPLETED, "en", instant_retail=True) == "Completed"
    with pytest.raises(ValueError):
        status_label(S.SHIPPED, "fr")


# --- ingest: can_move -----------------------------------------------------------------------

MOVABLE = {
    # forward moves, including skipped steps we never saw
    (S.PENDING_PAYMENT, S.AWAITING_ACCEPT),
    (S.PENDING_PAYMENT, S.TO_SHIP),
    (S.PENDING_PAYMENT, S.SHIPPED),
    (S.PENDING_PAYMENT, S.COMPLETED),
    (S.PENDING_PAYMENT, S.CANCELLED),
    (S.PENDING_PAYMENT, S.CLOSED),
    (S.AWAITING_ACCEPT, S.TO_SHIP),
    (S.AWAITING_ACCEPT, S.SHIPPED),
    (S.AWAITING_ACCEPT, S.COMPLETED),
    (S.AWAITING_ACCEPT, S.CANCELLED),
    (S.AWAITING_ACCEPT, S.CLOSED),
    (S.TO_SHIP, S.SHIPPED),
    (S.TO_SHIP, S.COMPLETED),
    (S.TO_SHIP, S.CANCELLED),
    (S.TO_SHIP, S.CLOSED),
    (S.SHIPPED, S.COMPLETED),
    (S.SHIPPED, S.CANCELLED),
    (S.SHIPPED, S.CLOSED),
    (S.COMPLETED, S.CLOSED),  # documented exception: full refund after completion
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_can_move_table(current, target):
    expected = current == target or (current, target) in MOVABLE
    assert can_move(current, target) is expected


def test_can_move_never_backwards():
    for current, target in itertools.product(S, S):
        if progress_rank(target) < progress_rank(current):
            assert not can_move(current, target), (current, target)


def test_every_local_transition_except_split_is_a_legal_ingest_move():
    for (current, event), targets in ALLOWED.items():
        for target in targets:
            if event is not E.SPLIT:
                assert can_move(current, target), (current, event, target)


def test_progress_rank_order():
    order = [S.PENDING_PAYMENT, S.AWAITING_ACCEPT, S.TO_SHIP, S.SHIPPED, S.COMPLETED]
    ranks = [progress_rank(s) for s in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert all(progress_rank(s) > progress_rank(S.COMPLETED) for s in (S.CANCELLED, S.CLOSED))
