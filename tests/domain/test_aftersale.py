"""After-sale state machine: every (state, action, type) triple, ingest order, order-level state."""

from __future__ import annotations

import itertools
import pickle
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qihang_app.domain.aftersale import (
    STATE_ZH,
    TYPE_ZH,
    AfterSaleAction,
    AfterSaleState,
    AfterSaleType,
    Claim,
    IllegalAfterSaleMove,
    OrderAfterSale,
    allowed_actions,
    can_move,
    closes_order,
    combined_state,
    countdown_text,
    from_platform,
    is_finished,
    merge_report,
    next_state,
    seconds_left,
    type_for,
)
from qihang_app.domain.platform_order import RefundKind, RefundStatus

S, A, T = AfterSaleState, AfterSaleAction, AfterSaleType

# The brief's return-refund flow, written out independently of the table.
RETURN_FLOW = {
    (S.PENDING, A.CLOSE): S.CLOSED,
    (S.PENDING, A.REJECT): S.REFUSED,
    (S.REFUSED, A.CLOSE): S.CLOSED,
    (S.PENDING, A.AGREE): S.APPROVED,
    (S.APPROVED, A.BUYER_SHIPPED): S.RETURNED,
    (S.APPROVED, A.CLOSE): S.CLOSED,
    (S.RETURNED, A.REFUSE_RECEIPT): S.RECEIPT_REFUSED,
    (S.RECEIPT_REFUSED, A.CLOSE): S.CLOSED,
    (S.RECEIPT_REFUSED, A.BUYER_SHIPPED): S.RETURNED,
    (S.RETURNED, A.CONFIRM_RECEIPT): S.REFUNDING,
    (S.REFUNDING, A.REFUND_PAID): S.REFUNDED,
}


def test_eight_states_and_seven_types_have_chinese_names():
    assert list(STATE_ZH.values()) == [
        "退款申请待处理",
        "拒绝退款待买家处理",
        "同意退款待买家退货",
        "买家已退货待确认收货",
        "拒绝收货待买家处理",
        "退款处理中",
        "退款成功",
        "售后关闭",
    ]
    assert set(TYPE_ZH.values()) == {"售前退款", "仅退款", "退货退款", "换货", "补发", "维修", "拦截"}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(S, A)))
def test_return_refund_follows_the_brief(state, action):
    expected = RETURN_FLOW.get((state, action))
    if expected is None:
        with pytest.raises(IllegalAfterSaleMove):
            next_state(state, action, T.RETURN_REFUND)
    else:
        assert next_state(state, action, T.RETURN_REFUND) is expected


@pytest.mark.parametrize("kind", [T.REFUND_ONLY, T.PRESALE_REFUND, T.INTERCEPT])
def test_refund_only_skips_the_goods(kind):
    assert next_state(S.PENDING, A.AGREE, kind) is S.REFUNDING
    assert next_state(S.REFUNDING, A.REFUND_PAID, kind) is S.REFUNDED
    with pytest.raises(IllegalAfterSaleMove):
        next_state(S.PENDING, A.CONFIRM_RECEIPT, kind)


@pytest.mark.parametrize("kind", [T.EXCHANGE, T.REPAIR, T.RESEND])
def test_goods_out_types_end_closed_without_money(kind):
    state = next_state(S.PENDING, A.AGREE, kind)
    if kind is not T.RESEND:
        state = next_state(next_state(state, A.BUYER_SHIPPED, kind), A.CONFIRM_RECEIPT, kind)
    assert state is S.REFUNDING
    assert next_state(state, A.RESOLVE, kind) is S.CLOSED
    with pytest.raises(IllegalAfterSaleMove):
        next_state(state, A.REFUND_PAID, kind)


@given(st.sampled_from(list(T)), st.lists(st.sampled_from(list(A)), max_size=12))
def test_no_action_leaves_a_finished_after_sale(kind, actions):
    state = S.PENDING
    for action in actions:
        if action in allowed_actions(state, kind):
            state = next_state(state, action, kind)
        else:
            with pytest.raises(IllegalAfterSaleMove):
                next_state(state, action, kind)
    if is_finished(state):
        assert allowed_actions(state, kind) == ()


def test_illegal_move_pickles_and_speaks_chinese():
    err = IllegalAfterSaleMove(S.REFUNDED, A.AGREE, T.REFUND_ONLY)
    again = pickle.loads(pickle.dumps(err))
    assert again.state is S.REFUNDED and "退款成功" in str(again)


T0 = datetime(2026, 11, 27, 12, tzinfo=UTC)
times = st.integers(min_value=0, max_value=10_000).map(lambda s: T0 + timedelta(seconds=s))


def _fold(reports):
    state, at = S.PENDING, None
    for reported, reported_at in reports:
        state, at = merge_report(state, at, reported, reported_at)
    return state


open_states = st.sampled_from([s for s in S if not is_finished(s)])


@given(
    st.lists(st.tuples(open_states, times), min_size=1, max_size=10, unique_by=lambda r: r[1]),
    st.randoms(),
)
def test_ingest_order_does_not_matter(reports, rng):
    """Whatever order the pushes arrive in, the stored state is the newest report's."""
    shuffled = list(reports)
    rng.shuffle(shuffled)
    newest = max(reports, key=lambda r: r[1])[0]
    assert _fold(shuffled) is _fold(sorted(reports, key=lambda r: r[1])) is newest or newest is S.PENDING


@given(st.lists(st.tuples(st.sampled_from(list(S)), times), min_size=1, max_size=10), st.randoms())
def test_a_finished_report_is_never_undone(reports, rng):
    shuffled = list(reports)
    rng.shuffle(shuffled)
    assert is_finished(_fold(shuffled)) == any(is_finished(s) for s, _ in reports)


def test_an_older_report_never_replaces_a_newer_one():
    assert not can_move(S.REFUNDING, T0, S.PENDING, T0 - timedelta(seconds=1))
    assert can_move(S.REFUSED, T0, S.PENDING, T0 + timedelta(seconds=1))  # appeal
    assert not can_move(S.REFUSED, T0, S.PENDING, T0)
    assert not can_move(S.CLOSED, T0, S.PENDING, T0 + timedelta(days=1))


@pytest.mark.parametrize(
    ("status", "kind", "state"),
    [
        (RefundStatus.APPLIED, T.REFUND_ONLY, S.PENDING),
        (RefundStatus.AGREED, T.REFUND_ONLY, S.REFUNDING),
        (RefundStatus.AGREED, T.RETURN_REFUND, S.APPROVED),
        (RefundStatus.REJECTED, T.RETURN_REFUND, S.REFUSED),
        (RefundStatus.RETURN_SHIPPED, T.RETURN_REFUND, S.RETURNED),
        (RefundStatus.SUCCEEDED, T.REFUND_ONLY, S.REFUNDED),
        (RefundStatus.FAILED, T.REFUND_ONLY, S.REFUNDING),
        (RefundStatus.CANCELLED, T.REFUND_ONLY, S.CLOSED),
    ],
)
def test_platform_status_mapping(status, kind, state):
    assert from_platform(status, kind) is state


def test_type_for_a_platform_refund():
    assert type_for(RefundKind.FULL, shipped=False) is T.PRESALE_REFUND
    assert type_for(RefundKind.PARTIAL, shipped=True) is T.REFUND_ONLY
    assert type_for(RefundKind.RETURN_GOODS, shipped=True) is T.RETURN_REFUND


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([], OrderAfterSale.NONE),
        ([Claim(S.PENDING, 500)], OrderAfterSale.IN_PROGRESS),
        ([Claim(S.REFUNDING, 500)], OrderAfterSale.REFUNDING),
        ([Claim(S.REFUNDING, 0, T.RESEND)], OrderAfterSale.IN_PROGRESS),
        ([Claim(S.REFUNDED, 1000)], OrderAfterSale.REFUNDED),
        ([Claim(S.REFUNDED, 300)], OrderAfterSale.PARTLY_REFUNDED),
        ([Claim(S.REFUNDED, 300), Claim(S.PENDING, 700)], OrderAfterSale.IN_PROGRESS),
        ([Claim(S.REFUNDED, 300), Claim(S.REFUNDED, 700)], OrderAfterSale.REFUNDED),
        ([Claim(S.CLOSED, 1000)], OrderAfterSale.NONE),
    ],
)
def test_order_level_state(claims, expected):
    assert combined_state(claims, 1000) is expected


@given(st.lists(st.integers(min_value=0, max_value=2000), max_size=5), st.integers(min_value=1, max_value=5000))
def test_full_refund_and_only_full_refund_closes_the_order(amounts, paid):
    claims = [Claim(S.REFUNDED, a) for a in amounts]
    assert closes_order(claims, paid) == (sum(amounts) >= paid)


def test_countdown():
    assert seconds_left(None, T0) is None
    assert seconds_left(T0 + timedelta(minutes=3, seconds=12), T0) == 192
    assert countdown_text(192) == "3分12秒"
    assert countdown_text(3600 * 12 + 300) == "12小时5分"
    assert countdown_text(9) == "9秒"
    assert countdown_text(-5) == "已超时"
    assert countdown_text(None) == ""
