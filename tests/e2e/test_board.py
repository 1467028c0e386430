"""The dispatch board in Chromium against the sandbox: a pushed order appears without reload,
接单 and 备货完成 reach the platform, a platform cancel moves the card to 异常, and another
store's clerk never sees it."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from integrations.sandbox.app import DEMO_SHOPS
from qihang_app.db import make_engine, session_scope
from qihang_app.models import Store, User
from qihang_app.services import auth, users
from tests.e2e.conftest import DESK, PHONE, login, shot

pytestmark = pytest.mark.e2e
MEITUAN = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
DOUYIN = next(s for s in DEMO_SHOPS if s["platform"] == "douyin_laike")


def _control(sandbox: str, method: str, path: str, **kw):
    resp = httpx.request(method, f"{sandbox}/_control/{path}", timeout=10, **kw)
    resp.raise_for_status()
    return resp.json()


def _wait_writeback(sandbox: str, order_id: str, api: str, seconds: float = 20) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = _control(sandbox, "GET", "writebacks", params={"order_id": order_id, "api": api})
        if rows:
            return rows[0]
        time.sleep(0.3)
    raise AssertionError(f"the platform never received {api} for {order_id}")


def _new_meituan_order(sandbox: str, **extra) -> dict:
    return _control(
        sandbox,
        "POST",
        "orders",
        json={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "delivery_type": "platform", **extra},
    )


def test_pushed_order_rings_accept_pick_and_platform_cancel(app_server, sandbox, browser):
    base, env = app_server
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    expect(page.locator("#board-list").get_by_text("暂无新订单")).to_be_visible()
    shot(page, "phone-board-empty")

    truth = _new_meituan_order(sandbox)
    seq = f"#{truth['day_seq']}"
    card = page.locator("#board-list .qh-card", has_text=seq).filter(has_text="美团")
    expect(card).to_be_visible(timeout=15_000)  # arrived without a reload
    expect(page.locator("#tab-count-new")).to_have_text("1")
    shot(page, "phone-board-ringing")

    card.get_by_role("button", name="接单").click()
    confirm = _wait_writeback(sandbox, truth["order_id"], "confirm")
    assert confirm["order_id"] == truth["order_id"]
    page.locator("#tab-picking").click()
    picking = page.locator("#board-list .qh-card", has_text=seq)
    expect(picking.get_by_role("button", name="备货完成")).to_be_visible(timeout=15_000)
    picking.get_by_role("button", name="备货完成").click()
    _wait_writeback(sandbox, truth["order_id"], "prepared")

    # the buyer cancels on the platform after the store has packed it → 异常
    _control(
        sandbox,
        "POST",
        f"orders/meituan/{truth['order_id']}/cancel",
        json={"by": "user", "reason_code": "1001", "reason": "不想要了"},
    )
    page.locator("#tab-exception").click()
    expect(page.locator("#board-list .qh-card", has_text=seq)).to_be_visible(timeout=15_000)
    shot(page, "phone-board-exception")
    page.close()


def test_desk_board_and_store_scope(app_server, sandbox, browser):
    base, env = app_server
    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        actor = auth.actor_for_user(session, admin)
        douyin_store = session.exec(select(Store).where(Store.name.contains("徐汇"))).one()
        users.create_user(
            session,
            actor=actor,
            username="xuhui",
            password="xuhui-pass-123",
            display_name="徐汇店员",
            role="staff",
            store_ids=[douyin_store.id],
        )

    # a busy desk board: several orders on both shops
    made = [_new_meituan_order(sandbox) for _ in range(4)]
    made += [
        _control(sandbox, "POST", "orders", json={"platform": "douyin_laike", "shop_id": DOUYIN["shop_id"]})
        for _ in range(2)
    ]
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    expect(page.locator("#column-new .qh-card")).to_have_count(len(made), timeout=20_000)
    shot(page, "desk-board-busy")
    page.close()

    # the 徐汇 clerk sees the Douyin orders only
    page = browser.new_page(viewport=DESK)
    login(page, base, "xuhui", "xuhui-pass-123")
    expect(page.locator("#column-new .qh-card")).to_have_count(2, timeout=15_000)
    for truth in made[:4]:
        expect(
            page.locator("#column-new .qh-card", has_text=f"#{truth['day_seq']}").filter(has_text="美团")
        ).to_have_count(0)
    # and a new Meituan order never reaches this board
    late = _new_meituan_order(sandbox)
    page.wait_for_timeout(2500)
    expect(page.locator("#column-new .qh-card").filter(has_text="美团")).to_have_count(0)
    assert late["order_id"]
    page.close()


def test_crowded_column_caps_cards_and_layout_follows_the_window(app_server, sandbox, browser):
    """A desk column shows its newest 20 cards and 显示更多 brings the rest; a phone is sent the
    cards of the tab it shows only, and resizing across the breakpoint swaps the layout."""
    base, env = app_server
    for _ in range(22):
        _new_meituan_order(sandbox)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    count = page.locator("#column-count-new")
    expect(count).not_to_have_text("0", timeout=20_000)
    page.wait_for_function("() => +document.getElementById('column-count-new').textContent >= 22", timeout=20_000)
    total = int(count.text_content())
    cards = page.locator("#column-new .qh-card")
    expect(cards).to_have_count(20, timeout=15_000)
    more = page.locator("#column-new .qh-more")
    expect(more).to_contain_text(f"({total - 20})")
    more.click()
    expect(cards).to_have_count(total, timeout=15_000)
    expect(more).to_have_count(0)

    page.set_viewport_size(PHONE)  # the window narrows: one tab, its cards only
    expect(page.locator("#board-list")).to_be_visible(timeout=10_000)
    expect(page.locator("#column-new")).to_have_count(0)
    expect(page.locator("#board-list .qh-card")).to_have_count(min(total, 30), timeout=10_000)
    assert page.locator(".qh-card").count() == page.locator("#board-list .qh-card").count()
    shot(page, "phone-board-crowded", full_page=False)  # what the clerk sees: the top of a long tab
    page.get_by_role("button", name="English").click()  # the English switch reaches the cards too
    expect(page.locator("#tab-new")).to_contain_text("New")
    expect(page.locator("#board-list .qh-card").first.get_by_role("button", name="Accept")).to_be_visible()
    shot(page, "phone-board-english", full_page=False)
    page.get_by_role("button", name="中文").click()
    expect(page.locator("#tab-new")).to_contain_text("新订单")
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(page.locator("#column-new .qh-card")).to_have_count(20, timeout=10_000)
    page.close()


def test_refund_request_lands_in_exception_and_is_acknowledged(app_server, sandbox, browser):
    """A buyer asks for a refund of one item after the store accepted: the card goes to 异常 with
    the request in words, and 知道了 takes it out again."""
    base, env = app_server
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    truth = _new_meituan_order(sandbox)
    seq = f"#{truth['day_seq']}"
    card = page.locator("#board-list .qh-card", has_text=seq).filter(has_text="美团")
    expect(card).to_be_visible(timeout=15_000)
    card.get_by_role("button", name="接单").click()
    _wait_writeback(sandbox, truth["order_id"], "confirm")

    _control(
        sandbox, "POST", f"orders/meituan/{truth['order_id']}/refund", json={"amount_fen": 100, "reason": "少送一瓶水"}
    )
    page.locator("#tab-exception").click()
    flagged = page.locator("#board-list .qh-card", has_text=seq).filter(has_text="顾客申请退款 ¥1.00")
    expect(flagged).to_be_visible(timeout=15_000)
    expect(flagged).to_contain_text("少送一瓶水")
    shot(page, "phone-board-refund-request", full_page=False)
    flagged.get_by_role("button", name="知道了").click()
    # back to work: out of 异常 (the sandbox's rider may already have taken it on)
    expect(page.locator("#board-list .qh-card", has_text=seq).filter(has_text="美团")).to_have_count(0, timeout=10_000)
    page.close()
