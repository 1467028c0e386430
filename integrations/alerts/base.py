"""The shape every robot module fills: build the signed request, read the answer, host a twin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class RobotError(Exception):
    """The robot refused the message (bad signature, unknown hook, throttled …) or was unreachable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RobotRequest:
    url: str
    json: dict[str, Any]


@dataclass(frozen=True)
class Robot:
    code: str  # "dingtalk", "feishu", "wecom" (stored in alert_channels.kind)
    label: str  # 钉钉 / 飞书 / 企业微信
    needs_secret: bool  # signing secret (加签); WeCom has none: its key is in the URL
    url_hint: str  # what a real webhook address looks like
    build: Callable[..., RobotRequest]  # build(url, secret, card, now_ms=...) -> RobotRequest
    check_answer: Callable[[int, Any], None]  # raises RobotError unless the robot accepted
    twin_routes: Callable[[Any], list] = field(default=lambda box: [])  # sandbox receiver routes
