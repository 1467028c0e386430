"""商品 and 店铺商品 in Chromium: create a product, edit it and save again, pull a shop's products,
link one by hand and see the order line that was waiting become linked; a manual order picks
from the catalog with a scanner's Enter. Screenshots on a phone (390×844) and a desk."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.models import ErpSku, Order, OrderLine, ShopSku
from tests.e2e.conftest import PHONE, login, shot

pytestmark = pytest.mark.e2e

DESK = {"width": 1440, "height": 900}
DEMO_SHOP = "MT-SH-0001"  # the meituan twin's demo shop, bound to a demo store by the seed


@pytest.fixture(scope="module")
def engine(app_server):
    _, env = app_server
    return make_engine(env["DATABASE_URL"])


@pytest.fixture(scope="module")
def product(sandbox) -> dict:
    """A product of the demo shop's platform catalog."""
    with httpx.Client(base_url=sandbox + "/_control", trust_env=False, timeout=10) as control:
        return control.get(f"/shops/meituan/{DEMO_SHOP}/catalog").json()[3]


def _input(name: str) -> str:
    """The input of a text field with this class (on the input, or on its wrapper)."""
    return f"input.{name}, .{name} input"


def _page(browser, app_server, size):
    base, env = app_server
    page = browser.new_page(viewport=size)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    return page, base


def _line(engine, sku_id: str, platform_order_id: str) -> OrderLine | None:
    """This order's line of the SKU (other files may have ordered the same SKU)."""
    with session_scope(engine) as session:
        return session.exec(
            select(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.platform_sku_id == sku_id, Order.platform_order_id == platform_order_id)
        ).first()


def _waiting(engine, shop_id: int, sku_id: str) -> int:
    """Unlinked order lines of the shop's SKU: this test's one and any another file left."""
    with session_scope(engine) as session:
        lines = session.exec(
            select(OrderLine.id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.shop_id == shop_id, OrderLine.platform_sku_id == sku_id, OrderLine.erp_sku_id.is_(None))
        ).all()
    return len(lines)


def test_create_edit_and_save_again(browser, app_server, engine, product):
    page, base = _page(browser, app_server, DESK)
    page.goto(f"{base}/products")
    expect(page.get_by_text("还没有商品")).to_be_visible(timeout=30_000)
    page.locator("#product-new").click()
    page.locator("#product-code").fill("ERP-E2E-1")
    page.locator("#product-name").fill(product["name"])
    page.locator("#product-category").fill("饮料")
    page.locator(_input("sku-code")).fill("ERP-E2E-1-A")  # not the platform's code: only a hand link finds it
    page.locator(_input("sku-price")).fill("abc")
    page.locator("#product-save").click()
    expect(page.locator(".field-error")).to_have_text("金额格式应为 12.50（最多两位小数）")
    page.locator(_input("sku-price")).fill("3.50")
    page.locator("#product-save").click()
    row = page.locator(".product-row", has_text="ERP-E2E-1")
    expect(row).to_contain_text("¥3.50", timeout=15_000)
    shot(page, "catalog-products-desk")
    row.locator(".product-edit").click()
    expect(page.locator(_input("sku-price"))).to_have_value("3.50")
    page.locator(_input("sku-price")).fill("3.90")
    page.locator("#product-save").click()
    expect(row).to_contain_text("¥3.90", timeout=15_000)
    row.locator(".product-edit").click()  # and save again, unchanged
    expect(page.locator("#product-code")).to_have_value("ERP-E2E-1")
    page.locator("#product-save").click()
    expect(page.locator("#product-save")).to_be_hidden(timeout=15_000)
    with session_scope(engine) as session:
        [sku] = session.exec(select(ErpSku).where(ErpSku.code == "ERP-E2E-1-A")).all()
        assert (sku.price_fen, sku.enabled, sku.name) == (390, True, product["name"])


def test_pull_link_by_hand_and_the_waiting_line_is_linked(browser, app_server, engine, sandbox, product):
    with httpx.Client(base_url=sandbox + "/_control", trust_env=False, timeout=10) as control:
        order = control.post(
            "/orders",
            json={"platform": "meituan", "shop_id": DEMO_SHOP, "items": [{"sku_id": product["sku_id"], "quantity": 2}]},
        ).json()
    page, base = _page(browser, app_server, DESK)
    page.wait_for_timeout(500)
    mine = str(order["order_id"])
    for _ in range(60):  # the order arrives by push, then ingest
        if _line(engine, product["sku_id"], mine) is not None:
            break
        page.wait_for_timeout(500)
    assert _line(engine, product["sku_id"], mine).erp_sku_id is None
    page.goto(f"{base}/shop-products")
    card = page.locator(".pull-card", has_text="静安店")
    expect(card).to_contain_text("尚未拉取", timeout=30_000)
    card.get_by_role("button").click()
    expect(card.locator(".pull-done")).to_contain_text("已读取 20 个SKU", timeout=60_000)
    expect(page.locator("#unlinked-count")).to_contain_text("未关联")
    with session_scope(engine) as session:
        order_id, shop_id = session.exec(select(Order.id, Order.shop_id).where(Order.platform_order_id == mine)).one()
    waiting = _waiting(engine, shop_id, product["sku_id"])
    assert waiting >= 1
    page.goto(f"{base}/orders?order={order_id}")  # the order's unlinked line leads to the link screen
    page.locator("#order-detail .line-to-link").click()
    page.wait_for_url(f"**/shop-products?q={product['sku_id']}", timeout=30_000)
    row = page.locator(".shop-sku-row", has_text=product["name"]).first
    expect(row).to_contain_text(f"待关联订单行 {waiting}", timeout=30_000)
    expect(page.locator(".shop-sku-row")).to_have_count(1)
    shot(page, "catalog-shop-products-desk")
    row.locator(".link-button").click()
    page.locator("#erp-search").fill("ERP-E2E-1")
    page.locator("#erp-search").press("Enter")
    page.locator(".pick-erp").first.click()
    expect(row.locator(".linked-erp")).to_contain_text("ERP-E2E-1-A", timeout=15_000)
    line = _line(engine, product["sku_id"], mine)
    with session_scope(engine) as session:
        sku = session.exec(select(ErpSku).where(ErpSku.code == "ERP-E2E-1-A")).one()
        linked = session.exec(
            select(ShopSku).where(ShopSku.shop_id == shop_id, ShopSku.platform_sku_id == product["sku_id"])
        ).one()
    assert (line.erp_sku_id, line.link_method, linked.erp_sku_id) == (sku.id, "manual", sku.id)
    assert _waiting(engine, shop_id, product["sku_id"]) == 0  # every waiting line was linked, not only ours
    page.goto(f"{base}/orders?order={order_id}")
    expect(page.locator("#order-detail")).to_contain_text(f"ERP #{sku.id}", timeout=30_000)
    # phone: the same screen, one column
    phone, _ = _page(browser, app_server, PHONE)
    phone.goto(f"{base}/shop-products")
    expect(phone.locator(".pull-card").first).to_be_visible(timeout=30_000)
    shot(phone, "catalog-shop-products-phone")
    row = phone.locator(".shop-sku-row", has_text=product["name"]).first
    row.get_by_role("button", name="解除关联").click()
    phone.locator("#unlink-confirm").click()
    expect(phone.get_by_text("请填写解除关联的原因")).to_be_visible()
    phone.locator("#unlink-reason").fill("测试解除")
    phone.locator("#unlink-confirm").click()
    expect(phone.locator("#unlink-confirm")).to_be_hidden(timeout=15_000)
    row.locator(".history-button").click()  # who unlinked, and why
    events = phone.locator(".link-event")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("测试解除")
    expect(events.first).to_contain_text("admin")
    shot(phone, "catalog-link-history-phone", full_page=False)


def test_products_on_a_phone_and_manual_order_scanning(browser, app_server, engine):
    page, base = _page(browser, app_server, PHONE)
    page.goto(f"{base}/products")
    expect(page.locator(".product-card").first).to_be_visible(timeout=30_000)
    shot(page, "catalog-products-phone")
    page.locator(".product-card .product-edit").first.click()
    expect(page.locator(".sku-block")).to_be_visible()
    shot(page, "catalog-product-form-phone", full_page=False)
    page.goto(f"{base}/orders")
    page.locator("#manual-order").click()
    for _ in range(2):  # a scanner types the code and presses Enter, twice, without waiting
        page.locator("#manual-pick").press_sequentially("ERP-E2E-1-A")
        page.locator("#manual-pick").press("Enter")
    expect(page.locator(_input("manual-line-name")).first).to_have_value(re.compile(".+"), timeout=15_000)
    expect(page.locator(_input("manual-line-qty")).first).to_have_value("2", timeout=15_000)
    expect(page.locator("#manual-pick")).to_have_value("")  # ready for the next scan
    shot(page, "catalog-manual-pick-phone", full_page=False)


def test_import_lists_every_bad_row_then_imports_a_clean_file(browser, app_server, engine):
    header = "商品编码,商品名称,分类,单位,SKU编码,颜色,尺码,规格,条码,重量(克),售价(元),成本价(元),状态\n"
    bad = header + "IMP-1,,饮料,瓶,IMP-1-A,,,,,,2,,\nIMP-2,可乐,饮料,罐,IMP-2-A,,,,,,=B2*2,,\n"
    good = header + "IMP-1,矿泉水,饮料,瓶,IMP-1-A,,,550ml,,,2,,\nIMP-2,可乐,饮料,罐,IMP-2-A,,,330ml,,,3.5,,\n"
    page, base = _page(browser, app_server, DESK)
    page.goto(f"{base}/products")
    page.locator("#import-open").click()
    chooser = page.locator("input[type=file]")
    chooser.set_input_files(files=[{"name": "商品.csv", "mimeType": "text/csv", "buffer": bad.encode("gbk")}])
    expect(page.locator(".import-problem")).to_have_count(2, timeout=15_000)
    expect(page.locator(".import-problem").nth(1)).to_contain_text("公式")
    expect(page.locator("#import-run")).to_have_count(0)
    shot(page, "catalog-import-problems-desk", full_page=False)
    chooser.set_input_files(files=[{"name": "商品.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    expect(page.locator("#import-verdict")).to_contain_text("2 行可导入", timeout=15_000)
    page.locator("#import-run").click()
    expect(page.get_by_text("导入完成")).to_be_visible(timeout=30_000)
    with session_scope(engine) as session:
        skus = {s.code: s.price_fen for s in session.exec(select(ErpSku).where(ErpSku.code.like("IMP-%")))}
    assert skus == {"IMP-1-A": 200, "IMP-2-A": 350}
