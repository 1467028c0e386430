"""The 售后 page on a phone in Chromium against the sandbox: a buyer's refund request arrives,
links from the board's 异常 card, counts down to the platform's deadline, and 同意 reaches the
platform, whose answer the record shows; 缺货退款 from a board card reaches the platform too."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from integrations.sandbox.app import DEMO_SHOPS
from tests.e2e.conftest import DESK, PHONE, login, shot

pytestmark = pytest.mark.e2e
MEITUAN = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
PICTURE = "https://img.example/evidence.jpg"


def _control(sandbox: str, method: str, path: str, **kw):
    resp = httpx.request(method, f"{sandbox}/_control/{path}", timeout=10, **kw)
    resp.raise_for_status()
    return resp.json()


def _wait_writeback(sandbox: str, order_id: str, api: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = _control(sandbox, "GET", "writebacks", params={"order_id": order_id, "api": api})
        if rows:
            return rows[0]
        time.sleep(0.3)
    raise AssertionError(f"the platform never received {api} for {order_id}")


def _accepted_order(page, sandbox: str) -> dict:
    truth = _control(
        sandbox,
        "POST",
        "orders",
        json={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "delivery_type": "merchant"},
    )
    card = page.locator(".qh-card", has_text=f"#{truth['day_seq']}").filter(has_text="美团").first
    expect(card).to_be_visible(timeout=20_000)
    card.get_by_role("button", name="接单").click()
    _wait_writeback(sandbox, truth["order_id"], "confirm")
    return truth


def test_refund_request_on_a_phone_countdown_agree_and_answer(app_server, sandbox, browser):
    base, env = app_server
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    truth = _accepted_order(page, sandbox)
    _control(
        sandbox,
        "POST",
        f"orders/meituan/{truth['order_id']}/refund",
        json={"reason": "商品<b>破损</b> 🍎", "pictures": [PICTURE]},
    )
    # the board's 异常 card says so and links to the record
    page.locator("#tab-exception").click()
    alert = page.locator("#board-list .qh-card", has_text=f"#{truth['day_seq']}").locator(".qh-c-alert")
    expect(alert).to_contain_text("请到售后处理", timeout=20_000)
    shot(page, "aftersales-phone-board-refund")
    alert.get_by_role("link", name="查看售后").click()
    page.wait_for_url(re.compile(r".*/aftersales.*"), timeout=20_000)

    detail = page.locator("#as-detail")
    expect(detail).to_be_visible(timeout=20_000)
    expect(detail).to_contain_text("退款申请待处理")
    expect(detail).to_contain_text("商品<b>破损</b> 🍎")  # shown as text, not markup
    first = detail.locator(".qh-countdown").inner_text()
    assert re.search(r"\d+小时\d+分|\d+分", first), first  # about a day left, counted live
    page.wait_for_timeout(1500)
    expect(detail.locator("img")).to_have_count(1)
    shot(page, "aftersales-phone-detail-pending")

    page.locator("#as-agree").click()
    _wait_writeback(sandbox, truth["order_id"], "refund_agree")
    expect(detail).to_contain_text("退款成功", timeout=30_000)
    expect(page.locator("#as-answer")).to_contain_text("平台已接受", timeout=30_000)
    shot(page, "aftersales-phone-detail-refunded")

    page.locator("#as-close").click()
    page.locator("#as-chip-refunded").click()
    expect(page.locator("#as-list .as-row").first).to_contain_text("退款成功")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width  # nothing pushes the phone layout sideways
    shot(page, "aftersales-phone-list-refunded")
    page.close()


def test_reject_needs_a_platform_reason_and_missing_item_refund_from_the_card(app_server, sandbox, browser):
    base, env = app_server
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    truth = _accepted_order(page, sandbox)
    _control(sandbox, "POST", f"orders/meituan/{truth['order_id']}/refund", json={"reason": "少送一件"})
    page.goto(f"{base}/aftersales")
    row = page.locator("#as-list .as-row", has_text=f"#{truth['day_seq']}")
    expect(row).to_be_visible(timeout=20_000)
    shot(page, "aftersales-desk-queue")
    row.click()
    page.locator("#as-reject").click()
    expect(page.locator("#as-detail .field-error")).to_be_visible()  # no reason chosen: said at the field
    page.locator("#as-reason").click()
    page.get_by_role("option", name="商品无质量问题").click()
    page.locator("#as-reject").click()
    sent = _wait_writeback(sandbox, truth["order_id"], "refund_reject")
    assert sent["params"]["reject_reason_code"] == "2002"
    expect(page.locator("#as-detail")).to_contain_text("拒绝退款待买家处理", timeout=20_000)
    shot(page, "aftersales-desk-detail-refused")

    # 缺货退款 on another accepted order, from its board card
    page.goto(f"{base}/board")
    other = _accepted_order(page, sandbox)
    card = page.locator("#column-picking .qh-card", has_text=f"#{other['day_seq']}").first  # desk: one column a tab
    expect(card).to_be_visible(timeout=20_000)
    card.locator(".qh-c-more").click()
    page.locator(".qh-missing-refund").click()
    page.locator("input[name^='q_']").first.fill("1")
    page.locator("#missing-refund-send").click()
    sent = _wait_writeback(sandbox, other["order_id"], "apply_part_refund")
    assert '"count":1' in sent["params"]["food_data"].replace(" ", "")
    page.close()


def test_resend_by_hand_from_an_order_on_a_phone(app_server, sandbox, browser):
    base, env = app_server
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    truth = _accepted_order(page, sandbox)
    page.goto(f"{base}/orders?q={truth['order_id']}")
    page.locator(".order-card").first.click()
    page.locator("#detail-new-aftersale").click()
    page.locator("#new-as-send").click()  # nothing chosen: said in the dialog, nothing made
    expect(page.locator("[role=dialog] .field-error").first).to_be_visible()
    page.locator("#new-as-kind").click()
    page.get_by_role("option", name="补发").click()
    page.locator("[role=dialog] input[name^='q_']").first.fill("1")
    page.locator("[role=dialog] input[name='reason']").fill("漏发一件")
    shot(page, "aftersales-phone-new-resend")
    page.locator("#new-as-send").click()
    page.wait_for_url(re.compile(r".*/aftersales\?id=\d+"), timeout=20_000)
    detail = page.locator("#as-detail")
    expect(detail).to_contain_text("补发", timeout=20_000)
    page.locator("#as-outcome").click()
    page.get_by_role("option", name="补发").click()
    page.locator("#as-detail input[name='tracking_no']").fill("YT2026112701")
    page.get_by_role("button", name="保存结果").click()
    expect(detail).to_contain_text("售后关闭", timeout=20_000)
    expect(detail).to_contain_text("YT2026112701")
    shot(page, "aftersales-phone-resend-done")
    page.close()
