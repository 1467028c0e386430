"""Alert rules and the sending plan (pure): de-duplication, resolve, rate limit, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qihang_app.domain import alert_plan
from qihang_app.domain.alert_plan import ChannelView, ProblemView, Send, in_quiet_hours, plan, reconcile
from qihang_app.domain.alert_rules import RULES, Problem
from qihang_app.domain.messages import encode

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize(
    ("shanghai", "start", "end", "quiet"),
    [
        ("23:30", "22:00", "08:00", True),
        ("07:59", "22:00", "08:00", True),
        ("08:00", "22:00", "08:00", False),
        ("12:00", "22:00", "08:00", False),
        ("12:00", "12:00", "13:00", True),
        ("13:00", "12:00", "13:00", False),
        ("12:00", None, None, False),
        ("12:00", "09:00", "09:00", False),
    ],
)
def test_quiet_hours_in_shanghai_time_across_midnight(shanghai, start, end, quiet):
    hours, minutes = map(int, shanghai.split(":"))
    local = datetime(2026, 11, 27, hours, minutes, tzinfo=alert_plan.SHANGHAI)
    assert in_quiet_hours(local.astimezone(UTC), start, end) is quiet


def _channel(cid=1, **kw) -> ChannelView:
    return ChannelView(id=cid, store_id=kw.pop("store_id", None), rules=kw.pop("rules", None), **kw)


def test_one_fire_per_problem_and_channel_then_nothing():
    problems = [ProblemView(1, "new_order_unaccepted", 7, True)]
    first = plan(problems, [_channel()], delivered=set(), sent_last_hour={}, now=NOW)
    assert first == [Send(1, 1, "fire")]
    again = plan(problems, [_channel()], delivered={(1, 1, "fire")}, sent_last_hour={}, now=NOW)
    assert again == []


def test_resolve_only_where_the_fire_went_and_only_once():
    problems = [ProblemView(1, "redis_down", None, False), ProblemView(2, "redis_down", None, False)]
    sends = plan(problems, [_channel()], delivered={(1, 1, "fire")}, sent_last_hour={}, now=NOW)
    assert sends == [Send(1, 1, "resolve")]  # problem 2 was never announced: no resolve either
    assert plan(problems, [_channel()], delivered={(1, 1, "fire"), (1, 1, "resolve")}, sent_last_hour={}, now=NOW) == []


def test_store_channels_hear_their_store_merchant_channels_everything():
    problems = [ProblemView(1, "board_backlog", 7, True), ProblemView(2, "board_backlog", 8, True)]
    problems.append(ProblemView(3, "worker_down", None, True))
    channels = [_channel(1), _channel(2, store_id=7), _channel(3, rules=frozenset({"worker_down"}))]
    sends = plan(problems, channels, delivered=set(), sent_last_hour={}, now=NOW)
    assert {(s.channel_id, s.problem_id) for s in sends} == {(1, 1), (1, 2), (1, 3), (2, 1), (3, 3)}


def test_rate_limit_keeps_the_rest_for_later_oldest_first_resolves_first():
    problems = [ProblemView(i, "new_order_unaccepted", 7, True) for i in range(1, 6)]
    problems.append(ProblemView(9, "redis_down", None, False))
    channel = _channel(max_per_hour=3)
    sends = plan(problems, [channel], delivered={(9, 1, "fire")}, sent_last_hour={1: 1}, now=NOW)
    assert sends == [Send(9, 1, "resolve"), Send(1, 1, "fire")]


def test_quiet_hours_hold_everything_and_disabled_channels_get_nothing():
    problems = [ProblemView(1, "worker_down", None, True)]
    quiet = _channel(quiet_start="11:00", quiet_end="13:00")
    assert plan(problems, [quiet, _channel(2, enabled=False)], delivered=set(), sent_last_hour={}, now=NOW) == []
    later = NOW + timedelta(hours=1, minutes=1)
    assert plan(problems, [quiet], delivered=set(), sent_last_hour={}, now=later) == [Send(1, 1, "fire")]


def test_reconcile_opens_keeps_and_resolves_only_rules_that_ran():
    current = [Problem("board_backlog", "store:7", 7), Problem("redis_down", "redis", None)]
    stored = {"board_backlog:store:7": 1, "board_backlog:store:8": 2, "worker_down:workers": 3}
    result = reconcile(current, stored, rules_run={"board_backlog", "redis_down"})
    assert [p.key for p in result.opened] == ["redis"]
    assert result.still_open == {"board_backlog:store:7": 1}
    assert result.resolved == [2]  # worker_down did not run: its problem stays open


def test_rules_fire_at_their_thresholds():
    placed = NOW - timedelta(minutes=6)
    order = {"order_id": 5, "store_id": 7, "display_no": "M5", "platform": "meituan", "since": placed}
    rule = RULES["new_order_unaccepted"]
    assert [p.key for p in rule.evaluate([order], 5, NOW)] == ["order:5"]
    assert rule.evaluate([order], 10, NOW) == []
    beats = RULES["worker_down"]
    assert beats.evaluate([{"last_seen_at": NOW - timedelta(seconds=30)}], 90, NOW) == []
    assert beats.evaluate([{"last_seen_at": NOW - timedelta(seconds=200)}], 90, NOW)[0].params["seconds"] == 200
    assert beats.evaluate([], 90, NOW)[0].key == "workers"  # no worker ever beat
    shop = {
        "shop_id": 3,
        "store_id": 7,
        "shop_name": "A",
        "platform": "meituan",
        "expires_at": NOW + timedelta(hours=5),
    }
    assert RULES["token_expiring"].evaluate([shop], 48, NOW)[0].params["hours"] == 5
    assert RULES["token_expiring"].evaluate([shop], 2, NOW) == []
    backlog = [{"store_id": 7, "store_name": "A", "count": 30}, {"store_id": 8, "store_name": "B", "count": 29}]
    assert [p.store_id for p in RULES["board_backlog"].evaluate(backlog, 30, NOW)] == [7]


def test_refund_and_rider_rules_read_the_orders_attention_reason():
    refund = encode("attention.refund_applied", amount=" ¥5.00")
    rider = encode("attention.rider_cancelled")
    facts = [
        {"order_id": 1, "store_id": 7, "display_no": "A1", "platform": "meituan", "reason": refund},
        {"order_id": 2, "store_id": 7, "display_no": "A2", "platform": "meituan", "reason": rider},
        {"order_id": 3, "store_id": 7, "display_no": "A3", "platform": "meituan", "reason": "平台自己的话"},
    ]
    assert [p.order_id for p in RULES["refund_request"].evaluate(facts, 0, NOW)] == [1]
    assert [p.order_id for p in RULES["rider_problem"].evaluate(facts, 0, NOW)] == [2]
