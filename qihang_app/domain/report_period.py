"""The period a report covers: presets 今天 / 昨天 / 近7天 / 近30天 or two picked days, and the
period just before it of the same length (the comparison)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PRESETS = ("today", "yesterday", "last7", "last30", "custom")
MAX_DAYS = 366 * 3  # a custom range longer than this is refused (and a typo, 2206, with it)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The same number of days just before."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


def preset_period(preset: str, today: date) -> Period | None:
    """A preset's days ending today (Shanghai); None for "custom" or an unknown name."""
    if preset == "today":
        return Period(today, today)
    if preset == "yesterday":
        day = today - timedelta(days=1)
        return Period(day, day)
    if preset == "last7":
        return Period(today - timedelta(days=6), today)
    if preset == "last30":
        return Period(today - timedelta(days=29), today)
    return None


def custom_period(first: str, last: str) -> Period | None:
    """Two picked yyyy-mm-dd days in either order; None when unreadable or absurdly long."""
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except (TypeError, ValueError):
        return None
    a, b = min(a, b), max(a, b)
    period = Period(a, b)
    return period if period.days <= MAX_DAYS else None


def change_pct(now: int, before: int) -> str:
    """ "+12.5%" / "-3.0%" / "" when there is nothing to compare with."""
    if before == 0:
        return ""
    change = (now - before) * 1000 // before if now >= before else -((before - now) * 1000 // before)
    sign = "+" if change >= 0 else "-"
    return f"{sign}{abs(change) // 10}.{abs(change) % 10}%"


def ratio_text(part: int, whole: int) -> str:
    """part / whole as a percentage with one decimal, "" when whole is 0 (no orders)."""
    if whole <= 0:
        return ""
    tenths = (part * 2000 + whole) // (2 * whole)  # per mille, rounded half up
    return f"{tenths // 10}.{tenths % 10}%"


def average_fen(total_fen: int, count: int) -> int:
    """Average in whole fen, rounded half up (0 without orders)."""
    if count <= 0:
        return 0
    return (2 * total_fen + count) // (2 * count) if total_fen >= 0 else -((-2 * total_fen + count) // (2 * count))
