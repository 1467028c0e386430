"""The real app in Chromium: login, stores and shops, an order from the service layer, its
drawer, language switch, reload keeps the session, and a staff user never sees another store."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.models import Store, User
from qihang_app.services import auth, orders, users
from tests.e2e.conftest import DESK, PHONE, login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def engine(app_server):
    _, env = app_server
    return make_engine(env["DATABASE_URL"])


def _admin_actor(session):
    admin = session.exec(select(User).where(User.username == "admin")).one()
    return auth.actor_for_user(session, admin)


def test_admin_creates_store_and_shop_and_sees_an_order(app_server, browser, engine):
    base, env = app_server
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders")
    expect(
        page.locator(".order-row").first.or_(page.get_by_text("暂无订单"))
    ).to_be_visible()  # test_board ran first and left orders

    # a store
    page.goto(f"{base}/stores")
    page.locator("#store-add").click()
    page.locator("#store-name").fill("愚园路店")
    page.locator("#store-address").fill("上海市静安区南京西路 1266 号 3 楼 302 室")
    page.locator("#store-save").click()
    card = page.locator(".store-card", has_text="愚园路店")
    expect(card).to_be_visible()

    # a Meituan shop bound to it, secret stored encrypted
    card.locator(".shop-add").click()
    page.locator("#shop-name").fill("美团·愚园路店")
    page.locator("#shop-platform-id").fill("mt-poi-1001")
    page.locator("#shop-app-key").fill("1234")
    page.locator("#shop-app-secret").fill("s3cret-value")
    page.locator("#shop-save").click()
    expect(card.locator(".shop-row", has_text="美团·愚园路店")).to_be_visible()
    shot(page, "desk-stores")

    # an order inserted through the service layer shows up in the list
    with session_scope(engine) as session:
        store = session.exec(select(Store).where(Store.name == "愚园路店")).one()
        orders.create_manual_order(
            session,
            actor=_admin_actor(session),
            store_id=store.id,
            receiver_name="王小明",
            receiver_phone="13812347351",  # a tail no other file uses: the search finds this order only
            receiver_address="上海市静安区愚园路 88 弄 5 号 1201 室",
            lines=[
                {
                    "name": "有机香蕉",
                    "spec": "500g",
                    "quantity": 2,
                    "unit_price_fen": 1290,
                    "outer_sku_code": "BAN-500",
                },
                {"name": "纯牛奶", "spec": "250ml×12", "quantity": 1, "unit_price_fen": 5990},
            ],
            buyer_memo="请放门口，勿按门铃",
            freight_fen=500,
            discount_fen=300,
        )
    page.goto(f"{base}/orders")
    row = page.locator(".order-row").first
    expect(row).to_contain_text("有机香蕉")
    expect(row).to_contain_text("¥87.70")  # 2×12.90 + 59.90 − 3.00 + 5.00
    row.click()
    drawer = page.locator("#order-detail")
    expect(drawer).to_contain_text("纯牛奶")
    expect(drawer).to_contain_text("请放门口，勿按门铃")
    expect(drawer).to_contain_text("1201 室")
    shot(page, "desk-order-drawer")
    page.locator("#detail-close").click()

    # search by phone tail keeps the filter in the URL
    page.locator("#order-search").fill("7351")
    page.locator("#order-search").press("Enter")
    expect(page).to_have_url(re.compile(r"q=7351"))
    expect(page.locator(".order-row")).to_have_count(1)

    # reload keeps the session; the language switch turns the UI English
    page.reload()
    expect(page.locator(".order-row")).to_have_count(1)
    page.locator("#lang-switch").click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    page.locator("#lang-switch").click()
    expect(page.get_by_role("heading", name="订单")).to_be_visible()
    page.close()


def test_phone_layout_and_store_scope(app_server, browser, engine):
    base, env = app_server
    with session_scope(engine) as session:
        admin = _admin_actor(session)
        other = Store(name="衡山路店", address="上海市徐汇区")
        session.add(other)
        session.flush()
        users.create_user(
            session,
            actor=admin,
            username="clerk",
            password="clerk-pass-123",
            display_name="小李",
            role="staff",
            store_ids=[other.id],
        )

    # admin on a phone: cards, not the table
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders")
    expect(page.locator(".order-card").first).to_be_visible()
    assert page.locator(".order-row").first.is_hidden()
    page.locator(".order-card").first.click()
    expect(page.locator("#order-detail")).to_contain_text("有机香蕉")
    shot(page, "phone-order-drawer")
    page.locator("#detail-close").click()
    page.locator("#nav-menu").click()
    shot(page, "phone-menu")
    page.close()

    # a staff user of 衡山路店 sees neither 愚园路店's order nor the store
    page = browser.new_page(viewport=PHONE)
    login(page, base, "clerk", "clerk-pass-123")
    page.goto(f"{base}/orders")
    expect(page.get_by_text("暂无订单")).to_be_visible()
    page.goto(f"{base}/stores")
    expect(page.locator(".store-card", has_text="衡山路店")).to_be_visible()
    expect(page.locator(".store-card", has_text="愚园路店")).to_have_count(0)
    shot(page, "phone-stores-staff")
    # logging out ends the session
    page.locator("#nav-menu").click()
    page.get_by_text("退出登录").last.click()
    page.wait_for_url(f"{base}/login")
    page.goto(f"{base}/orders")
    page.wait_for_url(f"{base}/login")
    page.close()


def test_wrong_password_is_refused(app_server, browser):
    base, _ = app_server
    page = browser.new_page(viewport=DESK)
    page.goto(f"{base}/login")
    page.locator("#username").fill("admin")
    page.locator("#password").fill("not-the-password")
    page.locator("#login-submit").click()
    expect(page.locator("#login-error")).to_contain_text("用户名或密码错误")
    shot(page, "desk-login-error")
    page.close()
