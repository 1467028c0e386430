"""Who gets which alert message now (pure): de-duplication, resolve messages, rate limit, quiet hours.

One message per problem and channel ("fire"), one "resolve" when a problem that was announced
clears. A channel in its quiet hours gets nothing; what is still open when they end is sent then
(a problem that opened and cleared inside them is never announced). A channel that has sent
`max_per_hour` messages in the last hour waits: the rest go out on later runs, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from qihang_app.domain.clock import SHANGHAI


@dataclass(frozen=True)
class ChannelView:
    id: int
    store_id: int | None  # None: merchant-wide (every store's problems and the system's)
    rules: frozenset[str] | None  # None: every rule
    quiet_start: str | None = None  # "HH:MM" Asia/Shanghai
    quiet_end: str | None = None
    max_per_hour: int = 20
    enabled: bool = True


@dataclass(frozen=True)
class ProblemView:
    id: int
    rule: str
    store_id: int | None
    open: bool


@dataclass(frozen=True)
class Send:
    problem_id: int
    channel_id: int
    kind: str  # "fire" | "resolve"


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(now: datetime, start: str | None, end: str | None) -> bool:
    """Whether `now` (aware) falls in [start, end) Shanghai time; the span may cross midnight."""
    if not start or not end or start == end:
        return False
    local = now.astimezone(SHANGHAI).time()
    begin, finish = _clock(start), _clock(end)
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish


def reaches(channel: ChannelView, problem: ProblemView) -> bool:
    if channel.rules is not None and problem.rule not in channel.rules:
        return False
    return channel.store_id is None or channel.store_id == problem.store_id


def plan(
    problems: Iterable[ProblemView],
    channels: Iterable[ChannelView],
    *,
    delivered: set[tuple[int, int, str]],
    sent_last_hour: dict[int, int],
    now: datetime,
) -> list[Send]:
    """The messages to send now. `delivered` holds (problem, channel, kind) already sent or claimed;
    problems are taken oldest first (by id); resolves go before new fires."""
    ordered = sorted(problems, key=lambda p: p.id)
    sends: list[Send] = []
    for channel in channels:
        if not channel.enabled or in_quiet_hours(now, channel.quiet_start, channel.quiet_end):
            continue
        budget = max(0, channel.max_per_hour - sent_last_hour.get(channel.id, 0))
        wanted = []
        for problem in ordered:
            if not reaches(channel, problem):
                continue
            fired = (problem.id, channel.id, "fire") in delivered
            if not problem.open and fired and (problem.id, channel.id, "resolve") not in delivered:
                wanted.append(Send(problem.id, channel.id, "resolve"))
        for problem in ordered:
            if problem.open and reaches(channel, problem) and (problem.id, channel.id, "fire") not in delivered:
                wanted.append(Send(problem.id, channel.id, "fire"))
        sends.extend(wanted[:budget])
    return sends


@dataclass(frozen=True)
class Reconciled:
    opened: list  # Problems (domain.alert_rules.Problem) not open before
    still_open: dict[str, int]  # key -> stored id, seen again
    resolved: list[int]  # stored ids no longer seen


def reconcile(current: Iterable, stored_open: dict[str, int], *, rules_run: set[str]) -> Reconciled:
    """Compare this run's problems with the open ones stored (key -> id). Only rules that ran
    this time can resolve: a rule whose facts could not be read says nothing."""
    current = list(current)
    seen = {p.rule + ":" + p.key for p in current}
    opened = [p for p in current if p.rule + ":" + p.key not in stored_open]
    still = {key: pid for key, pid in stored_open.items() if key in seen}
    resolved = [pid for key, pid in stored_open.items() if key not in seen and key.split(":", 1)[0] in rules_run]
    return Reconciled(opened=opened, still_open=still, resolved=resolved)
