"""Which group robots can carry alerts, as integrations/alerts/registry.py registers them.

Services and pages validate and list robot kinds from here and never import integrations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RobotProfile:
    code: str
    label: str
    needs_secret: bool
    url_hint: str


_ROBOTS: dict[str, RobotProfile] = {}


def register(profile: RobotProfile) -> None:
    _ROBOTS[profile.code] = profile


def profile(code: str) -> RobotProfile | None:
    return _ROBOTS.get(code)


def profiles() -> list[RobotProfile]:
    return list(_ROBOTS.values())
