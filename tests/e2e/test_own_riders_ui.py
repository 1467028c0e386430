"""配送设置 and the own rider on phones: a rider is added (bad input refused at the field), 测试连接
shows a carrier account's balance, the board gives an order to the rider, and the rider — logged
out, by the secret link only — marks 到店 / 取货 / 送达; the platform hears the rider's name and
phone at each step."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login
from tests.e2e.test_rider_dispatch import MEITUAN, _control, _logistics_codes, _shot

pytestmark = pytest.mark.e2e


def test_own_rider_from_settings_to_the_door(app_server, sandbox, browser):
    base, env = app_server
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/delivery")
    expect(page.locator(".carrier-account")).to_have_count(4, timeout=15_000)  # the demo carriers

    page.locator("#rider-add").click()  # empty: refused at the field
    expect(page.get_by_text("请填写骑手姓名")).to_be_visible()
    page.locator("input[name=name]").first.fill("王师傅")
    page.locator("input[name=phone]").first.fill("13900001111")
    page.locator("#rider-add").click()
    rider = page.locator(".own-rider", has_text="王师傅")
    expect(rider).to_be_visible()
    rider.get_by_role("button", name="生成新链接").click()
    link = page.locator("#rider-link")
    expect(link).to_contain_text("/rider?k=")
    url = link.inner_text()

    page.locator(".carrier-account", has_text="达达").get_by_role("button", name="测试连接").click()
    expect(page.locator(".carrier-test").first).to_contain_text("余额", timeout=20_000)
    _shot(page, "phone-delivery-settings")

    truth = _control(
        sandbox,
        "POST",
        "orders",
        json={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "delivery_type": "merchant"},
    )
    page.goto(f"{base}/board")
    card = page.locator(f'#board-list .qh-card[data-platform-order-id="{truth["order_id"]}"]')
    card.get_by_role("button", name="接单").click(timeout=20_000)
    page.locator("#tab-picking").click()
    card.get_by_role("button", name="备货完成").click()
    page.locator("#tab-awaiting_rider").click()
    card.get_by_role("button", name="呼叫骑手").click()
    expect(page.locator("#qh-quotes .qh-quote")).to_have_count(4, timeout=20_000)
    page.locator("#qh-own-riders").scroll_into_view_if_needed()
    _shot(page, "phone-dialog-own-riders")
    page.locator("#qh-own-riders").get_by_role("button", name="王师傅").click()
    expect(card.locator(".qh-r-line")).to_contain_text("王师傅", timeout=15_000)
    expect(card.locator(".qh-r-line")).to_contain_text("已接单")

    rider_page = browser.new_context(viewport=PHONE).new_page()  # no login: the link is enough
    rider_page.goto(url if url.startswith("http") else base + url[url.index("/rider") :])
    ride = rider_page.locator(".rider-ride").first
    for step in ("已到店", "已取货", "已送达"):
        ride.get_by_role("button", name=step).click(timeout=15_000)
        if step == "已到店":
            _shot(rider_page, "phone-rider-page")
    expect(ride.locator(".rt-Badge")).to_contain_text("已送达", timeout=15_000)

    page.locator("#tab-done").click()
    expect(card.locator(".qh-r-line")).to_contain_text("已送达", timeout=20_000)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _logistics_codes(sandbox, truth["order_id"])[-1:] != [40]:
        time.sleep(0.3)
    assert _logistics_codes(sandbox, truth["order_id"]) == [0, 10, 15, 20, 40]
    rows = _control(sandbox, "GET", "writebacks", params={"order_id": truth["order_id"], "api": "logistics_sync"})
    assert {(r["params"]["courier_name"], r["params"]["courier_phone"]) for r in rows} == {("王师傅", "13900001111")}
