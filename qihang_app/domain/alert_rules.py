"""Alert rules (pure): each turns facts read by the services into the problems open right now.

A rule is one entry of RULES: its code, its threshold (unit and default), and `evaluate(facts,
threshold, now)`. The facts a rule needs are read by the entry of the same code in
services/alert_facts.py. Adding a rule (rider problem, stock low, …) is those two entries.
A problem's `key` names it for its whole life: the same key on the next run means "still open",
its absence means "resolved".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from qihang_app.domain.messages import decode

Facts = Sequence[dict[str, Any]]


@dataclass(frozen=True)
class Problem:
    rule: str
    key: str  # stable for the problem's life, e.g. "new_order_unaccepted:order:12"
    store_id: int | None  # None: the whole system (goes to merchant-wide channels)
    params: dict[str, Any] = field(default_factory=dict)  # fills the rule's message
    order_id: int | None = None  # the card links back to it


@dataclass(frozen=True)
class Rule:
    code: str
    unit: str  # "minutes", "seconds", "hours", "orders", "rows", "" (no threshold)
    default_threshold: int
    evaluate: Callable[[Facts, int, datetime], list[Problem]]


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def new_order_unaccepted(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
    """An order still waiting for 接单 `threshold` minutes after it arrived."""
    out = []
    for f in facts:
        waited = now - f["since"]
        if waited >= timedelta(minutes=threshold):
            params = {"no": f["display_no"], "platform": f["platform"], "minutes": _minutes(waited)}
            out.append(Problem("new_order_unaccepted", f"order:{f['order_id']}", f["store_id"], params, f["order_id"]))
    return out


def worker_down(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
    """No worker has beaten its heartbeat for `threshold` seconds (or none ever did)."""
    newest = max((f["last_seen_at"] for f in facts if f.get("last_seen_at")), default=None)
    if newest is not None and (now - newest).total_seconds() < threshold:
        return []
    seconds = None if newest is None else int((now - newest).total_seconds())
    return [Problem("worker_down", "workers", None, {"seconds": seconds if seconds is not None else "—"})]


def redis_down(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
    return [Problem("redis_down", "redis", None, {"error": f.get("error", "")[:120]}) for f in facts if not f["ok"]]


def token_expiring(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
    """A shop's platform token expires within `threshold` hours (or has expired)."""
    out = []
    for f in facts:
        left = f["expires_at"] - now
        if left <= timedelta(hours=threshold):
            hours = max(0, int(left.total_seconds() // 3600))
            params = {"shop": f["shop_name"], "platform": f["platform"], "hours": hours}
            out.append(Problem("token_expiring", f"shop:{f['shop_id']}", f["store_id"], params))
    return out


def board_backlog(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
    """A store has `threshold` or more orders waiting on its board (to accept or to prepare)."""
    return [
        Problem(
            "board_backlog", f"store:{f['store_id']}", f["store_id"], {"store": f["store_name"], "count": f["count"]}
        )
        for f in facts
        if f["count"] >= threshold
    ]


def outbox_dead(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
    """Platform write-backs that gave up (dead outbox rows), one problem per target."""
    return [
        Problem("outbox_dead", f"target:{f['target']}", None, {"target": f["target"], "count": f["count"]})
        for f in facts
        if f["count"] >= max(1, threshold)
    ]


def erp_push_dead(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
    """An order whose push to the ERP gave up."""
    return [
        Problem("erp_push_dead", f"outbox:{f['outbox_id']}", f["store_id"], {"no": f["display_no"]}, f["order_id"])
        for f in facts
    ]


def _attention(prefix: str, rule: str) -> Callable[[Facts, int, datetime], list[Problem]]:
    """Orders whose 异常 reason (an encoded message) starts with `prefix`."""

    def evaluate(facts: Facts, threshold: int, now: datetime) -> list[Problem]:
        out = []
        for f in facts:
            decoded = decode(f["reason"])
            if decoded and decoded[0].startswith(prefix):
                params = {"no": f["display_no"], "platform": f["platform"], "reason": f["reason"]}
                out.append(Problem(rule, f"order:{f['order_id']}", f["store_id"], params, f["order_id"]))
        return out

    evaluate.__name__ = rule
    return evaluate


refund_request = _attention("attention.refund_applied", "refund_request")
rider_problem = _attention("attention.rider", "rider_problem")


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("new_order_unaccepted", "minutes", 5, new_order_unaccepted),
        Rule("refund_request", "", 0, refund_request),
        Rule("rider_problem", "", 0, rider_problem),
        Rule("board_backlog", "orders", 30, board_backlog),
        Rule("token_expiring", "hours", 48, token_expiring),
        Rule("worker_down", "seconds", 90, worker_down),
        Rule("redis_down", "", 0, redis_down),
        Rule("outbox_dead", "rows", 1, outbox_dead),
        Rule("erp_push_dead", "", 0, erp_push_dead),
    )
}
