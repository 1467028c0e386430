"""企业微信 group robot (群机器人): markdown message; no signature — the key in the URL is the secret.

Answer: {"errcode": 0, "errmsg": "ok"}; an unknown key answers 93000 "invalid webhook url".
"""

from __future__ import annotations

from integrations.alerts.base import Robot, RobotError, RobotRequest
from qihang_app.domain.alert_card import AlertCard

MAX_BYTES = 4096  # WeCom refuses longer markdown content


def build(url: str, secret: str, card: AlertCard, *, now_ms: int | None = None) -> RobotRequest:
    colour = "info" if card.resolved else "warning"
    content = card.markdown(heading="##").replace(card.title, f'<font color="{colour}">{card.title}</font>', 1)
    raw = content.encode()
    if len(raw) > MAX_BYTES:
        content = raw[: MAX_BYTES - 3].decode(errors="ignore") + "…"
    return RobotRequest(url=url, json={"msgtype": "markdown", "markdown": {"content": content}})


def check_answer(status: int, body) -> None:
    if status != 200 or not isinstance(body, dict):
        raise RobotError(f"http_{status}", str(body)[:200])
    if body.get("errcode") != 0:
        raise RobotError(str(body.get("errcode")), str(body.get("errmsg", "")))


def twin_routes(box) -> list:
    from integrations.alerts.twin import wecom_routes

    return wecom_routes(box)


ROBOT = Robot(
    code="wecom",
    label="企业微信",
    needs_secret=False,
    url_hint="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    build=build,
    check_answer=check_answer,
    twin_routes=twin_routes,
)
