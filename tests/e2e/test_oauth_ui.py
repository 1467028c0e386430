"""OAuth 授权 in Chromium on a phone (390×844): 门店与店铺 → 授权 (a new tab) → the test platform's
authorize page → 同意授权 → back on /stores with the success notice and the token's expiry in
Asia/Shanghai time. The test platform (tests/oauth_support.py) is registered in the app and the
worker by tests/e2e/app_plugins; its HTTP side runs here on loopback."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from integrations import registry
from integrations.sandbox.server import ServerThread
from qihang_app.db import make_engine
from qihang_app.models import User
from qihang_app.services import auth, stores
from tests.e2e.conftest import PHONE, login, shot
from tests.oauth_support import CODE, Adapter, PlatformServer, shop_credentials

pytestmark = pytest.mark.e2e

WHEN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture(scope="module")
def platform():
    server = PlatformServer(ask=True, shop_id=f"seller-{secrets.token_hex(4)}")
    with ServerThread(server.app()) as thread:
        server.url = thread.url
        yield server


@pytest.fixture(scope="module")
def shop_name(app_server, platform) -> str:
    _, env = app_server
    name = f"授权测试店-{secrets.token_hex(3)}"
    engine = make_engine(env["DATABASE_URL"])
    registry.register(Adapter())  # the app knows it (app_plugins); this process for the shop form's check
    try:
        with Session(engine) as session:
            admin = auth.actor_for_user(session, session.exec(select(User).where(User.username == "admin")).one())
            store = stores.create_store(session, actor=admin, name=f"电商仓-{secrets.token_hex(3)}")
            stores.create_shop(
                session, actor=admin, store_id=store.id, platform=CODE, platform_shop_id=platform.shop_id, name=name,
                credentials=shop_credentials(platform),
            )  # fmt: skip
            session.commit()
    finally:
        registry.unregister(CODE)
        engine.dispose()
    return name


def test_authorize_a_shop_from_the_stores_page_on_a_phone(app_server, browser, shop_name):
    base, env = app_server
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
        page.goto(f"{base}/stores")
        row = page.locator(".shop-row").filter(has_text=shop_name)
        expect(row.get_by_text("未授权", exact=True)).to_be_visible(timeout=20_000)

        with context.expect_page() as opened:
            row.locator(".shop-authorize").click()
        tab = opened.value
        tab.wait_for_load_state()
        expect(tab.locator("#approve")).to_be_visible(timeout=15_000)  # the platform's own page
        shot(tab, "oauth-platform-authorize-phone")
        tab.locator("#approve").click()

        tab.wait_for_url(re.compile(r".*/stores/?\?oauth=ok.*"), timeout=30_000)
        expect(tab.locator("#oauth-notice")).to_contain_text("授权成功", timeout=20_000)
        back = tab.locator(".shop-row").filter(has_text=shop_name)
        expect(back.locator(".token-access")).to_contain_text(WHEN, timeout=20_000)
        expect(back.locator(".token-access")).to_contain_text("授权到期")
        expect(back.locator(".token-refresh")).to_contain_text(WHEN)
        expect(back.get_by_text("未授权", exact=True)).to_have_count(0)
        expect(back.locator(".shop-authorize")).to_contain_text("重新授权")
        back.scroll_into_view_if_needed()
        shot(tab, "oauth-stores-authorized-phone")
    finally:
        context.close()
