"""The 店员 and the admin in Chromium, phone (390×844) and desk (1440×900): the left menu, /roles,
/audit, /reports (with the delivery cost tables) and 商品 / 店铺商品, where a 店员 sees no action
button and the admin sees them all. Screenshots go to test-artifacts (or QH_SHOTS_DIR)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.domain.stock import Delta
from qihang_app.models import Delivery, Shop, User, utcnow
from qihang_app.services import auth, catalog, users
from qihang_app.services.stock_levels import change_level, ensure_level, store_location
from tests.e2e.conftest import ARTIFACTS, PHONE, login
from tests.services.factories import platform_order

pytestmark = pytest.mark.e2e
WIDE = {"width": 1440, "height": 900}
SIZES = {"phone": PHONE, "desk": WIDE}


def _shot(page, name: str) -> Path:
    folder = Path(os.environ.get("QH_SHOTS_DIR") or ARTIFACTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)
    path = folder / f"g1315-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="module")
def people(app_server):
    """A 店员 of the first store, and a few rides so the delivery cost tables have rows."""
    _, env = app_server
    engine = make_engine(env["DATABASE_URL"])
    name, password = f"clerk{secrets.token_hex(3)}", "clerk-pass-1"
    with session_scope(engine) as session:
        admin = auth.actor_for_user(session, session.exec(select(User).where(User.username == "admin")).one())
        shop = session.exec(select(Shop).order_by(Shop.id)).first()
        users.create_user(session, actor=admin, username=name, password=password, display_name="小店员",
                          role="staff", store_ids=[shop.store_id])  # fmt: skip
        code = f"G{secrets.token_hex(3).upper()}"
        product = catalog.save_product(session, actor=admin, product_id=None, code=code, name="屏幕测试苹果",
                                       skus=[{"sku_code": code + "-1", "color": "红富士"}])  # fmt: skip
        shelf = store_location(session, shop.store_id)
        ensure_level(session, shelf, product.skus[0].id)
        change_level(session, shelf, product.skus[0].id, Delta(on_hand=12))
        order = platform_order(session, shop_id=shop.id, store_id=shop.store_id, platform=shop.platform,
                               no=f"G1315-{secrets.token_hex(4)}", status="completed")  # fmt: skip
        if order is not None:
            for i, carrier in enumerate(("own", "own", "platform")):
                session.add(Delivery(order_id=order.id, store_id=order.store_id, carrier=carrier,
                                     order_ref=f"g1315-{secrets.token_hex(4)}", status="delivered", fee_fen=450 + i,
                                     tip_fen=100 * i, created_at=utcnow() - timedelta(minutes=5 + i)))  # fmt: skip
    return {"admin": ("admin", env["E2E_ADMIN_PASSWORD"]), "clerk": (name, password), "product": code}


def _page(browser, base: str, who: tuple[str, str], size: dict):
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    login(page, base, *who)
    return context, page


@pytest.mark.parametrize("size", sorted(SIZES))
def test_menu_and_admin_pages_for_clerk_and_admin(app_server, browser, people, size):
    base, _ = app_server
    for role in ("admin", "clerk"):
        context, page = _page(browser, base, people[role], SIZES[size])
        try:
            if size == "phone":
                page.locator("#nav-menu").click()
            _shot(page, f"{role}-{size}-menu")
            logout = page.get_by_text("退出登录", exact=True).last
            logout.scroll_into_view_if_needed()
            expect(logout).to_be_in_viewport()  # the end of a long menu is reachable on a phone too
            if size == "phone":
                page.keyboard.press("Escape")
            for path in ("roles", "audit", "reports"):
                page.goto(f"{base}/{path}")
                page.wait_for_load_state("networkidle")
                _shot(page, f"{role}-{size}-{path}")
            if role == "clerk":  # typed the address of a page the role lacks: a calm panel, no buttons
                for path in ("roles", "audit", "reports"):
                    page.goto(f"{base}/{path}")
                    expect(page.locator(".no-access")).to_be_visible(timeout=20_000)
                    expect(page.locator("#role-add")).to_have_count(0)
            if role == "admin":
                page.goto(f"{base}/reports")
                expect(page.get_by_text("配送成本（按运力）", exact=True)).to_be_visible(timeout=20_000)
        finally:
            context.close()


def test_product_buttons_follow_the_permissions(app_server, browser, people):
    base, _ = app_server
    for role, sees in (("admin", True), ("clerk", False)):
        context, page = _page(browser, base, people[role], WIDE)
        try:
            page.goto(f"{base}/products?q={people['product']}")
            page.wait_for_load_state("networkidle")
            page.locator("input[name=q]").first.fill(people["product"])
            page.keyboard.press("Enter")
            row = page.locator("tr", has_text=people["product"])
            expect(row.locator(".product-stock")).to_have_text("12", timeout=20_000)  # 可用库存 of the store
            for button in ("#product-new", "#import-open"):
                expect(page.locator(button)).to_have_count(1 if sees else 0, timeout=10_000)
            expect(row.locator(".product-edit")).to_have_count(1 if sees else 0)
            _shot(page, f"{role}-desk-products")
            if role == "admin":
                page.goto(f"{base}/shop-products")
                page.wait_for_load_state("networkidle")
                _shot(page, f"{role}-desk-shop-products")
        finally:
            context.close()
