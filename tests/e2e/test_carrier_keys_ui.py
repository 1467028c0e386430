"""配送设置 on a phone: a merchant adds a carrier account, then edits its keys — the secret shows
only 已设置 and is kept when left empty (测试连接 right after saving proves the carrier still takes
the keys), saving twice changes nothing, cancelling half-way keeps the stored keys, and bad input
(emoji, 3,000 characters, an empty required key) is refused at its field."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login
from tests.e2e.test_rider_dispatch import _control, _shot

pytestmark = pytest.mark.e2e


def _form(page):
    return page.get_by_role("dialog")


def test_edit_a_carrier_accounts_keys_on_a_phone(app_server, sandbox, browser):
    base, env = app_server
    made = _control(sandbox, "POST", "carriers/shansong/accounts", json={"auto": False})
    name = f"闪送G12{secrets.token_hex(2)}"  # the app and its DB are shared with other files
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/delivery")
    expect(page.locator(".carrier-account").first).to_be_visible(timeout=15_000)

    page.locator("#add-carrier-shansong").click()
    dialog = _form(page)
    dialog.locator("#key-name").fill(name)
    for key, value in made["keys"].items():
        dialog.locator(f"#key-{key}").fill(value)
    dialog.locator("#key-base_url").fill(made["base_url"])
    dialog.locator("#carrier-save").click()
    row = page.locator(".carrier-account", has_text=name)
    expect(row.locator(".carrier-test")).to_contain_text("连接成功", timeout=25_000)  # tested right after saving

    # Edit: the secret is not on the page, only that it is set; the other keys are.
    row.get_by_role("button", name="编辑").click()
    dialog = _form(page)
    expect(dialog.get_by_text("编辑配送账号")).to_be_visible()
    expect(dialog.locator("#key-app_secret")).to_have_value("")
    expect(dialog.locator(".secret-set")).to_have_count(1)
    expect(dialog.locator("#key-client_id")).to_have_value(made["keys"]["client_id"])
    assert made["keys"]["app_secret"] not in page.content()
    _shot(page, "phone-carrier-edit")

    # Cancel half-way: nothing is saved, and the form opens again with the stored keys.
    dialog.locator("#key-shop_id").fill("half-typed")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    row.get_by_role("button", name="编辑").click()
    expect(_form(page).locator("#key-shop_id")).to_have_value(made["keys"]["shop_id"])

    # Bad input is refused at its field and changes nothing.
    dialog = _form(page)
    dialog.locator("#key-client_id").fill("client 🚴")
    dialog.locator("#carrier-save").click()
    expect(dialog.locator(".field-error")).to_have_count(1)
    dialog.locator("#key-client_id").fill("x" * 3000)  # the input stops at 256; the rule at 128
    expect(dialog.locator("#key-client_id")).to_have_value("x" * 256)
    dialog.locator("#carrier-save").click()
    expect(dialog.locator(".field-error")).to_have_count(1)
    dialog.locator("#key-client_id").fill("")
    dialog.locator("#carrier-save").click()
    expect(dialog.locator(".field-error")).to_contain_text("请填写")
    _shot(page, "phone-carrier-edit-refused")
    dialog.get_by_role("button", name="取消").click()

    # Save twice with the secret left empty: the carrier still takes the keys both times.
    for _ in range(2):
        row.get_by_role("button", name="编辑").click()
        dialog = _form(page)
        expect(dialog.locator("#key-client_id")).to_have_value(made["keys"]["client_id"])
        dialog.locator("#carrier-save").click()
        expect(dialog).to_have_count(0)
        expect(row.locator(".carrier-test")).to_contain_text("连接成功", timeout=25_000)
    _shot(page, "phone-carrier-saved")

    row.get_by_role("button", name="delete").click()  # leave the shared world as it was
    expect(page.locator(".carrier-account", has_text=name)).to_have_count(0)
