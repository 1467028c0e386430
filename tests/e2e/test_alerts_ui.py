"""告警设置 in Chromium: the channel form answers bad input at each field and keeps nothing, a
good channel is saved (its address shown masked), and 测试 makes a worker send a sample that the
sandbox's 钉钉 receiver accepts with its signature checked."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE, login, shot

pytestmark = pytest.mark.e2e
TOKEN = "e2e-alerts-robot"
SECRET = "SEC-e2e-0123456789"


def _errors(page):
    return page.locator("[role=dialog] .field-error")


def test_channel_form_refuses_bad_input_then_a_test_message_arrives(app_server, sandbox, browser):
    base, env = app_server
    httpx.post(f"{sandbox}/_robots", json={"robot": "dingtalk", "token": TOKEN, "secret": SECRET}).raise_for_status()
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/alerts")
    expect(page.get_by_text("还没有告警渠道")).to_be_visible(timeout=15_000)

    page.locator("#alert-add").click()
    page.locator("#alert-save").click()  # everything empty
    expect(_errors(page).filter(has_text="请填写渠道名称")).to_be_visible()
    expect(_errors(page).filter(has_text="请填写机器人的 Webhook 地址")).to_be_visible()

    dialog = page.locator("[role=dialog]")
    dialog.locator("input[name=name]").fill("<b>值班群</b>🔥")
    dialog.locator("input[name=url]").fill("ftp://钉钉/" + "x" * 600)
    dialog.locator("input[name=max_per_hour]").fill("-5")
    dialog.locator("input[name=quiet_start]").fill("22:00")
    page.locator("#alert-save").click()
    expect(_errors(page).filter(has_text="不能包含")).to_be_visible()
    expect(_errors(page).filter(has_text="Webhook 地址应以")).to_be_visible()
    expect(_errors(page).filter(has_text="免打扰时段")).to_be_visible()
    expect(_errors(page).filter(has_text="须在 1 到 600 之间")).to_be_visible()
    shot(page, "alerts-phone-form-refusals", full_page=False)

    hook = f"{sandbox}/robots/dingtalk/robot/send?access_token={TOKEN}"
    dialog.locator("input[name=name]").fill("A店值班群")
    dialog.locator("input[name=url]").fill(hook)
    dialog.locator("input[name=secret]").fill(SECRET)
    dialog.locator("input[name=max_per_hour]").fill("20")
    dialog.locator("input[name=quiet_end]").fill("08:00")
    page.locator("#alert-save").click()
    card = page.locator(".alert-channel", has_text="A店值班群")
    expect(card).to_be_visible(timeout=15_000)
    expect(card).to_contain_text("****")
    expect(card).not_to_contain_text(TOKEN)  # the robot's token never reaches the page
    expect(card).to_contain_text("22:00–08:00")

    card.get_by_role("button", name="测试").click()
    expect(card).to_contain_text("测试消息已发送", timeout=30_000)
    messages = []
    for _ in range(50):
        messages = httpx.get(f"{sandbox}/_robots/messages", params={"robot": "dingtalk", "token": TOKEN}).json()
        if messages["messages"]:
            break
        time.sleep(0.2)
    assert len(messages["messages"]) == 1 and messages["refused"] == []
    assert "A店值班群" in messages["messages"][0]["body"]["markdown"]["text"]
    expect(page.get_by_text("最近发送")).to_be_visible()
    shot(page, "alerts-phone")
    page.set_viewport_size(DESK)
    shot(page, "alerts-desk")
    page.close()
