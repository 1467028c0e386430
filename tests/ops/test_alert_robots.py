"""Each robot's wire format and signature, against its sandbox receiver over loopback HTTP, and
against a value computed here from the robot's documented rule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import pytest

from integrations.alerts import dingtalk, feishu, wecom
from integrations.alerts.base import RobotError
from qihang_app.domain.alert_card import AlertCard
from qihang_app.services.alerts import Outgoing
from tests.ops.robots import add_robot, received, sandbox_url  # noqa: F401  (fixture)
from workers.tasks.alerts import deliver

CARD = AlertCard(
    title="美团闪购 订单 M123 已 6 分钟未接单",
    text="**美团闪购** 新订单 **M123** 已等待 **6** 分钟",
    link="http://127.0.0.1:3000/orders?order=12",
    link_text="查看订单",
)
SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef"


def test_dingtalk_signature_follows_the_documented_rule():
    ts = 1_700_000_000_123
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest())
    request = dingtalk.build("https://oapi.dingtalk.com/robot/send?access_token=abc", SECRET, CARD, now_ms=ts)
    query = urlsplit(request.url).query
    assert f"sign={quote_plus(expected.decode())}" in query  # URL-encoded in the address
    assert parse_qs(query) == {"access_token": ["abc"], "timestamp": [str(ts)], "sign": [expected.decode()]}
    assert (
        request.json["msgtype"] == "markdown"
        and "[查看订单](http://127.0.0.1:3000/orders?order=12)" in request.json["markdown"]["text"]
    )


def test_feishu_signature_uses_timestamp_and_secret_as_the_key():
    ts_ms = 1_700_000_000_999
    key = f"{ts_ms // 1000}\n{SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    body = feishu.build("https://open.feishu.cn/open-apis/bot/v2/hook/x", SECRET, CARD, now_ms=ts_ms).json
    assert body["timestamp"] == str(ts_ms // 1000) and body["sign"] == expected
    button = body["card"]["elements"][1]["actions"][0]
    assert body["msg_type"] == "interactive" and button["url"] == CARD.link


def test_wecom_carries_no_signature_and_stays_under_its_size_limit():
    request = wecom.build("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "", CARD)
    assert request.url.endswith("?key=k") and request.json["msgtype"] == "markdown"
    huge = AlertCard(title="t", text="长" * 3000)
    assert len(wecom.build("https://x/send?key=k", "", huge).json["markdown"]["content"].encode()) <= 4096


@pytest.mark.parametrize("robot", ["dingtalk", "feishu", "wecom"])
async def test_each_robot_takes_a_signed_card_and_records_it(sandbox_url, robot):  # noqa: F811
    secret = "" if robot == "wecom" else SECRET
    token, url = add_robot(sandbox_url, robot, secret)
    async with httpx.AsyncClient() as http:
        error = await deliver(http, Outgoing(1, 1, robot, url, secret, CARD))
    assert error == ""
    got = received(sandbox_url, robot, token)
    assert len(got["messages"]) == 1 and not got["refused"]
    assert "M123" in str(got["messages"][0]["body"])


@pytest.mark.parametrize(("robot", "code"), [("dingtalk", "310000"), ("feishu", "19021")])
async def test_a_wrong_secret_is_refused_like_the_real_robot(sandbox_url, robot, code):  # noqa: F811
    token, url = add_robot(sandbox_url, robot, SECRET)
    async with httpx.AsyncClient() as http:
        error = await deliver(http, Outgoing(1, 1, robot, url, "not-the-secret", CARD))
    assert error.startswith(code)
    got = received(sandbox_url, robot, token)
    assert got["messages"] == [] and got["refused"][0]["reason"] == "sign"


def test_a_stale_timestamp_is_refused(sandbox_url):  # noqa: F811
    token, url = add_robot(sandbox_url, "dingtalk", SECRET)
    two_hours_ago = int(time.time() * 1000) - 2 * 3600 * 1000
    request = dingtalk.build(url, SECRET, CARD, now_ms=two_hours_ago)
    answer = httpx.post(request.url, json=request.json).json()
    assert answer["errcode"] == 310000
    with pytest.raises(RobotError):
        dingtalk.check_answer(200, answer)


async def test_an_unknown_wecom_key_is_refused(sandbox_url):  # noqa: F811
    url = f"{sandbox_url}/robots/wecom/cgi-bin/webhook/send?key=nobody"
    async with httpx.AsyncClient() as http:
        error = await deliver(http, Outgoing(1, 1, "wecom", url, "", CARD))
    assert error.startswith("93000")
