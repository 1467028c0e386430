"""Choosing a carrier (pure): the quote comparison's marks, a store's auto-dispatch order, and when
a booked ride waited too long for a rider.

A quote is (account id, carrier code, fee in fen, ETA in minutes, distance in metres). The rule
ranks the quotes that came back, drops those over the price cap, and skips carriers already tried
for this order; each step says why, for the order's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from qihang_app.domain.carriers import name
from qihang_app.domain.money import format_money


class Trigger(StrEnum):
    ACCEPT = "accept"  # right after 接单
    READY = "ready"  # at 备货完成


class Strategy(StrEnum):
    CHEAPEST = "cheapest"
    FASTEST = "fastest"
    PREFERRED = "preferred"  # the store's own order of carriers


@dataclass(frozen=True, slots=True)
class QuoteRow:
    account_id: int
    carrier: str
    fee_fen: int
    eta_minutes: int
    distance_m: int


@dataclass(frozen=True, slots=True)
class Rule:
    trigger: Trigger = Trigger.READY
    strategy: Strategy = Strategy.CHEAPEST
    preferred: tuple[str, ...] = ()
    max_fee_fen: int | None = None
    accept_minutes: int = 5


@dataclass(frozen=True, slots=True)
class Choice:
    """The carrier to book, or None with the reason nobody fits."""

    quote: QuoteRow | None
    reason: str  # an i18n key (delivery.auto.*)
    params: dict


def marks(quotes: list[QuoteRow]) -> tuple[int | None, int | None]:
    """Account ids of the cheapest and the fastest quote (ties: the other measure, then the id)."""
    if not quotes:
        return None, None
    cheapest = min(quotes, key=lambda q: (q.fee_fen, q.eta_minutes, q.account_id))
    fastest = min(quotes, key=lambda q: (q.eta_minutes, q.fee_fen, q.account_id))
    return cheapest.account_id, fastest.account_id


def ranked(quotes: list[QuoteRow], rule: Rule) -> list[QuoteRow]:
    """Every quote in the order the rule would book them (no cap applied)."""
    if rule.strategy is Strategy.FASTEST:
        return sorted(quotes, key=lambda q: (q.eta_minutes, q.fee_fen, q.account_id))
    if rule.strategy is Strategy.PREFERRED:
        place = {code: i for i, code in enumerate(rule.preferred)}
        return sorted(quotes, key=lambda q: (place.get(q.carrier, len(place)), q.fee_fen, q.account_id))
    return sorted(quotes, key=lambda q: (q.fee_fen, q.eta_minutes, q.account_id))


def choose(quotes: list[QuoteRow], rule: Rule, *, tried: frozenset[int] = frozenset()) -> Choice:
    """The next account to book for this order under the rule."""
    fresh = [q for q in quotes if q.account_id not in tried]
    if not quotes:
        return Choice(None, "delivery.auto.no_quotes", {})
    if not fresh:
        return Choice(None, "delivery.auto.all_tried", {"n": len(tried)})
    fitting = [q for q in fresh if rule.max_fee_fen is None or q.fee_fen <= rule.max_fee_fen]
    if not fitting:
        cheapest = min(q.fee_fen for q in fresh)
        return Choice(
            None, "delivery.auto.over_cap", {"cap": format_money(rule.max_fee_fen), "cheapest": format_money(cheapest)}
        )
    best = ranked(fitting, rule)[0]
    reason = {
        Strategy.CHEAPEST: "delivery.auto.chose_cheapest",
        Strategy.FASTEST: "delivery.auto.chose_fastest",
        Strategy.PREFERRED: "delivery.auto.chose_preferred",
    }[rule.strategy]
    return Choice(
        best, reason, {"carrier": name(best.carrier), "fee": format_money(best.fee_fen), "eta": best.eta_minutes}
    )


def triggered(rule: Rule, *, accepted: bool, ready: bool) -> bool:
    """Whether an order has reached the moment the rule dispatches at."""
    return ready if rule.trigger is Trigger.READY else accepted


def waited_too_long(*, booked_at: datetime, status: str, rule: Rule, now: datetime) -> bool:
    """A ride still without a rider after the rule's minutes: cancel it and try the next carrier."""
    return status == "awaiting_rider" and now - booked_at >= timedelta(minutes=max(1, rule.accept_minutes))


def minutes_left(eta_at: datetime | None, now: datetime) -> int | None:
    """Whole minutes until the rider is expected at the door (0 once due), None without an ETA."""
    if eta_at is None:
        return None
    return max(0, int((eta_at - now).total_seconds() + 59) // 60)
