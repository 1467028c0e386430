"""Every alert robot, listed once. Adding one: its module + one line here."""

from __future__ import annotations

from integrations.alerts import dingtalk, feishu, wecom
from integrations.alerts.base import Robot
from qihang_app.domain import alert_robots

ROBOTS: dict[str, Robot] = {robot.code: robot for robot in (dingtalk.ROBOT, feishu.ROBOT, wecom.ROBOT)}


def robot(code: str) -> Robot:
    try:
        return ROBOTS[code]
    except KeyError:
        raise LookupError(f"no alert robot {code!r}") from None


for _robot in ROBOTS.values():
    alert_robots.register(alert_robots.RobotProfile(_robot.code, _robot.label, _robot.needs_secret, _robot.url_hint))
