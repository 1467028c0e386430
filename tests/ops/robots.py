"""A sandbox with the robot receivers on loopback, and helpers to register robots and read them."""

from __future__ import annotations

import secrets

import httpx
import pytest

from integrations.sandbox.app import create_app
from integrations.sandbox.server import ServerThread


@pytest.fixture(scope="module")
def sandbox_url():
    with ServerThread(create_app()) as server:
        yield server.url


def add_robot(sandbox_url: str, robot: str, secret: str = "") -> tuple[str, str]:
    """Register a robot in the sandbox; returns (token, webhook URL as the robot would give it)."""
    token = secrets.token_hex(8)
    httpx.post(f"{sandbox_url}/_robots", json={"robot": robot, "token": token, "secret": secret}).raise_for_status()
    urls = {
        "dingtalk": f"{sandbox_url}/robots/dingtalk/robot/send?access_token={token}",
        "feishu": f"{sandbox_url}/robots/feishu/open-apis/bot/v2/hook/{token}",
        "wecom": f"{sandbox_url}/robots/wecom/cgi-bin/webhook/send?key={token}",
    }
    return token, urls[robot]


def received(sandbox_url: str, robot: str, token: str) -> dict:
    return httpx.get(f"{sandbox_url}/_robots/messages", params={"robot": robot, "token": token}).json()
