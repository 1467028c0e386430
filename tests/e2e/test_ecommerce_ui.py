"""An e-commerce order end to end in the real app, on a phone, against the platform's twin:
the order placed at the platform is pulled by the worker, its board card offers 去发货 (not
备货完成), the drawer takes a 卖家备注 with a flag that reaches the platform, and on 订单 the
打印面单 dialog gets a number from the platform's e-waybill service, prints the label and marks
the order shipped — the platform records the shipment with that number. The platform is the
first registered one with 电子面单, found through its profile."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from playwright.sync_api import expect
from sqlmodel import select

from integrations import registry
from qihang_app.db import make_engine, session_scope
from qihang_app.models import Order, Shop, Store, Waybill
from tests.e2e.conftest import PHONE, login, shot

pytestmark = pytest.mark.e2e
PLATFORM = next(a.profile for a in registry.platforms() if a.profile.waybill_carriers and a.profile.memo_flags)


def _pulled_order(env, sandbox: str) -> Order:
    """An order placed at the platform for its demo shop, pulled in by a sweep we ask the worker for."""
    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as session:
        shop = session.exec(select(Shop).where(Shop.platform == PLATFORM.code)).first()
        store = session.get(Store, shop.store_id)
        store.address = store.address or "浙江省杭州市西湖区文三路 90 号"  # the label's sender
        store.phone = store.phone or "0571-88886666"
        session.add(store)
        shop_id, platform_shop_id = shop.id, shop.platform_shop_id
    made = httpx.post(
        f"{sandbox}/_control/orders", json={"platform": PLATFORM.code, "shop_id": platform_shop_id}, timeout=10
    )
    assert made.status_code == 201, made.text
    order_id = made.json()["order_id"]

    async def sweep() -> None:
        pool = await create_pool(RedisSettings.from_dsn(env["REDIS_URL"]))
        await pool.enqueue_job("sweep_shop", shop_id, _job_id=f"e2e-sweep:{order_id}:{time.monotonic()}")
        await pool.aclose()

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        worker = threading.Thread(target=lambda: asyncio.run(sweep()))  # this thread runs an event loop
        worker.start()
        worker.join(timeout=10)
        for _ in range(20):
            with session_scope(engine) as session:
                row = session.exec(select(Order).where(Order.platform_order_id == order_id)).first()
                if row is not None:
                    session.expunge(row)
                    return row
            time.sleep(0.5)
    raise AssertionError(f"order {order_id} never arrived")


def _written(sandbox: str, order: Order) -> str:
    found = httpx.get(f"{sandbox}/_control/writebacks", params={"order_id": order.platform_order_id}).json()
    return json.dumps(found, ensure_ascii=False)


def test_an_ecommerce_order_ships_with_a_platform_waybill_on_a_phone(app_server, sandbox, browser):
    base, env = app_server
    order = _pulled_order(env, sandbox)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    page = context.new_page()
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])

    # the board: the card waits in 备货中 and offers 去发货, which opens the order's drawer
    page.goto(f"{base}/board")
    page.locator("#tab-picking").click()
    card = page.locator(f'#board-list .qh-card[data-platform-order-id="{order.platform_order_id}"]')
    expect(card).to_be_visible(timeout=20_000)
    expect(card.get_by_text("备货完成")).to_have_count(0)
    shot(page, "ecommerce-board-card-phone", full_page=False)
    card.get_by_role("button", name="去发货").click()
    drawer = page.locator("#order-detail")
    expect(drawer).to_be_visible(timeout=20_000)

    # 卖家备注 with the platform's flag, back to the platform
    drawer.locator("#memo-text").fill("顺丰优先，易碎轻放")
    drawer.locator("#memo-flag").click()
    first_flag = next(iter(PLATFORM.memo_flags.values()))[0]
    page.get_by_role("option", name=first_flag).click()
    drawer.locator("#memo-save").click()
    deadline = time.monotonic() + 30
    while "易碎轻放" not in _written(sandbox, order) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "易碎轻放" in _written(sandbox, order)
    shot(page, "ecommerce-drawer-memo-phone", full_page=False)

    # 订单: tick it, 打印面单 → a number from the platform, the label, 标记发货
    page.goto(f"{base}/orders")
    page.locator("#order-search").fill(order.platform_order_id)
    page.locator("#order-search").press("Enter")
    row = page.locator(".order-card")  # a phone card shows the day number, not the long order number
    expect(row).to_have_count(1, timeout=20_000)
    row.locator(".order-pick").click()
    page.locator("#waybill-open").click()
    dialog = page.locator("#waybill-dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    page.locator("#waybill-issue").click()
    expect(page.locator("#waybill-results .waybill-result")).to_have_count(1, timeout=30_000)
    shot(page, "ecommerce-waybill-issued-phone", full_page=False)
    with page.expect_popup() as popup:
        page.locator("#waybill-print").click()
    labels = popup.value
    expect(labels.locator(".qh-wb")).to_have_count(1, timeout=20_000)
    shot(labels, "ecommerce-waybill-label")
    labels.close()
    page.locator("#waybill-ship").click()
    expect(page.get_by_text("已发货 1 单")).to_be_visible(timeout=15_000)

    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as session:
        shipped = session.get(Order, order.id)
        assert shipped.status == "shipped"
    with session_scope(engine) as session:
        number = session.exec(select(Waybill.tracking_no).where(Waybill.order_id == order.id)).one()
    deadline = time.monotonic() + 30
    while number not in _written(sandbox, order) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert number in _written(sandbox, order)
    context.close()
