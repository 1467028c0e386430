"""Every form in Chromium on a phone (390×844) and a desk (1440×900): a refusal shows under the
input it belongs to, the form keeps what was typed and nothing is stored; shops save again
unchanged; users can be disabled and deleted; a user without a store is told whom to ask.

The module name sorts after the others on purpose: it leaves orders, stores and users behind,
and test_foundation starts from an empty order list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from qihang_app.db import make_engine, session_scope
from qihang_app.models import OrderLine, Shop, Store, User
from qihang_app.services import auth, stores, users
from qihang_app.services.crypto import hash_password
from tests.e2e.conftest import PHONE, login, shot

pytestmark = pytest.mark.e2e

WIDE = {"width": 1440, "height": 900}
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(WIDE, id="desk")]


@pytest.fixture(scope="module")
def engine(app_server):
    _, env = app_server
    return make_engine(env["DATABASE_URL"])


@pytest.fixture(scope="module")
def store(engine):
    with session_scope(engine) as session:
        admin = _admin(session)
        made = stores.create_store(session, actor=admin, name="表单测试店", address="上海市长宁区")
        return {"id": made.id, "name": made.name}


def _admin(session):
    return auth.actor_for_user(session, session.exec(select(User).where(User.username == "admin")).one())


def _size_name(size: dict) -> str:
    return "phone" if size["width"] < 600 else "desk"


def _as_admin(browser, app_server, size):
    base, env = app_server
    page = browser.new_page(viewport=size)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    return page, base


def user_row(page, size: dict, text: str):
    """The user's row of the table on a desk, their card on a phone."""
    return page.locator(".user-card" if size is PHONE else ".user-row", has_text=text)


def error_at(page, input_id: str):
    """The message under the input with this id (see components/form_bits.py)."""
    return page.locator(f"#{input_id}").locator("xpath=../following-sibling::*[1][contains(@class, 'field-error')]")


def error_in_line(page, css_class: str, nth: int = 0):
    return page.locator(f"div:has(> .{css_class}) > .field-error").nth(nth)


# -- 店铺: save unchanged, then switch auto-accept on -------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_a_shop_saves_unchanged_and_again_with_auto_accept(app_server, browser, engine, store, size):
    name = f"美团·保存测试{_size_name(size)}"
    with session_scope(engine) as session:
        view = stores.create_shop(
            session,
            actor=_admin(session),
            store_id=store["id"],
            platform="meituan",
            platform_shop_id=f"e2e-save-{_size_name(size)}",
            name=name,
        )
    page, base = _as_admin(browser, app_server, size)
    page.goto(f"{base}/stores")
    row = page.locator(".shop-row", has_text=name)

    row.get_by_label("edit").click()
    page.locator("#shop-save").click()  # nothing changed: the disabled shop id is not sent
    expect(page.locator("#shop-save")).to_be_hidden()
    expect(page.get_by_text("已保存").first).to_be_visible()

    row.get_by_label("edit").click()
    page.get_by_role("dialog").get_by_text("自动接单", exact=True).click()
    page.locator("#shop-auto-max").fill("0")
    page.locator("#shop-save").click()
    expect(error_at(page, "shop-auto-max")).to_have_text("须在 1 到 9999 之间")
    expect(page.locator("#shop-auto-max")).to_have_value("0")  # kept
    page.locator("#shop-name").fill("")
    page.locator("#shop-auto-max").fill("30")
    page.locator("#shop-save").click()
    expect(error_at(page, "shop-name")).to_have_text("请填写此项")
    shot(page, f"{_size_name(size)}-shop-form-errors")
    page.locator("#shop-name").fill(name + "改")
    page.locator("#shop-save").click()
    expect(page.locator("#shop-save")).to_be_hidden()
    expect(row.or_(page.locator(".shop-row", has_text=name + "改")).first).to_contain_text("自动接单")

    row.get_by_label("edit").click()  # and a third time, unchanged again
    page.locator("#shop-save").click()
    expect(page.locator("#shop-save")).to_be_hidden()
    with session_scope(engine) as session:
        saved = session.get(Shop, view.id)
        assert (saved.name, saved.auto_accept, saved.auto_accept_max_per_hour) == (name + "改", True, 30)
    page.close()


# -- 门店 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_store_form_puts_each_refusal_under_its_input(app_server, browser, engine, size):
    page, base = _as_admin(browser, app_server, size)
    page.goto(f"{base}/stores")
    page.locator("#store-add").click()
    page.locator("#store-name").fill("好店😀")
    page.locator("#store-phone").fill("abc-def")
    page.locator("#store-hours").fill("9点到10点")
    page.locator("#store-lat").fill("91")
    page.locator("#store-lng").fill("<script>")
    page.locator("#store-save").click()
    expect(error_at(page, "store-name")).to_contain_text("表情")
    expect(error_at(page, "store-phone")).to_contain_text("电话只能包含数字")
    expect(error_at(page, "store-hours")).to_contain_text("09:00-22:00")
    expect(error_at(page, "store-lat")).to_contain_text("-90 到 90")
    expect(error_at(page, "store-lng")).to_contain_text("-180 到 180")
    expect(page.locator("#store-phone")).to_have_value("abc-def")
    assert len(page.locator("#store-address").fill("路" * 3000) or page.locator("#store-address").input_value()) == 200
    shot(page, f"{_size_name(size)}-store-form-errors")
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Store).where(Store.name.contains("好店"))).one() == 0
    page.close()


# -- 手工建单 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_an_absurd_manual_order_is_refused_at_its_fields_and_kept(app_server, browser, engine, store, size):
    item = f"巨额商品{_size_name(size)}"
    page, base = _as_admin(browser, app_server, size)
    page.goto(f"{base}/orders?store={store['id']}")
    page.locator("#manual-order").click()
    page.locator("#manual-receiver").fill("赵六")
    page.locator("#manual-phone").fill("abc-def")
    page.locator("#manual-address").fill("上海市长宁区愚园路 1 号")
    page.locator(".manual-line-name input").first.fill(item)
    page.locator(".manual-line-qty input").first.fill("999999999")
    page.locator(".manual-line-price input").first.fill("99,999,999.99")
    page.locator("#manual-save").click()

    expect(error_in_line(page, "manual-line-qty")).to_have_text("须在 1 到 9999 之间")
    expect(error_in_line(page, "manual-line-price")).to_have_text("金额须在 ¥0.00 到 ¥99,999.99 之间")
    expect(error_at(page, "manual-phone")).to_contain_text("电话只能包含数字")
    expect(page.get_by_text("An error occurred")).to_have_count(0)
    # what was typed is still there
    assert page.locator(".manual-line-name input").first.input_value() == item
    assert page.locator(".manual-line-price input").first.input_value() == "99,999,999.99"
    assert page.locator("#manual-address").input_value() == "上海市长宁区愚园路 1 号"
    shot(page, f"{_size_name(size)}-manual-order-absurd", full_page=False)

    page.locator(".manual-line-price input").first.fill("-5")
    page.locator("#manual-save").click()
    expect(error_in_line(page, "manual-line-price")).to_have_text("金额须在 ¥0.00 到 ¥99,999.99 之间")
    text = error_in_line(page, "manual-line-price").inner_text()
    assert " / " not in text and not any(c.isascii() and c.isalpha() for c in text)  # one language
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(OrderLine).where(OrderLine.name == item)).one() == 0

    page.locator("#manual-phone").fill("13900001111")
    page.locator(".manual-line-qty input").first.fill("2")
    page.locator(".manual-line-price input").first.fill("99999.99")
    page.locator("#manual-save").click()
    expect(page.locator("#order-detail")).to_contain_text(item)
    expect(page.locator("#order-detail")).to_contain_text("¥199999.98")
    page.close()


# -- 用户 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_a_300_character_username_is_refused_at_the_field(app_server, browser, engine, store, size):
    page, base = _as_admin(browser, app_server, size)
    page.goto(f"{base}/users")
    page.locator("#user-add").click()
    page.locator("#user-username").fill("u" * 300)
    assert page.locator("#user-username").input_value() == "u" * 32  # the input stops at its limit
    # an old page or a crafted request still sends 300: the server says so under the input
    page.locator("#user-username").evaluate("e => e.removeAttribute('maxlength')")
    page.locator("#user-username").fill("u" * 300)
    page.locator("#user-password").fill("long-enough-1")
    page.get_by_role("dialog").get_by_text(store["name"], exact=True).click()
    page.locator("#user-save").click()
    expect(error_at(page, "user-username")).to_have_text("最多 32 个字（现在 300 个）")
    assert page.locator("#user-username").input_value() == "u" * 300
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(User).where(User.username.startswith("uuu"))).one() == 0
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_long_name_already_stored_does_not_break_the_users_table(app_server, browser, engine, store, size):
    with session_scope(engine) as session:  # stored before the limits existed
        if not session.exec(select(User).where(User.username == "x" * 300)).first():
            session.add(User(username="x" * 300, display_name="长" * 300, password_hash=hash_password("long-enough-1")))
    page, base = _as_admin(browser, app_server, size)
    page.goto(f"{base}/users")
    row = user_row(page, size, "xxxx")
    toggle = row.locator(".user-toggle")
    expect(toggle).to_be_visible()
    box = toggle.bounding_box()  # every action stays on screen next to the long name
    assert box and box["x"] + box["width"] <= size["width"]
    name = row.get_by_text("长长长").first  # cut with an ellipsis, whole in its title
    assert name.evaluate("e => e.scrollWidth > e.clientWidth && e.clientWidth <= 200")
    assert name.get_attribute("title") == "长" * 300
    shot(page, f"{_size_name(size)}-users-long-name", full_page=False)
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_without_a_store_is_refused_at_the_stores(app_server, browser, engine, size):
    username = f"nostore_{_size_name(size)}"
    page, base = _as_admin(browser, app_server, size)
    page.goto(f"{base}/users")
    page.locator("#user-add").click()
    page.locator("#user-username").fill(username)
    page.locator("#user-display-name").fill("新店员")
    page.locator("#user-password").fill("long-enough-1")
    page.locator("#user-save").click()
    expect(page.locator(".field-error", has_text="店员和店长至少要有一个门店")).to_be_visible()
    assert page.locator("#user-username").input_value() == username
    shot(page, f"{_size_name(size)}-user-without-store", full_page=False)
    with session_scope(engine) as session:
        assert session.exec(select(User).where(User.username == username)).first() is None
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_disabled_user_is_signed_out_and_can_be_deleted(app_server, browser, engine, store, size):
    base, _ = app_server
    username = f"leaver_{_size_name(size)}"
    with session_scope(engine) as session:
        users.create_user(
            session,
            actor=_admin(session),
            username=username,
            password="leaver-pass-1",
            display_name="离职店员",
            store_ids=[store["id"]],
        )
    clerk = browser.new_page(viewport=size)
    login(clerk, base, username, "leaver-pass-1")

    page, _ = _as_admin(browser, app_server, size)
    page.goto(f"{base}/users")
    row = user_row(page, size, username)
    row.locator(".user-toggle").click()
    expect(row.locator(".user-toggle")).to_have_text("启用")
    shot(page, f"{_size_name(size)}-user-disabled", full_page=False)

    clerk.goto(f"{base}/orders")  # the open session ended with the disable
    clerk.wait_for_url(f"{base}/login")
    clerk.locator("#username").fill(username)
    clerk.locator("#password").fill("leaver-pass-1")
    clerk.locator("#login-submit").click()
    expect(clerk.locator("#login-error")).to_contain_text("账号已停用")
    clerk.close()

    row.locator(".user-delete").click()
    page.locator("#user-delete-confirm").click()
    expect(user_row(page, size, username)).to_have_count(0)
    # nobody deletes themselves
    user_row(page, size, "管理员").locator(".user-delete").click()
    page.locator("#user-delete-confirm").click()
    expect(page.get_by_text("不能删除自己的账号")).to_be_visible()
    with session_scope(engine) as session:
        assert session.exec(select(User).where(User.username == username)).first() is None
    page.close()


# -- a user without a store, login, search ----------------------------------------------------------


def test_a_board_without_stores_says_whom_to_ask(app_server, browser, engine):
    base, _ = app_server
    with session_scope(engine) as session:  # made before a store was required
        session.add(User(username="orphan", display_name="无门店", password_hash=hash_password("orphan-pass-1")))
    for size in (PHONE, WIDE):
        page = browser.new_page(viewport=size)
        login(page, base, "orphan", "orphan-pass-1")
        expect(page.locator("#board-no-stores")).to_contain_text("请联系管理员")
        shot(page, f"{_size_name(size)}-board-no-stores", full_page=False)
        page.close()


@pytest.mark.parametrize("size", SIZES)
def test_login_and_search_answer_at_their_fields(app_server, browser, size):
    base, env = app_server
    page = browser.new_page(viewport=size)
    page.goto(f"{base}/login")
    page.locator("#login-submit").click()
    expect(error_at(page, "username")).to_have_text("请填写此项")
    expect(error_at(page, "password")).to_have_text("请填写此项")
    page.locator("#username").fill("<script>")
    page.locator("#password").fill("x")
    page.locator("#login-submit").click()
    expect(error_at(page, "username")).to_contain_text("表情")
    expect(page.locator("#username")).to_have_value("<script>")
    page.close()

    page, _ = _as_admin(browser, app_server, size)
    page.goto(f"{base}/orders")
    page.locator("#order-search").fill("<img src=x onerror=alert(1)>")
    page.locator("#order-search").press("Enter")
    expect(page.locator("form:has(#order-search) .field-error")).to_contain_text("请输入订单号")
    expect(page.locator("#order-search")).to_have_value("<img src=x onerror=alert(1)>")
    shot(page, f"{_size_name(size)}-orders-search-error", full_page=False)
    page.close()


def test_in_english_the_refusal_is_english_only(app_server, browser, store):
    page, base = _as_admin(browser, app_server, WIDE)
    page.goto(f"{base}/orders?store={store['id']}")
    page.get_by_role("button", name="English").first.click()
    page.locator("#manual-order").click()
    page.locator(".manual-line-name input").first.fill("Apples")
    page.locator(".manual-line-price input").first.fill("-5")
    page.locator("#manual-save").click()
    message = error_in_line(page, "manual-line-price")
    expect(message).to_have_text("The amount must be from ¥0.00 to ¥99,999.99")
    shot(page, "desk-manual-order-english", full_page=False)
    page.close()
