"""A day at the counter, in Chromium at phone (390×844) and desk (1440×900) sizes: cancelled and
rejected orders are marked and spoken, 预订单 are marked, all seven columns are reachable on a
1440 px desk, the phone's mute switch shows its state, the phone has a 拣货单, search looks in
every tab, 尾号 search finds a privacy number by either tail after 接单, and an order nobody
accepted is marked 超时未接单 until the platform cancels it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app import live
from qihang_app.db import make_engine, session_scope
from qihang_app.domain.board import TAB_ORDER
from qihang_app.models import Order, utcnow
from tests.e2e.conftest import PHONE, login, shot
from tests.e2e.test_board import MEITUAN, _control, _new_meituan_order, _wait_writeback

pytestmark = pytest.mark.e2e
DESK = {"width": 1440, "height": 900}  # a store's desk screen: not all seven columns fit


def _page(browser, base, env, viewport):
    page = browser.new_page(viewport=viewport)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    return page


def _phone_card(page, tab: str, seq: str, phone: str = ""):
    """The card of that day number; with the buyer's phone too, since other files' orders may
    carry the same number (the e2e session shares one database)."""
    page.locator(f"#tab-{tab}").click()
    card = page.locator("#board-list .qh-card", has_text=seq).filter(has_text="美团")
    return card.filter(has_text=phone) if phone else card


def _desk_card(page, tab: str, seq: str):
    return page.locator(f"#column-{tab} .qh-card", has_text=seq).filter(has_text="美团")


def _order_row(env, platform_order_id: str) -> Order:
    engine = make_engine(env["DATABASE_URL"])
    deadline = time.monotonic() + 15
    while True:
        with session_scope(engine) as session:
            row = session.exec(select(Order).where(Order.platform_order_id == platform_order_id)).first()
            if row is not None or time.monotonic() > deadline:
                return row
        time.sleep(0.3)


def test_cancelled_and_rejected_orders_are_marked_without_a_countdown(app_server, sandbox, browser):
    base, env = app_server
    cancelled, rejected = _new_meituan_order(sandbox), _new_meituan_order(sandbox)
    gone, refused = _order_row(env, cancelled["order_id"]), _order_row(env, rejected["order_id"])
    assert gone and refused  # ingested
    page = _page(browser, base, env, PHONE)
    expect(_phone_card(page, "new", f"#{rejected['day_seq']}")).to_be_visible(timeout=15_000)
    # the buyer cancels before anyone accepted
    _control(
        sandbox,
        "POST",
        f"orders/meituan/{cancelled['order_id']}/cancel",
        json={"by": "user", "reason_code": "1001", "reason": "不想要了"},
    )
    # the store rejects the other one: 更多 → 拒单 → 商品已售完
    card = _phone_card(page, "new", f"#{rejected['day_seq']}")
    card.locator(".qh-c-more").click()
    page.get_by_role("menuitem", name="拒单 / 取消").click()
    page.get_by_role("button", name="商品已售完").click()
    _wait_writeback(sandbox, rejected["order_id"], "cancel")

    done = _phone_card(page, "done", f"#{cancelled['day_seq']}", gone.receiver_phone)
    expect(done.locator(".qh-c-mark")).to_have_text("已取消", timeout=15_000)
    expect(done.locator(".qh-c-end")).to_contain_text("顾客取消：不想要了")
    expect(done.locator(".qh-countdown")).to_have_count(0)  # nothing is due any more
    no = _phone_card(page, "done", f"#{rejected['day_seq']}", refused.receiver_phone)
    expect(no.locator(".qh-c-mark")).to_have_text("已拒单", timeout=15_000)
    expect(no.locator(".qh-c-end")).to_contain_text("商品已售完")
    expect(no.locator(".qh-countdown")).to_have_count(0)
    no.scroll_into_view_if_needed()
    shot(page, "phone-board-cancelled-marked", full_page=False)
    page.close()

    page = _page(browser, base, env, DESK)
    page.locator("#nav-done").click()
    desk = _desk_card(page, "done", f"#{cancelled['day_seq']}")
    expect(desk.locator(".qh-c-mark")).to_have_text("已取消", timeout=15_000)
    expect(desk.locator(".qh-countdown")).to_have_count(0)
    expect(_desk_card(page, "done", f"#{rejected['day_seq']}").locator(".qh-c-mark")).to_have_text("已拒单")
    shot(page, "desk-board-cancelled-marked", full_page=False)
    page.close()


def test_cancel_and_refund_request_after_accept_are_spoken(app_server, sandbox, browser):
    base, env = app_server
    page = _page(browser, base, env, PHONE)
    page.locator("#board-search").click()  # the browser allows sound after one tap (login was one too)
    expect(page.locator("#qh-sound-banner")).to_be_hidden(timeout=5_000)
    one, two = _new_meituan_order(sandbox), _new_meituan_order(sandbox)
    for truth in (one, two):
        card = _phone_card(page, "new", f"#{truth['day_seq']}")
        card.get_by_role("button", name="接单").click()
        _wait_writeback(sandbox, truth["order_id"], "confirm")
    _control(
        sandbox,
        "POST",
        f"orders/meituan/{one['order_id']}/cancel",
        json={"by": "user", "reason_code": "1001", "reason": "买错了"},
    )
    page.wait_for_function("() => window.__qhPlayed.includes('/sounds/order-cancelled.mp3')", timeout=20_000)
    _control(
        sandbox, "POST", f"orders/meituan/{two['order_id']}/refund", json={"amount_fen": 200, "reason": "少送一瓶水"}
    )
    page.wait_for_function("() => window.__qhPlayed.includes('/sounds/refund-requested.mp3')", timeout=20_000)
    flagged = _phone_card(page, "exception", f"#{one['day_seq']}")
    expect(flagged.locator(".qh-c-mark")).to_have_text("已取消")
    expect(flagged.locator(".qh-countdown")).to_have_count(0)
    # said once each, not on every update
    page.wait_for_timeout(2500)
    played = page.evaluate("() => window.__qhPlayed")
    assert played.count("/sounds/order-cancelled.mp3") == 1 and played.count("/sounds/refund-requested.mp3") == 1
    page.close()


def test_scheduled_cards_are_marked_and_every_desk_column_is_reachable(app_server, sandbox, browser):
    base, env = app_server
    booked = _new_meituan_order(sandbox, scheduled=True)
    seq = f"#{booked['day_seq']}"
    page = _page(browser, base, env, DESK)
    card = _desk_card(page, "new", seq)
    expect(card.locator(".qh-c-sched-tag")).to_have_text("预订单", timeout=15_000)
    expect(card.locator(".qh-c-sched-at")).to_contain_text(":")  # the booked time
    # all seven names are on screen at once, and each column can be brought into view
    for tab in TAB_ORDER:
        expect(page.locator(f"#nav-{tab.value}")).to_be_in_viewport()
    expect(page.locator("#column-done .qh-col-head")).not_to_be_in_viewport()  # 1440 px hold about five
    expect(page.locator("#columns-right")).to_be_visible()  # …and say so
    shot(page, "desk-1440-board-start", full_page=False)
    for tab in reversed(TAB_ORDER):
        page.locator(f"#nav-{tab.value}").click()
        expect(page.locator(f"#column-{tab.value} .qh-col-head")).to_be_in_viewport(ratio=1, timeout=5_000)
    page.locator("#nav-scheduled").click()
    expect(page.locator("#column-scheduled .qh-col-head")).to_be_in_viewport(ratio=1)
    shot(page, "desk-1440-board-scrolled", full_page=False)
    page.close()

    page = _page(browser, base, env, PHONE)
    phone = _phone_card(page, "new", seq)
    expect(phone.locator(".qh-c-sched-tag")).to_have_text("预订单", timeout=15_000)
    phone.scroll_into_view_if_needed()
    shot(page, "phone-board-scheduled", full_page=False)
    page.close()


def test_phone_mute_state_pick_list_and_search_in_every_tab(app_server, sandbox, browser):
    base, env = app_server
    page = _page(browser, base, env, PHONE)
    mute = page.locator("#mute-toggle")
    expect(mute).to_have_attribute("aria-pressed", "false", timeout=5_000)
    on_bg = mute.evaluate("el => getComputedStyle(el).backgroundColor")
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    assert "已静音" in mute.inner_text()
    assert mute.evaluate("el => getComputedStyle(el).backgroundColor") != on_bg
    shot(page, "phone-board-muted", full_page=False)
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "false")
    assert "已静音" not in mute.inner_text()  # what is on screen, not the hidden label

    # one order the store delivers itself (it stays in 备货中), one the platform's rider takes
    # away (it ends up in 配送中)
    own = _new_meituan_order(sandbox, delivery_type="merchant", scheduled=False)  # not booked: 备货中, not 预订单
    truth = _new_meituan_order(sandbox, scheduled=False)
    seq = f"#{truth['day_seq']}"
    for made in (own, truth):
        _phone_card(page, "new", f"#{made['day_seq']}").get_by_role("button", name="接单").click()
        _wait_writeback(sandbox, made["order_id"], "confirm")
    expect(_phone_card(page, "picking", f"#{own['day_seq']}")).to_be_visible(timeout=15_000)
    link = page.locator("#phone-picklist")
    expect(link).to_be_visible()
    page.context.add_init_script("window.print = function () {}")
    with page.context.expect_page() as popup:
        link.click()
    sheet = popup.value
    expect(sheet.locator("#picklist")).to_contain_text(f"美团闪购 #{own['day_seq']}", timeout=15_000)
    expect(sheet.locator("#picklist .pick-store").first).to_contain_text("启航便利店")
    shot(sheet, "phone-picklist")
    sheet.close()

    phone_tail, extension = truth["receiver_phone"].split("_")[0][-4:], truth["receiver_phone"].split("_")[1]
    deadline = time.monotonic() + 40
    while _control(sandbox, "GET", f"orders/meituan/{truth['order_id']}")["stage"] != "delivering":
        assert time.monotonic() < deadline, "the platform's rider never set off"
        time.sleep(0.5)
    expect(page.locator("#tab-count-delivering")).not_to_have_text("0", timeout=15_000)
    page.locator("#tab-picking").click()
    page.locator("#board-search").fill(seq)
    page.locator("#board-search").press("Enter")
    summary = page.locator("#search-summary")
    expect(summary).to_contain_text("配送中 1", timeout=10_000)
    expect(page.locator("#board-list .qh-card", has_text=seq)).to_be_visible()  # switched to where it is
    shot(page, "phone-search-other-tab", full_page=False)
    for tail in (extension, phone_tail):  # 尾号: the privacy extension, then the number's own tail
        page.locator("#board-search").fill(tail)
        page.locator("#board-search").press("Enter")
        expect(page.locator("#board-list .qh-card", has_text=seq)).to_be_visible(timeout=10_000)
    page.close()


def test_overdue_new_order_is_marked_until_the_platform_cancels_it(app_server, sandbox, browser):
    base, env = app_server
    truth = _new_meituan_order(sandbox)
    seq = f"#{truth['day_seq']}"
    order = _order_row(env, truth["order_id"])
    assert order is not None
    # its accept deadline passes (the platform gives five minutes)
    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as session:
        row = session.get(Order, order.id)
        row.accept_deadline_at = utcnow() - timedelta(seconds=30)
        session.add(row)
    redis.Redis.from_url(env["REDIS_URL"]).publish(
        live.channel(order.store_id),
        live.note(order_id=order.id, store_id=order.store_id, status="awaiting_accept", kind="test"),
    )
    for viewport, where in ((PHONE, "phone"), (DESK, "desk")):
        page = _page(browser, base, env, viewport)
        card = _phone_card(page, "new", seq) if where == "phone" else _desk_card(page, "new", seq)
        expect(card.locator(".qh-c-overdue")).to_be_visible(timeout=15_000)
        expect(card.locator(".qh-c-overdue")).to_contain_text("超时未接单")
        card.scroll_into_view_if_needed()
        shot(page, f"{where}-board-overdue", full_page=False)
        page.close()

    # the platform cancels what nobody accepted in time (sandbox time sped up: 5 min → 3 s)
    _control(sandbox, "POST", "timing", json={"time_scale": 0.01})
    try:
        late = _new_meituan_order(sandbox)
        page = _page(browser, base, env, PHONE)
        done = _phone_card(page, "done", f"#{late['day_seq']}")
        expect(done.locator(".qh-c-mark")).to_have_text("已取消", timeout=20_000)
        expect(done.locator(".qh-c-end")).to_contain_text("平台系统取消：商家超时未接单")
        shot(page, "phone-board-timeout-cancelled", full_page=False)
        page.close()
    finally:
        _control(sandbox, "POST", "timing", json={"time_scale": 1})


def test_pickup_ticket_has_no_delivery_time_or_address(app_server, sandbox, browser):
    base, env = app_server
    truth = _control(
        sandbox,
        "POST",
        "orders",
        json={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "delivery_type": "pickup"},
    )
    order = _order_row(env, truth["order_id"])
    assert order is not None and order.delivery_type == "pickup"
    for viewport, where in ((PHONE, "phone"), (DESK, "desk")):
        page = browser.new_page(viewport=viewport)
        page.add_init_script("window.print = function () {}")
        login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
        page.goto(f"{base}/print?id={order.id}&w=58")
        ticket = page.locator("#ticket")
        expect(page.locator("#ticket-kind")).to_have_text("到店自取", timeout=15_000)
        expect(ticket).not_to_contain_text("送达")
        expect(page.locator("#ticket-address")).to_have_count(0)
        shot(page, f"{where}-ticket-pickup")
        page.close()
