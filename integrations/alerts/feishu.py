"""飞书 custom bot (自定义机器人): interactive card, signature in the body.

Signing (Feishu's documented rule): string_to_sign = f"{timestamp}\n{secret}", timestamp in
seconds, used as the HMAC-SHA256 KEY over an empty message; sign = base64(digest). The bot refuses
a timestamp more than an hour off. Answer: {"code": 0, "msg": "success"}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from integrations.alerts.base import Robot, RobotError, RobotRequest
from qihang_app.domain.alert_card import AlertCard

SIGN_WINDOW_S = 3600


def sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def card_json(card: AlertCard) -> dict:
    elements: list[dict] = [{"tag": "markdown", "content": card.text}]
    if card.link:
        button = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": card.link_text or "查看"},
            "type": "primary",
            "url": card.link,
        }
        elements.append({"tag": "action", "actions": [button]})
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {"tag": "plain_text", "content": card.title},
            "template": "green" if card.resolved else "red",
        },
        "elements": elements,
    }


def build(url: str, secret: str, card: AlertCard, *, now_ms: int | None = None) -> RobotRequest:
    body: dict = {"msg_type": "interactive", "card": card_json(card)}
    if secret:
        ts = (now_ms if now_ms is not None else int(time.time() * 1000)) // 1000
        body = {"timestamp": str(ts), "sign": sign(secret, ts), **body}
    return RobotRequest(url=url, json=body)


def check_answer(status: int, body) -> None:
    if status != 200 or not isinstance(body, dict):
        raise RobotError(f"http_{status}", str(body)[:200])
    code = body.get("code", body.get("StatusCode"))
    if code != 0:
        raise RobotError(str(code), str(body.get("msg", body.get("StatusMessage", ""))))


def twin_routes(box) -> list:
    from integrations.alerts.twin import feishu_routes

    return feishu_routes(box)


ROBOT = Robot(
    code="feishu",
    label="飞书",
    needs_secret=True,
    url_hint="https://open.feishu.cn/open-apis/bot/v2/hook/…",
    build=build,
    check_answer=check_answer,
    twin_routes=twin_routes,
)
