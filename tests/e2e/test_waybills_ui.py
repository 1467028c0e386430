"""电子面单 in the real app, in Chromium: the label page at both standard sizes (one label per
printed page, checked in the PDF Chromium prints), and on a phone the 打印面单 dialog of ticked
orders opens the labels and 标记发货 ships the order with its number."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.models import Order, OrderLine, Shop, Store, Waybill
from tests.e2e.conftest import DESK, PHONE, login, shot
from tests.services.factories import platform_order

pytestmark = pytest.mark.e2e
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(scope="module")
def engine(app_server):
    return make_engine(app_server[1]["DATABASE_URL"])


def _order_with_number(engine, tag: str) -> tuple[int, str, str]:
    """An order of a demo shop (unique number) with an issued waybill; the store gets a sender."""
    no = f"WB{tag}{secrets.token_hex(3).upper()}"
    tracking = f"ZT77{secrets.randbelow(10**10):010d}"
    with session_scope(engine) as session:
        shop = session.exec(select(Shop).where(Shop.platform == "meituan")).first()
        store = session.get(Store, shop.store_id)
        store.address = store.address or "浙江省杭州市西湖区文三路 1 号"
        store.phone = store.phone or "0571-88880000"
        session.add(store)
        order = platform_order(
            session,
            shop_id=shop.id,
            store_id=shop.store_id,
            no=no,
            receiver_address="上海市徐汇区衡山路 8 号 3 单元 502",
            seller_memo="易碎，轻放",
        )
        session.add(
            Waybill(
                order_id=order.id,
                store_id=order.store_id,
                shop_id=shop.id,
                carrier="ZTO",
                tracking_no=tracking,
                sort_code="571-A12 03",
                route_code="杭州转运中心",
            )
        )
        return order.id, no, tracking


def _no_print_dialog(page) -> None:
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")


def _media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    found = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in found]


@pytest.mark.parametrize(("size", "width_mm", "height_mm"), [("76", 76, 130), ("100", 100, 180)])
def test_labels_print_one_per_page_at_the_standard_sizes(app_server, browser, engine, size, width_mm, height_mm):
    base, env = app_server
    first = _order_with_number(engine, "A")
    second = _order_with_number(engine, "B")
    page = browser.new_page(viewport=DESK)
    _no_print_dialog(page)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/waybill-print?ids={first[0]},{second[0]}&size={size}")
    labels = page.locator(".qh-wb")
    expect(labels).to_have_count(2, timeout=20_000)
    expect(labels.first).to_contain_text(first[2])
    expect(labels.first).to_contain_text("571-A12 03")
    expect(labels.first).to_contain_text("上海市徐汇区衡山路 8 号")
    expect(labels.first).to_contain_text("苹果 ×2")
    box = labels.first.bounding_box()
    assert abs(box["width"] - width_mm * 96 / 25.4) < 2 and abs(box["height"] - height_mm * 96 / 25.4) < 2
    barcode = labels.first.locator(".bar img").first
    assert barcode.evaluate("img => img.complete && img.naturalWidth > 0")
    page.wait_for_function("window.__printed >= 1", timeout=10_000)
    shot(page, f"waybill-labels-{size}")

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = _media_boxes(pdf)
    assert len(boxes) == 2, boxes  # one label per page, the toolbar not printed
    for w, h in boxes:
        assert abs(w - width_mm * MM) < 1.5 and abs(h - height_mm * MM) < 1.5, boxes
    with session_scope(engine) as session:
        rows = session.exec(select(Waybill).where(Waybill.order_id.in_([first[0], second[0]]))).all()
        assert {r.status for r in rows} == {"printed"}
    page.close()


def test_on_a_phone_ticked_orders_print_and_ship_with_their_numbers(app_server, browser, engine):
    base, env = app_server
    order_id, no, tracking = _order_with_number(engine, "P")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    page = context.new_page()
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders")
    page.locator("#order-search").fill(no)
    page.locator("#order-search").press("Enter")
    card = page.locator(".order-card", has_text="张三")
    expect(card).to_have_count(1, timeout=20_000)
    card.locator(".order-pick").click()
    page.locator("#waybill-open").click()
    dialog = page.locator("#waybill-dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # fits the phone
    for button in ("#waybill-issue", "#waybill-print", "#waybill-ship"):
        expect(page.locator(button)).to_be_visible()
    shot(page, "waybill-dialog-phone", full_page=False)

    with page.expect_popup() as popup:
        page.locator("#waybill-print").click()
    labels = popup.value
    expect(labels.locator(".qh-wb")).to_have_count(1, timeout=20_000)
    expect(labels.locator(".qh-wb")).to_contain_text(tracking)
    labels.close()

    page.locator("#waybill-ship").click()
    expect(page.get_by_text("已发货 1 单")).to_be_visible(timeout=15_000)
    with session_scope(engine) as session:
        assert session.get(Order, order_id).status == "shipped"
        assert session.exec(select(Waybill.status).where(Waybill.order_id == order_id)).one() == "shipped"
    context.close()


def test_the_drawer_shows_a_lines_refund_state_and_the_order_numbers(app_server, browser, engine):
    base, env = app_server
    order_id, _, tracking = _order_with_number(engine, "D")
    with session_scope(engine) as session:
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        line.refund_status = "退款中"
        session.add(line)
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?order={order_id}")
    drawer = page.locator("#order-detail")
    expect(drawer.locator(".line-refund")).to_contain_text("退款中", timeout=20_000)
    expect(drawer.locator("#order-waybills")).to_contain_text(tracking)
    expect(drawer.locator(".waybill-cancel")).to_be_visible()
    expect(drawer).to_contain_text("易碎，轻放")  # the memo, read-only where the platform takes none
    expect(drawer.locator("#seller-memo")).to_have_count(0)
    expect(drawer.locator("#parcel-picker")).to_have_count(0)  # this platform ships whole orders
    shot(page, "waybill-drawer")
    page.close()
