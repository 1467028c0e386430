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


def _cola(env, sandbox) -> tuple[int, dict]:
    """An ERP SKU linked to the first product of the Meituan demo shop; (location id, product)."""
    product = _control(sandbox, "GET", f"shops/meituan/{MEITUAN['shop_id']}/catalog")[0]
    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as session:
        shop = session.exec(select(Shop).where(Shop.platform_shop_id == MEITUAN["shop_id"])).one()
        sku = ErpSku(code="E2E-COLA", name="可乐 330ml", spec="罐")
        session.add(sku)
        session.flush()
        session.add(
            ShopSku(
                shop_id=shop.id,
                platform_item_id=product["item_id"],
                platform_sku_id=product["sku_id"],
                erp_sku_id=sku.id,
            )
        )
        location = store_location(session, shop.store_id)
    engine.dispose()
    return location, product


def _row(page):
    return page.locator(".stock-row[data-sku='E2E-COLA']")


def _twin_stock(sandbox, sku_id: str) -> int:
    products = _control(sandbox, "GET", f"shops/meituan/{MEITUAN['shop_id']}/catalog")
    return next(p["stock"] for p in products if p["sku_id"] == sku_id)


def test_receive_race_short_mark_sync_and_ledger(app_server, sandbox, browser):
    base, env = app_server
    location, product = _cola(env, sandbox)

    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/stock?location={location}")
    row = _row(page)
    expect(row).to_contain_text("可乐 330ml", timeout=30_000)
    row.locator(".stock-adjust").click()
    page.locator("#stock-quantity").fill("-3")
    page.locator("#stock-save").click()
    expect(page.locator(".field-error")).to_contain_text("1", timeout=10_000)  # the allowed range, at the field
    page.locator("#stock-quantity").fill("3")
    page.locator("#stock-save").click()
    expect(row).to_contain_text("3", timeout=10_000)
    expect(page.locator("[role=dialog]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing pushed sideways
    shot(page, "stock-phone-received")

    # two orders want 2 each of the 3 on hand: the second one accepted is short by 1
    orders = [_new_meituan_order(sandbox, items=[{"sku_id": product["sku_id"], "quantity": 2}]) for _ in range(2)]
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
    numbers = row.locator(".tabular").all_inner_texts()
    assert numbers == ["3", "2", "1"], numbers  # on hand, reserved, available
    row.get_by_role("button", name="流水").click()
    ledger = desk.locator("#stock-ledger")
    expect(ledger).to_contain_text("订单占用", timeout=10_000)
    expect(ledger).to_contain_text("采购入库")
    shot(desk, "stock-desk-ledger")
    desk.close()
