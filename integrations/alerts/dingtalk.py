"""钉钉 custom group robot (自定义机器人): markdown message, 加签 signature in the query string.

Signing (DingTalk's documented rule): string_to_sign = f"{timestamp}\n{secret}", timestamp in
milliseconds; sign = urlencode(base64(HMAC-SHA256(key=secret, msg=string_to_sign))). The robot
refuses a timestamp more than an hour away from its clock. Answer: {"errcode": 0, "errmsg": "ok"}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from integrations.alerts.base import Robot, RobotError, RobotRequest
from qihang_app.domain.alert_card import AlertCard

SIGN_WINDOW_MS = 3600 * 1000


def sign(secret: str, timestamp_ms: int) -> str:
    """The signature value before URL encoding."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def build(url: str, secret: str, card: AlertCard, *, now_ms: int | None = None) -> RobotRequest:
    if secret:
        ts = now_ms if now_ms is not None else int(time.time() * 1000)
        parts = urlsplit(url)
        query = [*parse_qsl(parts.query), ("timestamp", str(ts)), ("sign", sign(secret, ts))]
        url = urlunsplit(parts._replace(query=urlencode(query, quote_via=quote_plus)))
    body = {"msgtype": "markdown", "markdown": {"title": card.title, "text": card.markdown()}}
    return RobotRequest(url=url, json=body)


def check_answer(status: int, body) -> None:
    if status != 200 or not isinstance(body, dict):
        raise RobotError(f"http_{status}", str(body)[:200])
    if body.get("errcode") != 0:
        raise RobotError(str(body.get("errcode")), str(body.get("errmsg", "")))


def twin_routes(box) -> list:
    from integrations.alerts.twin import dingtalk_routes

    return dingtalk_routes(box)


ROBOT = Robot(
    code="dingtalk",
    label="钉钉",
    needs_secret=True,
    url_hint="https://oapi.dingtalk.com/robot/send?access_token=…",
    build=build,
    check_answer=check_answer,
    twin_routes=twin_routes,
)
