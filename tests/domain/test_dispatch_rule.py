"""The carrier choice: marks of the comparison, the rule's order, the price cap, carriers already
tried, and when a waiting ride has waited too long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qihang_app.domain.dispatch_rule import (
    QuoteRow,
    Rule,
    Strategy,
    Trigger,
    choose,
    marks,
    minutes_left,
    ranked,
    triggered,
    waited_too_long,
)

Q = [
    QuoteRow(1, "dada", 700, 31, 2900),
    QuoteRow(2, "sf_same_city", 750, 25, 2900),
    QuoteRow(3, "shansong", 800, 40, 2900),
]
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_marks_cheapest_and_fastest():
    assert marks(Q) == (1, 2)
    assert marks([]) == (None, None)
    tie = [QuoteRow(5, "a", 700, 30, 0), QuoteRow(4, "b", 700, 20, 0)]
    assert marks(tie) == (4, 4)  # same fee: the faster one is the cheapest too


@pytest.mark.parametrize(
    ("strategy", "preferred", "order"),
    [
        (Strategy.CHEAPEST, (), [1, 2, 3]),
        (Strategy.FASTEST, (), [2, 1, 3]),
        (Strategy.PREFERRED, ("shansong", "dada"), [3, 1, 2]),
    ],
)
def test_rule_order(strategy, preferred, order):
    assert [q.account_id for q in ranked(Q, Rule(strategy=strategy, preferred=preferred))] == order


def test_choose_skips_tried_and_respects_the_cap():
    rule = Rule(strategy=Strategy.CHEAPEST, max_fee_fen=760)
    assert choose(Q, rule).quote.account_id == 1
    assert choose(Q, rule, tried=frozenset({1})).quote.account_id == 2
    over = choose(Q, rule, tried=frozenset({1, 2}))
    assert over.quote is None and over.reason == "delivery.auto.over_cap" and over.params["cheapest"] == "¥8.00"
    assert choose(Q, rule, tried=frozenset({1, 2, 3})).reason == "delivery.auto.all_tried"
    assert choose([], rule).reason == "delivery.auto.no_quotes"


def test_trigger_and_waiting():
    assert triggered(Rule(trigger=Trigger.ACCEPT), accepted=True, ready=False)
    assert not triggered(Rule(trigger=Trigger.READY), accepted=True, ready=False)
    rule = Rule(accept_minutes=5)
    booked = NOW - timedelta(minutes=5)
    assert waited_too_long(booked_at=booked, status="awaiting_rider", rule=rule, now=NOW)
    assert not waited_too_long(booked_at=booked, status="rider_accepted", rule=rule, now=NOW)
    assert not waited_too_long(
        booked_at=NOW - timedelta(minutes=4, seconds=59), status="awaiting_rider", rule=rule, now=NOW
    )


def test_minutes_left():
    assert minutes_left(None, NOW) is None
    assert minutes_left(NOW + timedelta(seconds=61), NOW) == 2
    assert minutes_left(NOW - timedelta(minutes=3), NOW) == 0
