"""呼叫骑手 on a phone against the sandbox: 接单 → 备货完成 → 呼叫骑手 → quotes of every demo carrier
side by side → choose the cheapest → the twin's rider accepts, arrives, picks up and delivers (at
high speed) → the card moves 待配送 → 配送中 → 已完成 with its rider line, and the platform twin
received every rider state in its own codes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from integrations.sandbox.app import DEMO_SHOPS
from tests.e2e.conftest import ARTIFACTS, PHONE, login

pytestmark = pytest.mark.e2e
MEITUAN = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
SHOTS = Path(os.environ.get("QH_SHOTS_DIR") or ARTIFACTS) / "dispatch"


def _control(sandbox: str, method: str, path: str, **kw):
    resp = httpx.request(method, f"{sandbox}/_control/{path}", timeout=10, trust_env=False, **kw)
    resp.raise_for_status()
    return resp.json()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _logistics_codes(sandbox: str, order_id: str) -> list[int]:
    rows = _control(sandbox, "GET", "writebacks", params={"order_id": order_id, "api": "logistics_sync"})
    return [int(r["params"]["logistics_status"]) for r in rows]


def test_call_a_rider_from_the_board_on_a_phone(app_server, sandbox, browser):
    base, env = app_server
    _control(sandbox, "POST", "riders/speed", json={"speed": 60})
    truth = _control(
        sandbox,
        "POST",
        "orders",
        json={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "delivery_type": "merchant"},
    )
    seq = f"#{truth['day_seq']}"
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    card = page.locator("#board-list .qh-card", has_text=seq).filter(has_text="美团")
    expect(card).to_be_visible(timeout=15_000)
    card.get_by_role("button", name="接单").click()
    page.locator("#tab-picking").click()
    card = page.locator("#board-list .qh-card", has_text=seq)
    card.get_by_role("button", name="备货完成").click()
    page.locator("#tab-awaiting_rider").click()
    card = page.locator("#board-list .qh-card", has_text=seq)
    expect(card.get_by_role("button", name="呼叫骑手")).to_be_visible(timeout=15_000)
    _shot(page, "phone-card-call-rider")
    card.get_by_role("button", name="呼叫骑手").click()

    quotes = page.locator("#qh-quotes .qh-quote")
    expect(quotes).to_have_count(4, timeout=20_000)  # every demo carrier, asked at once
    expect(page.locator("#qh-quotes .qh-q-cheap")).to_have_count(1)
    expect(page.locator("#qh-quotes .qh-q-fast")).to_have_count(1)
    _shot(page, "phone-quotes")
    cheapest = page.locator("#qh-quotes .qh-quote", has=page.locator(".qh-q-cheap"))
    carrier = cheapest.get_attribute("data-carrier")
    cheapest.get_by_role("button", name="选这家").click()
    expect(page.locator("#qh-quotes")).to_have_count(0, timeout=20_000)  # the dialog closed

    # the rider line appears on the card and follows the ride (it moves by itself at this speed)
    line = page.locator(f'.qh-card[data-platform-order-id="{truth["order_id"]}"] .qh-r-line')
    expect(line).to_be_visible(timeout=20_000)
    expect(line.locator("a.qh-r-tel")).to_be_visible(timeout=30_000)  # a rider took it: tap to call
    _shot(page, "phone-card-live-rider")
    page.locator("#tab-done").click()
    done = page.locator(f'#board-list .qh-card[data-platform-order-id="{truth["order_id"]}"]')
    expect(done.locator(".qh-r-line")).to_contain_text("已送达", timeout=60_000)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _logistics_codes(sandbox, truth["order_id"])[-1:] != [40]:
        time.sleep(0.3)
    codes = _logistics_codes(sandbox, truth["order_id"])
    assert codes == [0, 10, 15, 20, 40], (carrier, codes)

    # the order drawer: the ride, its fee, and the small map (no tile service)
    order_id = done.get_attribute("data-order-id")
    page.goto(f"{base}/orders?order={order_id}")
    block = page.locator("#detail-delivery")
    expect(block).to_contain_text("已送达", timeout=15_000)
    expect(block.locator("svg [data-point=store]")).to_have_count(1)
    expect(block.locator("svg [data-point=customer]")).to_have_count(1)
    # the rider's dot: carriers that send positions with each callback always have one; 达达 and
    # 美团跑腿 only through the minute status poll, which a ride this fast may finish before
    riders = block.locator("svg [data-point=rider]").count()
    assert riders == 1 if carrier not in ("dada", "meituan_paotui") else riders in (0, 1), (carrier, riders)
    _shot(page, "phone-order-drawer-delivery")
    page.close()
