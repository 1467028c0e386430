"""Ingestion in the real app, in Chromium: 手工建单 on 订单, 数据接收 with replay, and a manual
pull from 门店与店铺 whose progress shows on the shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.models import InboxMessage, PullLog, Shop, Store, User
from qihang_app.services import auth, stores
from qihang_app.services.inbox import RawMessage, store_raw
from tests.e2e.conftest import DESK, PHONE, login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def engine(app_server):
    _, env = app_server
    return make_engine(env["DATABASE_URL"])


@pytest.fixture(scope="module")
def shop(engine):
    """A store with a Meituan shop whose API is unreachable (pulls fail, visibly)."""
    with session_scope(engine) as session:
        admin = auth.actor_for_user(session, session.exec(select(User).where(User.username == "admin")).one())
        store = session.exec(select(Store).where(Store.name == "收件测试店")).first()
        if store is None:
            store = stores.create_store(session, actor=admin, name="收件测试店", address="上海市黄浦区")
        view = stores.create_shop(
            session,
            actor=admin,
            store_id=store.id,
            platform="meituan",
            platform_shop_id="e2e-ingest-poi",
            name="美团·收件测试",
            credentials={"app_key": "9009", "app_secret": "x", "base_url": "http://127.0.0.1:9/"},
        )
        return {"store_id": store.id, "store": store.name, "shop_id": view.id}


def test_manual_order_dialog_creates_an_order(app_server, browser, shop):
    base, env = app_server
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?store={shop['store_id']}")
    page.locator("#manual-order").click()
    page.locator("#manual-receiver").fill("赵六")
    page.locator("#manual-phone").fill("13900001111")
    page.locator("#manual-address").fill("上海市黄浦区南京东路 100 号")
    page.locator(".manual-line-name input").first.fill("手工苹果")
    page.locator(".manual-line-qty input").first.fill("3")
    page.locator(".manual-line-price input").first.fill("4.50")
    page.locator("#manual-add-line").click()
    page.locator(".manual-line-name input").nth(1).fill("手工香蕉")
    page.locator(".manual-line-price input").nth(1).fill("2")
    shot(page, "desk-manual-order-dialog")
    page.locator("#manual-save").click()
    drawer = page.locator("#order-detail")
    expect(drawer).to_contain_text("手工苹果")
    expect(drawer).to_contain_text("¥15.50")  # 3 × 4.50 + 2.00
    page.locator("#detail-close").click()
    expect(page.locator(".order-row", has_text="手工苹果")).to_be_visible()
    page.close()


def test_inbox_lists_failed_rows_and_replays_them(app_server, browser, engine, shop):
    base, env = app_server
    with session_scope(engine) as session:
        [row_id] = store_raw(
            session,
            [
                RawMessage(
                    source="meituan",
                    kind="order_paid",
                    body="order_id=E2E-BROKEN&app_poi_code=e2e-ingest-poi",
                    shop_id=shop["shop_id"],
                    headers={"verified": True},
                    status="failed",
                    error="ValueError: Meituan order without ctime",
                )
            ],
        )
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/inbox")
    row = page.locator(".inbox-row", has_text="Meituan order without ctime")
    expect(row).to_be_visible()
    expect(row).to_contain_text("美团·收件测试")
    expect(row).to_contain_text("order_id=E2E-BROKEN")
    shot(page, "desk-inbox")
    row.locator(".inbox-replay").click()
    expect(page.get_by_text("已重放 1 条")).to_be_visible()
    with session_scope(engine) as session:  # back in the queue (the worker may already be at it)
        status = session.get(InboxMessage, row_id).status
    assert status in ("received", "failed", "processed")
    page.close()

    phone = browser.new_page(viewport=PHONE)
    login(phone, base, "admin", env["E2E_ADMIN_PASSWORD"])
    phone.goto(f"{base}/inbox")
    # the page heading and the phone's top bar both say it: either will do (strict mode wants one)
    expect(phone.get_by_role("heading", name="数据接收").first).to_be_visible()
    shot(phone, "phone-inbox")
    phone.close()


def test_manual_pull_shows_its_progress_on_the_shop(app_server, browser, engine, shop):
    base, env = app_server
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/stores")
    shop_row = page.locator(".shop-row", has_text="美团·收件测试")
    shop_row.locator(".shop-pull").click()
    page.locator("#pull-start").click()
    log_line = shop_row.locator(".pull-log", has_text="手动拉单").first  # sweeps log here too
    expect(log_line).to_be_visible()
    # the worker picks it up within seconds; the platform is unreachable here, so it fails
    expect(log_line).to_contain_text("失败", timeout=60_000)
    shot(page, "desk-stores-pull-log")
    with session_scope(engine) as session:
        logs = session.exec(select(PullLog).where(PullLog.shop_id == shop["shop_id"], PullLog.kind == "manual")).all()
        assert [log.status for log in logs] == ["failed"] and logs[0].error
        assert session.get(Shop, shop["shop_id"]).last_sweep_cursor_at is None
    page.close()
