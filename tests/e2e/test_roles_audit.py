"""Roles and the audit trail in Chromium: a role without 接单 sees no accept button, and a button
forced visible is refused by the handler (and the API refuses the same user); the role editor on
phone and desk (create, edit and save again, a role in use refused); the audit page and the order
drawer's 操作记录."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from integrations.sandbox.app import DEMO_SHOPS
from qihang_app.db import make_engine, session_scope
from qihang_app.models import AuditEntry, Order, Shop, User
from qihang_app.services import auth, dispatch, roles, users
from tests.e2e.conftest import ARTIFACTS, PHONE, login

pytestmark = pytest.mark.e2e
MEITUAN = next(s for s in DEMO_SHOPS if s["platform"] == "meituan")
WIDE = {"width": 1440, "height": 900}


def _shot(page, name: str, *, full_page: bool = True) -> Path:
    folder = Path(os.environ.get("QH_SHOTS_DIR") or ARTIFACTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(700)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="module")
def engine(app_server):
    _, env = app_server
    return make_engine(env["DATABASE_URL"])


def _admin(session):
    return auth.actor_for_user(session, session.exec(select(User).where(User.username == "admin")).one())


def _new_order(sandbox: str) -> dict:
    resp = httpx.post(f"{sandbox}/_control/orders", timeout=10,
                      json={"platform": "meituan", "shop_id": MEITUAN["shop_id"], "delivery_type": "platform"})  # fmt: skip
    resp.raise_for_status()
    return resp.json()


def test_a_role_without_accept_is_refused_even_with_the_button_forced(app_server, sandbox, browser, engine):
    base, env = app_server
    with session_scope(engine) as session:
        admin = _admin(session)
        store_id = session.exec(select(Shop.store_id).where(Shop.platform_shop_id == MEITUAN["shop_id"])).one()
        looker = roles.create_role(session, actor=admin, name="只看订单", permissions=["page.board", "page.orders"])
        users.create_user(session, actor=admin, username="looker", password="looker-pass-1", display_name="小看",
                          role=looker.key, store_ids=[store_id])  # fmt: skip
    made = _new_order(sandbox)

    page = browser.new_page(viewport=PHONE)
    login(page, base, "looker", "looker-pass-1")
    card = page.locator("#board-list .qh-card", has_text=f"#{made['day_seq']}")
    expect(card).to_be_visible(timeout=20_000)
    button = card.locator(".qh-primary")
    expect(button).to_be_hidden()  # the role has no 接单
    page.locator("#nav-menu").click()
    for hidden in ("门店与店铺", "用户", "角色", "审计日志"):
        expect(page.get_by_role("link", name=hidden)).to_have_count(0)
    page.keyboard.press("Escape")
    button.evaluate("el => { el.style.display = 'block'; }")  # forced visible, as a crafted page would
    button.click()
    expect(page.get_by_text("没有权限执行此操作")).to_be_visible(timeout=10_000)
    _shot(page, "phone-accept-refused")
    with session_scope(engine) as session:
        order = session.exec(select(Order).where(Order.platform_order_id == made["order_id"])).one()
        assert order.status == "awaiting_accept"
        accepted = select(AuditEntry).where(AuditEntry.action == "order.accept", AuditEntry.target_id == str(order.id))
        assert session.exec(accepted).first() is None
        order_id = order.id
    # the API refuses the same session, and names the missing permission
    answer = page.request.get(f"{base}/api/audit")
    assert (answer.status, answer.json()["permission"]) == (403, "audit.view")
    assert httpx.get(f"{base}/api/audit", timeout=10).status_code == 401
    page.close()

    # an admin accepts it; the audit page and the order drawer show who did what
    with session_scope(engine) as session:
        dispatch.accept(session, actor=_admin(session), order_id=order_id)
    page = browser.new_page(viewport=WIDE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    answer = page.request.get(f"{base}/api/audit?action=order.accept")
    assert answer.status == 200 and answer.json()["entries"][0]["target_id"] == str(order_id)
    page.goto(f"{base}/orders?order={order_id}")
    drawer = page.locator("#order-detail")
    expect(drawer.locator(".audit-line", has_text="接单")).to_be_visible(timeout=15_000)
    drawer.locator(".audit-line", has_text="接单").scroll_into_view_if_needed()
    _shot(page, "desk-order-drawer-audit")
    page.goto(f"{base}/audit")
    expect(
        page.locator(".audit-row", has_text="登录失败").or_(page.locator(".audit-row", has_text="接单")).first
    ).to_be_visible()
    expect(page.locator(".audit-row", has_text="新建角色")).to_be_visible()
    page.locator("#audit-who").fill("looker")
    page.locator("#audit-search").click()
    expect(page.locator(".audit-row", has_text="登录").first).to_be_visible()
    expect(page.locator(".audit-row", has_text="新建角色")).to_have_count(0)
    _shot(page, "desk-audit")
    page.close()


def test_role_editor_on_desk_and_phone(app_server, browser):
    base, env = app_server
    page = browser.new_page(viewport=WIDE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/roles")
    expect(page.locator(".role-row", has_text="店长")).to_be_visible()
    _shot(page, "desk-roles")

    # create
    page.locator("#role-add").click()
    page.locator("#role-name").fill("夜班店员")
    page.locator("#role-save").click()
    expect(page.get_by_text("请至少选择一项权限")).to_be_visible()  # nothing ticked: said at the field
    page.locator(".perm-page-board").click()
    page.locator(".perm-order-accept").click()
    _shot(page, "desk-role-dialog")
    page.locator("#role-save").click()
    row = page.locator(".role-row", has_text="夜班店员")
    expect(row).to_contain_text("接单")
    # edit and save again
    row.locator(".role-edit").click()
    page.locator(".perm-order-ready").click()
    page.locator("#role-save").click()
    expect(row).to_contain_text("备货完成")
    row.locator(".role-edit").click()
    page.locator("#role-name").fill("夜班店员（二）")
    page.locator("#role-save").click()
    row = page.locator(".role-row", has_text="夜班店员（二）")
    expect(row).to_contain_text("备货完成")

    # a role in use is refused, clearly; an unused one goes
    page.locator(".role-row", has_text="只看订单").locator(".role-delete").click()
    page.locator("#role-delete-confirm").click()
    expect(page.get_by_text("仍有 1 个用户在用")).to_be_visible(timeout=10_000)
    _shot(page, "desk-role-in-use")
    row.locator(".role-delete").click()
    page.locator("#role-delete-confirm").click()
    expect(page.locator(".role-row", has_text="夜班店员")).to_have_count(0)
    page.close()

    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/roles")
    card = page.locator(".role-card", has_text="店员").first
    expect(card).to_be_visible()
    _shot(page, "phone-roles")
    card.locator(".role-edit").click()
    expect(page.locator("#role-name")).to_be_visible()
    _shot(page, "phone-role-dialog")
    page.keyboard.press("Escape")
    page.goto(f"{base}/audit")
    expect(page.locator(".audit-card").first).to_be_visible()
    _shot(page, "phone-audit", full_page=False)
    page.close()
