"""The ERP link in the real app, in Chromium: a tracking number typed in the order drawer ships
the order and reaches the platform's sandbox; a push that died while the ERP was down is re-pushed
from 推送记录 and arrives once."""

from __future__ import annotations

import time

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import select

from integrations.qihang_erp.twin import CONTROL, PUSH_PATH
from qihang_app.db import make_engine, session_scope
from qihang_app.models import ErpSku, Order, OrderLine, OutboxMessage, Shop, User, utcnow
from qihang_app.services import auth, dispatch, erp_connections, stores
from tests.e2e.conftest import DESK, PHONE, login, shot
from tests.services.factories import platform_order

pytestmark = pytest.mark.e2e
KEY, SECRET = "e2e-erp-key", "e2e-erp-secret"


def _wait(predicate, seconds: float = 30.0, step: float = 0.5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def engine(app_server):
    return make_engine(app_server[1]["DATABASE_URL"])


@pytest.fixture(scope="module")
def control(sandbox):
    with httpx.Client(base_url=sandbox + "/_control", timeout=10, trust_env=False) as client:
        yield client


@pytest.fixture(scope="module")
def setup(engine, sandbox, control):
    """The Meituan demo shop's store gets an ERP connection to the sandbox's QiHang ERP twin."""
    control.post(CONTROL.removeprefix("/_control"), json={"keys": {KEY: SECRET}, "mode": "ok"})
    with session_scope(engine) as session:
        admin = auth.actor_for_user(session, session.exec(select(User).where(User.username == "admin")).one())
        shop = session.exec(select(Shop).where(Shop.platform == "meituan")).first()
        erp_connections.create_connection(
            session, actor=admin, name="自研 ERP", erp="qihang", base_url=sandbox + PUSH_PATH,
            keys={"key": KEY, "secret": SECRET}, store_id=shop.store_id,
        )  # fmt: skip
        return {"admin": admin, "shop_id": shop.id, "store_id": shop.store_id, "poi": shop.platform_shop_id}


def test_a_typed_tracking_number_ships_the_order_and_reaches_the_platform(app_server, browser, engine, control, setup):
    base, env = app_server
    placed = control.post(
        "/orders", json={"platform": "meituan", "shop_id": setup["poi"], "delivery_type": "merchant"}
    ).json()

    def ingested():
        with session_scope(engine) as session:
            return session.exec(select(Order.id).where(Order.platform_order_id == str(placed["order_id"]))).first()

    order_id = _wait(ingested)
    with session_scope(engine) as session:
        dispatch.accept(session, actor=setup["admin"], order_id=order_id)
    _wait(lambda: control.get(f"/orders/meituan/{placed['order_id']}").json()["stage"] == "accepted")
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?order={order_id}")
    drawer = page.locator("#order-detail")
    expect(drawer.locator("#order-erp")).to_be_visible(timeout=20_000)
    page.locator("#ship-tracking").fill("SF1234567890")
    shot(page, "desk-erp-drawer-tracking")
    page.locator("#ship-save").click()
    expect(drawer.locator(".shipment-no")).to_have_text("SF1234567890", timeout=15_000)
    expect(drawer.locator("#order-erp")).to_be_visible()
    expect(drawer).to_contain_text("已发货")

    def written():
        rows = control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
        return [w for w in rows if w["api"] == "logistics_sync"]

    (sync,) = _wait(written)
    assert (
        sync["params"]["third_carrier_order_id"] == "SF1234567890"
        and sync["params"]["logistics_provider_code"] == "10001"
    )
    assert control.get(f"/orders/meituan/{placed['order_id']}").json()["stage"] == "delivering"
    shot(page, "desk-erp-drawer-shipped")
    phone = browser.new_page(viewport=PHONE)
    login(phone, base, "admin", env["E2E_ADMIN_PASSWORD"])
    phone.goto(f"{base}/orders?order={order_id}")
    expect(phone.locator("#order-erp")).to_be_visible(timeout=20_000)
    shot(phone, "phone-erp-drawer")
    page.close()
    phone.close()


def test_a_dead_push_is_repushed_from_the_push_log(app_server, browser, engine, control, setup):
    base, env = app_server
    control.post(CONTROL.removeprefix("/_control"), json={"mode": "down"})
    with session_scope(engine) as session:
        sku = ErpSku(code="E2E-SKU", name="测试商品")
        session.add(sku)
        session.flush()
        order = platform_order(session, shop_id=setup["shop_id"], store_id=setup["store_id"], no="E2E-DEAD-1")
        session.execute(sa.update(OrderLine).where(OrderLine.order_id == order.id).values(erp_sku_id=sku.id))
        order_id = order.id

    def dead():  # the backoff, without its waiting: the row is due again at once
        with session_scope(engine) as session:
            row = session.exec(
                select(OutboxMessage).where(OutboxMessage.order_id == order_id, OutboxMessage.kind == "erp_order")
            ).first()
            if row is not None and row.status == "pending":
                row.next_attempt_at = utcnow()
            return row if row is not None and row.status == "dead" else None

    row = _wait(dead, 90)
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/erp/pushes?state=dead")
    line = page.locator(".push-row", has_text="E2E-DEAD-1")
    expect(line).to_contain_text("推送失败")
    expect(line).to_contain_text("ERP 暂时不可用")
    shot(page, "desk-erp-push-log-dead")
    control.post(CONTROL.removeprefix("/_control"), json={"mode": "ok"})
    line.locator(".repush").click()

    def delivered():
        truth = control.get(CONTROL.removeprefix("/_control") + "/deliveries").json()
        return truth["deliveries"].get(row.idempotency_key)

    assert _wait(delivered) == 1
    page.goto(f"{base}/erp/pushes?state=done")
    expect(page.locator(".push-row", has_text="E2E-DEAD-1")).to_contain_text("已推送")
    shot(page, "desk-erp-push-log-done")
    page.close()


def test_a_connection_is_added_with_its_refusals_at_the_field_and_tested(app_server, browser, engine, control, setup):
    base, env = app_server
    store_name = "ERP 表单测试店"
    with session_scope(engine) as session:
        stores.create_store(session, actor=setup["admin"], name=store_name)
    control.post(CONTROL.removeprefix("/_control"), json={"keys": {"e2e-form-key": "e2e-form-secret"}, "mode": "ok"})
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/erp")
    expect(page.locator(".erp-connection").first).to_be_visible(timeout=20_000)
    page.locator("#erp-new").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=name]").fill("表单 ERP")
    dialog.get_by_role("combobox").nth(1).click()
    page.get_by_role("option", name=store_name).click()
    dialog.locator("input[name=base_url]").fill("ftp://nope")
    dialog.locator("input[name=k_key]").fill("e2e-form-key")
    dialog.locator("input[name=k_secret]").fill("e2e-form-secret")
    page.locator("#erp-save").click()
    expect(dialog.locator(".field-error")).to_contain_text("http://")
    shot(page, "phone-erp-form-refused")
    dialog.locator("input[name=base_url]").fill(
        control.base_url.scheme + "://" + control.base_url.netloc.decode() + PUSH_PATH
    )
    page.locator("#erp-save").click()
    card = page.locator(".erp-connection", has_text="表单 ERP")
    expect(card).to_be_visible(timeout=10_000)
    card.locator(".erp-test").click()
    expect(card.locator(".erp-check")).to_contain_text("连接正常", timeout=30_000)
    shot(page, "phone-erp-connections")
    page.close()


def test_ticked_orders_are_pushed_by_hand_and_show_their_erp_state(app_server, browser, engine, control, setup):
    base, env = app_server
    control.post(CONTROL.removeprefix("/_control"), json={"mode": "ok"})
    with session_scope(engine) as session:
        sku = session.exec(select(ErpSku).where(ErpSku.code == "E2E-SKU-M")).first() or ErpSku(
            code="E2E-SKU-M", name="手推商品"
        )
        session.add(sku)
        session.flush()
        # awaiting acceptance: not due by the connection's rule, so only a hand sends it
        order = platform_order(
            session, shop_id=setup["shop_id"], store_id=setup["store_id"], no="E2E-MANUAL-1", status="awaiting_accept"
        )
        session.execute(sa.update(OrderLine).where(OrderLine.order_id == order.id).values(erp_sku_id=sku.id))
        order_id = order.id
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?q=E2E-MANUAL-1")
    row = page.locator(".order-row", has_text="E2E-MANUAL-1")
    expect(row).to_be_visible(timeout=20_000)
    row.locator(".order-pick").click()
    page.locator("#push-selected").click()
    expect(page.get_by_text("已排队 1")).to_be_visible(timeout=10_000)

    def delivered():
        truth = control.get(CONTROL.removeprefix("/_control") + "/deliveries").json()
        return [k for k in truth["deliveries"] if k.endswith(f":{order_id}:order.created:v1")]

    (key,) = _wait(delivered)
    assert control.get(CONTROL.removeprefix("/_control") + "/deliveries").json()["deliveries"][key] == 1
    page.reload()
    expect(page.locator(".order-row", has_text="E2E-MANUAL-1")).to_contain_text("已推送", timeout=20_000)
    shot(page, "desk-erp-orders-pushed")
    page.close()
