"""库存 in Chromium, on a phone (390×844) and a desk: receive stock and see it, a bad quantity is
answered at its field, two orders race for the last units (the loser's card says 缺货 and what
is missing), the platform receives the new stock, and the ledger shows every movement."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.models import ErpSku, Shop, ShopSku
from qihang_app.services.stock_levels import store_location
from tests.e2e.conftest import DESK, PHONE, login, shot
from tests.e2e.test_board import MEITUAN, _control, _new_meituan_order, _wait_writeback

pytestmark = pytest.mark.e2e


def _cola(env, sandbox) -> tuple[int, dict, int]:
    """An ERP SKU linked to the first product of the Meituan demo shop; (location id, product,
    OMS shop id)."""
    product = _control(sandbox, "GET", f"shops/meituan/{MEITUAN['shop_id']}/catalog")[0]
    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as session:
        shop = session.exec(select(Shop).where(Shop.platform_shop_id == MEITUAN["shop_id"])).one()
        sku = ErpSku(code="E2E-COLA", name="可乐 330ml", spec="罐")
        session.add(sku)
        session.flush()
        # another file may have pulled the shop's catalog already: link that row, else make it
        shop_sku = session.exec(
            select(ShopSku).where(ShopSku.shop_id == shop.id, ShopSku.platform_sku_id == product["sku_id"])
        ).first() or ShopSku(shop_id=shop.id, platform_item_id=product["item_id"], platform_sku_id=product["sku_id"])
        shop_sku.erp_sku_id = sku.id
        session.add(shop_sku)
        location = store_location(session, shop.store_id)
        shop_id = shop.id
    engine.dispose()
    return location, product, shop_id


def _row(page):
    return page.locator(".stock-row[data-sku='E2E-COLA']")


def _twin(sandbox, sku_id: str) -> dict:
    products = _control(sandbox, "GET", f"shops/meituan/{MEITUAN['shop_id']}/catalog")
    return next(p for p in products if p["sku_id"] == sku_id)


def _twin_stock(sandbox, sku_id: str) -> int:
    return _twin(sandbox, sku_id)["stock"]


def test_receive_race_short_mark_sync_and_ledger(app_server, sandbox, browser):
    base, env = app_server
    location, product, shop_id = _cola(env, sandbox)

    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/stock?location={location}")
    row = _row(page)
    expect(row).to_contain_text("可乐 330ml", timeout=30_000)
    row.locator(".stock-adjust").click()
    page.locator("#stock-quantity").fill("-3")
    page.locator("#stock-save").click()
    expect(page.locator(".field-error")).to_contain_text("1", timeout=10_000)  # the allowed range, at the field
    dialog = page.locator("[role=dialog]").bounding_box()
    assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= PHONE["width"]  # the whole dialog on screen
    shot(page, "stock-phone-adjust-refused")
    page.locator("#stock-quantity").fill("3")
    page.locator("#stock-save").click()
    expect(row).to_contain_text("3", timeout=10_000)
    expect(page.locator("[role=dialog]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing pushed sideways
    shot(page, "stock-phone-received")

    # two orders want 2 each of the 3 on hand: the second one accepted is short by 1
    orders = [
        _new_meituan_order(sandbox, items=[{"sku_id": product["sku_id"], "quantity": 2}], delivery_type="merchant")
        for _ in range(2)
    ]  # own riders: they wait in 备货中 until the store acts
    page.goto(f"{base}/board")
    for truth in orders:
        card = page.locator("#board-list .qh-card", has_text=f"#{truth['day_seq']}").filter(has_text="美团")
        expect(card).to_be_visible(timeout=20_000)
        card.get_by_role("button", name="接单").click()
        _wait_writeback(sandbox, truth["order_id"], "confirm")
    page.locator("#tab-picking").click()
    loser = page.locator("#board-list .qh-card", has_text=f"#{orders[1]['day_seq']}")
    expect(loser.locator(".qh-c-short")).to_contain_text("缺货", timeout=15_000)
    expect(loser.locator(".qh-c-short")).to_contain_text("×1")
    winner = page.locator("#board-list .qh-card", has_text=f"#{orders[0]['day_seq']}")
    expect(winner.locator(".qh-c-short")).to_have_count(0)
    shot(page, "stock-phone-board-short")

    # the platform is told what is left to sell (3 on hand − 2 held)
    deadline = time.monotonic() + 30
    while _twin_stock(sandbox, product["sku_id"]) != 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _twin_stock(sandbox, product["sku_id"]) == 1
    page.close()

    desk = browser.new_page(viewport=DESK)
    login(desk, base, "admin", env["E2E_ADMIN_PASSWORD"])
    desk.goto(f"{base}/stock?location={location}")
    row = _row(desk)
    expect(row).to_contain_text("可用", timeout=30_000)
    assert row.locator(".tabular").all_inner_texts() == ["3", "2", "1"]  # on hand, reserved, available
    row.get_by_role("button", name="流水").click()
    ledger = desk.locator("#stock-ledger")
    expect(ledger).to_contain_text("订单占用", timeout=10_000)
    expect(ledger).to_contain_text("采购入库")
    expect(ledger).to_contain_text("admin")  # who
    shot(desk, "stock-desk-ledger")
    desk.get_by_role("button", name="关闭").click()

    # 预警值 3: one available is low, and the board says so
    row.locator(".stock-adjust").click()
    desk.locator("#stock-mode-threshold").click()
    desk.locator("#stock-quantity").fill("3")
    desk.locator("#stock-save").click()
    expect(row.locator(".stock-low")).to_be_visible(timeout=10_000)
    desk.goto(f"{base}/board")
    expect(desk.locator("#board-low-stock")).to_contain_text("1", timeout=15_000)

    # a safety buffer of 1 leaves nothing to sell: the platform shows it sold out (售罄)
    desk.goto(f"{base}/stock?location={location}")
    desk.get_by_role("button", name="店铺库存设置").click()
    shop_form = desk.locator(f".stock-shop[data-shop='{shop_id}']")
    shop_form.locator("input[name=buffer]").fill("1")
    shop_form.get_by_role("button", name="确定").click()
    shot(desk, "stock-desk-shop-settings")
    deadline = time.monotonic() + 30
    while _twin(sandbox, product["sku_id"])["on_sale"] and time.monotonic() < deadline:
        time.sleep(0.5)
    sold_out = _twin(sandbox, product["sku_id"])
    assert sold_out["stock"] == 0 and sold_out["on_sale"] is False

    # a receipt serves the short order: its card loses 缺货, the platform lists the SKU again
    desk.keyboard.press("Escape")
    row = _row(desk)
    row.locator(".stock-adjust").click()
    desk.locator("#stock-quantity").fill("5")
    desk.locator("#stock-save").click()
    expect(row.locator(".tabular").first).to_have_text("8", timeout=10_000)
    desk.goto(f"{base}/board")
    loser = desk.locator(".qh-card", has_text=f"#{orders[1]['day_seq']}").filter(has_text="美团")
    expect(loser).to_be_visible(timeout=15_000)
    expect(loser.locator(".qh-c-short")).to_have_count(0, timeout=15_000)
    deadline = time.monotonic() + 30
    while not _twin(sandbox, product["sku_id"])["on_sale"] and time.monotonic() < deadline:
        time.sleep(0.5)
    listed = _twin(sandbox, product["sku_id"])
    assert listed["on_sale"] is True and listed["stock"] == 3  # 8 on hand − 4 held − buffer 1

    # 调拨: a new warehouse takes 2 of the store's free units
    desk.goto(f"{base}/stock?location={location}")
    desk.get_by_role("button", name="新建仓库").click()
    desk.locator("#warehouse-name").fill("中心仓")
    desk.get_by_role("button", name="确定").click()
    row = _row(desk)
    row.locator(".stock-adjust").click()
    desk.locator("#stock-mode-transfer").click()
    desk.locator("#stock-to-location").click()
    desk.get_by_role("option", name="中心仓").click()
    desk.locator("#stock-quantity").fill("2")
    desk.locator("#stock-save").click()
    expect(row.locator(".tabular").first).to_have_text("6", timeout=10_000)
    assert row.locator(".tabular").all_inner_texts() == ["6", "4", "2"]
    shot(desk, "stock-desk-transferred")
    desk.close()
