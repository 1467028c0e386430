"""Sandbox twins of the robots: each checks the signature like the real one and records what arrived.

Robots are registered through the control API (`POST /_robots` {robot, token, secret}); a test or
the demo then points an alert channel at `<sandbox>/robots/<robot>/…` and reads back
`GET /_robots/messages`. `GET /_robots/view` shows the recorded messages as a page.
"""

from __future__ import annotations

import hmac
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from integrations.alerts import dingtalk, feishu


@dataclass
class RobotBox:
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)  # (robot, token) -> secret
    messages: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, robot: str, token: str, body: Any) -> None:
        with self.lock:
            self.messages.append({"robot": robot, "token": token, "at": time.time(), "body": body})

    def refuse(self, robot: str, token: str, reason: str) -> None:
        with self.lock:
            self.refused.append({"robot": robot, "token": token, "at": time.time(), "reason": reason})


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def dingtalk_routes(box: RobotBox) -> list[Route]:
    async def send(request: Request) -> JSONResponse:
        token = request.query_params.get("access_token", "")
        body = await _json(request)
        if ("dingtalk", token) not in box.secrets:
            box.refuse("dingtalk", token, "token")
            return JSONResponse({"errcode": 300001, "errmsg": "token is not exist"})
        secret = box.secrets["dingtalk", token]
        if secret:
            ts, given = request.query_params.get("timestamp", ""), request.query_params.get("sign", "")
            fresh = ts.isdigit() and abs(time.time() * 1000 - int(ts)) <= dingtalk.SIGN_WINDOW_MS
            if not fresh or not _same(given, dingtalk.sign(secret, int(ts))):
                box.refuse("dingtalk", token, "sign")
                return JSONResponse({"errcode": 310000, "errmsg": "sign not match"})
        if not isinstance(body, dict) or body.get("msgtype") not in ("markdown", "text", "actionCard"):
            return JSONResponse({"errcode": 40035, "errmsg": "缺少参数 json"})
        box.record("dingtalk", token, body)
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    return [Route("/robots/dingtalk/robot/send", send, methods=["POST"])]


def feishu_routes(box: RobotBox) -> list[Route]:
    async def hook(request: Request) -> JSONResponse:
        token = request.path_params["token"]
        body = await _json(request)
        if ("feishu", token) not in box.secrets:
            box.refuse("feishu", token, "token")
            return JSONResponse({"code": 19001, "msg": "param invalid: incoming webhook access token invalid"})
        secret = box.secrets["feishu", token]
        if not isinstance(body, dict):
            return JSONResponse({"code": 9499, "msg": "Bad Request"})
        if secret:
            ts, given = str(body.get("timestamp", "")), str(body.get("sign", ""))
            fresh = ts.isdigit() and abs(time.time() - int(ts)) <= feishu.SIGN_WINDOW_S
            if not fresh or not _same(given, feishu.sign(secret, int(ts))):
                box.refuse("feishu", token, "sign")
                return JSONResponse(
                    {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
                )
        box.record("feishu", token, body)
        return JSONResponse({"code": 0, "msg": "success", "data": {}})

    return [Route("/robots/feishu/open-apis/bot/v2/hook/{token}", hook, methods=["POST"])]


def wecom_routes(box: RobotBox) -> list[Route]:
    async def send(request: Request) -> JSONResponse:
        key = request.query_params.get("key", "")
        body = await _json(request)
        if ("wecom", key) not in box.secrets:
            box.refuse("wecom", key, "key")
            return JSONResponse({"errcode": 93000, "errmsg": "invalid webhook url"})
        content = body.get("markdown", {}).get("content", "") if isinstance(body, dict) else ""
        if not content or len(content.encode()) > 4096:
            return JSONResponse({"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"})
        box.record("wecom", key, body)
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    return [Route("/robots/wecom/cgi-bin/webhook/send", send, methods=["POST"])]


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_FONT = re.compile(r"&lt;font color=&quot;(\w+)&quot;&gt;(.*?)&lt;/font&gt;")
_COLOURS = {"warning": "#d9480f", "info": "#2b8a3e", "comment": "#868e96"}


def _markdown(text: str) -> str:
    """The little markdown the robots render (headings, bold, links, WeCom's font colours)."""
    out = []
    for line in html.escape(text).splitlines():
        line = _FONT.sub(lambda m: f'<span style="color:{_COLOURS.get(m[1], "inherit")}">{m[2]}</span>', line)
        line = _LINK.sub(r'<a href="\2">\1</a>', _BOLD.sub(r"<b>\1</b>", line))
        heading = re.match(r"#{1,6} (.*)", line)
        out.append(f"<h4>{heading[1]}</h4>" if heading else f"<p>{line}</p>" if line else "")
    return "".join(out)


def _text_of(message: dict[str, Any]) -> tuple[str, str]:
    body = message["body"]
    if message["robot"] == "feishu":
        card = body.get("card", {})
        title = card.get("header", {}).get("title", {}).get("content", "")
        texts = [e.get("content", "") for e in card.get("elements", []) if e.get("tag") == "markdown"]
        links = [a.get("url", "") for e in card.get("elements", []) for a in e.get("actions", [])]
        return title, "\n\n".join(texts + [f"[查看]({link})" for link in links])
    if message["robot"] == "wecom":
        return "", body["markdown"]["content"]
    return body["markdown"]["title"], body["markdown"]["text"]


def control_routes(box: RobotBox) -> list[Route]:
    async def register(request: Request) -> JSONResponse:
        data = await _json(request) or {}
        box.secrets[str(data.get("robot")), str(data.get("token"))] = str(data.get("secret") or "")
        return JSONResponse({"ok": True})

    async def messages(request: Request) -> JSONResponse:
        robot, token = request.query_params.get("robot"), request.query_params.get("token")
        with box.lock:
            found = [m for m in box.messages if robot in (None, m["robot"]) and token in (None, m["token"])]
            refused = [m for m in box.refused if robot in (None, m["robot"]) and token in (None, m["token"])]
        return JSONResponse({"messages": found, "refused": refused})

    async def view(request: Request) -> HTMLResponse:
        with box.lock:
            recorded = list(box.messages)[-20:]
        items = []
        for message in reversed(recorded):
            title, text = _text_of(message)
            when = time.strftime("%H:%M:%S", time.localtime(message["at"]))
            items.append(
                f"<article><header><b>{html.escape(message['robot'])}</b> · {when}</header>"
                f"<h3>{html.escape(title)}</h3>{_markdown(text)}</article>"
            )
        style = (
            "body{font-family:sans-serif;max-width:640px;margin:1em auto;background:#f3f4f6}"
            "article{background:#fff;border-radius:8px;padding:12px;margin:10px 0;box-shadow:0 1px 3px #0002}"
            "header{color:#666;font-size:13px}h4{margin:8px 0}a{color:#1c7ed6}p{margin:6px 0}"
        )
        page = f"<!doctype html><meta charset=utf-8><title>robots</title><style>{style}</style>{''.join(items)}"
        return HTMLResponse(page)

    return [
        Route("/_robots", register, methods=["POST"]),
        Route("/_robots/messages", messages, methods=["GET"]),
        Route("/_robots/view", view, methods=["GET"]),
    ]


def routes(box: RobotBox) -> list[Route]:
    from integrations.alerts.registry import ROBOTS

    return [*control_routes(box), *(r for robot in ROBOTS.values() for r in robot.twin_routes(box))]
