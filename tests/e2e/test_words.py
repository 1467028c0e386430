"""Words for merchants, not developers, in Chromium at phone (390×844) and desk (1440×900): the
order timeline, 数据接收, 系统状态, a refused print, and the 订单 page's paging and filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    EventKind,
    PlatformEvent,
    PlatformOrder,
    PlatformOrderLine,
    PlatformRefund,
    RefundKind,
    RefundStatus,
)
from qihang_app.models import Order, OrderEvent, User
from qihang_app.services import auth, stores, users
from qihang_app.services.inbox import RawMessage, store_raw
from qihang_app.services.ingest import IngestItem, apply_batch
from tests.e2e.conftest import PHONE, login, shot

pytestmark = pytest.mark.e2e

DESK = {"width": 1440, "height": 900}
POI = "e2e-words-poi"
T0 = datetime.now(UTC) - timedelta(minutes=20)
DEVELOPER_WORDS = ("platform:meituan", "user:", "待发货 → 待发货", "full/", "partial/", "500分", "push ")


@pytest.fixture(scope="module")
def engine(app_server):
    _, env = app_server
    return make_engine(env["DATABASE_URL"])


def _snapshot(no: str, status: OrderStatus, raw: str, raw_text: str) -> PlatformOrder:
    return PlatformOrder(
        platform=Platform.MEITUAN,
        platform_shop_id=POI,
        platform_order_id=no,
        status=status,
        raw_status_code=raw,
        raw_status_text=raw_text,
        placed_at=T0,
        updated_at=T0,
        day_seq=41,
        receiver_name="钱七",
        receiver_phone="138****0000",
        receiver_address="上海市静安区 1 号 2 室",
        paid_fen=2000,
        goods_fen=2000,
        lines=[
            PlatformOrderLine(
                platform_item_id="I1", platform_sku_id="S1", name="橙汁", quantity=2, unit_price_fen=1000, paid_fen=2000
            )
        ],
    )


def _event(no: str, kind: EventKind, **kw) -> PlatformEvent:
    return PlatformEvent(
        kind=kind,
        platform=Platform.MEITUAN,
        platform_shop_id=POI,
        platform_order_id=no,
        raw_type=str(kind),
        occurred_at=T0 + timedelta(minutes=5),
        **kw,
    )


def _ingest(session, shop_id: int, *payloads) -> None:
    """Each payload through the real ingest, as a pushed inbox row would go."""
    ids = store_raw(
        session, [RawMessage(source="meituan", kind="order_paid", body="{}", shop_id=shop_id) for _ in payloads]
    )
    items = []
    for inbox_id, payload in zip(ids, payloads, strict=True):
        item = IngestItem(inbox_id=inbox_id, shop_id=shop_id, source="push order_paid")
        (item.orders if isinstance(payload, PlatformOrder) else item.events).append(payload)
        items.append(item)
    apply_batch(session, items=items)
    session.commit()


@pytest.fixture(scope="module")
def world(engine):
    """A Meituan shop with a packed order that got a partial refund request, and an order the
    buyer cancelled while it was 已推送给商家; a clerk of another store."""
    with session_scope(engine) as session:
        admin_user = session.exec(select(User).where(User.username == "admin")).one()
        admin = auth.actor_for_user(session, admin_user)
        store = stores.create_store(session, actor=admin, name="字词测试店", address="上海市静安区")
        other = stores.create_store(session, actor=admin, name="别的店", address="上海市徐汇区")
        shop = stores.create_shop(
            session,
            actor=admin,
            store_id=store.id,
            platform="meituan",
            platform_shop_id=POI,
            name="美团·字词测试",
            credentials={"app_key": "9010", "app_secret": "x", "base_url": "http://127.0.0.1:9/"},
        )
        users.create_user(session, actor=admin, username="clerk_other", password="clerk-pass-123", store_ids=[other.id])
        store_id, shop_id, admin_id = store.id, shop.id, admin_user.id
    with session_scope(engine) as session:
        _ingest(session, shop_id, _snapshot("WORDS-REFUND", OrderStatus.TO_SHIP, "4", "商家已接单"))
        refunded = session.exec(select(Order).where(Order.platform_order_id == "WORDS-REFUND")).one()
        # what 备货完成 on the board writes (services.dispatch.mark_ready)
        session.add(
            OrderEvent(
                order_id=refunded.id,
                at=datetime.now(UTC),
                actor=f"user:{admin_id}",
                kind="ready",
                from_status="to_ship",
                to_status="to_ship",
                note="备货完成",
            )
        )
        session.commit()
        _ingest(
            session,
            shop_id,
            _event(
                "WORDS-REFUND",
                EventKind.REFUND,
                refund=PlatformRefund(
                    platform=Platform.MEITUAN,
                    platform_shop_id=POI,
                    platform_refund_id="R77",
                    platform_order_id="WORDS-REFUND",
                    kind=RefundKind.PARTIAL,
                    status=RefundStatus.APPLIED,
                    amount_fen=500,
                    reason="少送一件",
                ),
            ),
        )
        _ingest(session, shop_id, _snapshot("WORDS-CANCEL", OrderStatus.AWAITING_ACCEPT, "2", "已推送给商家"))
        _ingest(
            session,
            shop_id,
            _event(
                "WORDS-CANCEL",
                EventKind.CANCEL,
                cancelled_by="user",
                cancel_reason_code="1001",
                cancel_reason="不想要了",
            ),
        )
        ids = {
            o.platform_order_id: o.id
            for o in session.exec(select(Order).where(Order.platform_order_id.in_(["WORDS-REFUND", "WORDS-CANCEL"])))
        }
    return {"store_id": store_id, "shop_id": shop_id, "refunded": ids["WORDS-REFUND"], "cancelled": ids["WORDS-CANCEL"]}


@pytest.mark.parametrize(("viewport", "name"), [(DESK, "desk"), (PHONE, "phone")])
def test_the_timeline_of_a_refunded_order_is_in_words(app_server, browser, world, viewport, name):
    base, env = app_server
    page = browser.new_page(viewport=viewport)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?order={world['refunded']}")  # a link may ask for one order
    drawer = page.locator("#order-detail")
    expect(drawer).to_contain_text("部分退款 ¥5.00（已申请）")
    expect(drawer.locator("#detail-exception")).to_contain_text("顾客申请退款 ¥5.00：少送一件，请到售后处理")
    rows = drawer.locator(".timeline-row")
    expect(rows.filter(has_text="备货完成").locator(".timeline-who")).to_have_text("admin")
    expect(rows.filter(has_text="部分退款").locator(".timeline-who")).to_have_text("美团闪购")
    expect(rows.filter(has_text="部分退款")).to_contain_text("原因：少送一件")
    expect(rows.filter(has_text="平台下单")).to_contain_text("平台推送")
    text = drawer.inner_text()
    for words in DEVELOPER_WORDS + (" / The buyer",):
        assert words not in text, words
    shot(page, f"{name}-timeline-refunded", full_page=False)  # the drawer, not the list under it
    page.close()


def test_the_timeline_switches_language_and_a_cancelled_order_drops_the_old_platform_status(app_server, browser, world):
    base, env = app_server
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?order={world['cancelled']}")
    drawer = page.locator("#order-detail")
    expect(drawer).to_contain_text("待接单 → 已取消")
    expect(drawer).to_contain_text("原因：不想要了")
    assert "已推送给商家" not in drawer.inner_text()
    shot(page, "desk-timeline-cancelled")
    page.locator("#detail-close").click()
    page.locator("#lang-switch").click()
    expect(page.locator("#lang-switch")).to_contain_text("中文")  # switched (and kept) before we move on
    page.goto(f"{base}/orders?order={world['refunded']}")
    expect(page.locator("#order-detail")).to_contain_text("Partial refund ¥5.00 (requested)")
    expect(page.locator("#detail-exception")).to_have_text(
        "The buyer asks for a refund ¥5.00: 少送一件; answer it under After-sales"
    )
    expect(page.locator("#order-detail")).to_contain_text("Packed")
    shot(page, "desk-timeline-refunded-en")
    page.locator("#detail-close").click()
    page.locator("#lang-switch").click()
    expect(page.locator("#lang-switch")).to_contain_text("English")
    page.close()


def test_orders_starts_with_the_drawer_closed(app_server, browser, world):
    base, env = app_server
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?store={world['store_id']}")
    page.locator(".order-row", has_text="WORDS-REFUND").click()
    expect(page.locator("#order-detail")).to_be_visible()
    page.goto(f"{base}/board")  # away, with the drawer still open …
    page.goto(f"{base}/orders?store={world['store_id']}")  # … and back
    expect(page.locator(".order-row", has_text="WORDS-REFUND")).to_be_visible()
    page.wait_for_timeout(1500)
    expect(page.locator("#order-detail")).to_have_count(0)
    page.close()


def test_a_page_past_the_end_is_the_last_page_and_a_backwards_range_is_swapped(app_server, browser, world):
    base, env = app_server
    page = browser.new_page(viewport=DESK)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/orders?page=99999")
    expect(page.locator("#pager-total")).to_be_visible()
    pager = page.locator("#pager-total").locator("..")
    expect(pager).not_to_contain_text("99999")
    expect(page).not_to_have_url(re.compile("page=99999"))  # the link now says the page shown
    today = datetime.now(SHANGHAI).date()  # the page's dates are Shanghai days
    later, earlier = today.isoformat(), (today - timedelta(days=3)).isoformat()
    page.goto(f"{base}/orders?store={world['store_id']}&from={later}&to={earlier}")
    expect(page.locator("#range-swapped")).to_have_text("开始日期晚于结束日期，已自动对调")
    expect(page.locator("#filter-from")).to_have_value(earlier)
    expect(page.locator("#filter-to")).to_have_value(later)
    expect(page.locator(".order-row", has_text="WORDS-REFUND")).to_be_visible()  # not an empty list
    shot(page, "desk-orders-range-swapped", full_page=False)
    page.close()


def test_inbox_says_why_in_words_and_keeps_the_raw_text_behind_a_toggle(app_server, browser, engine, world):
    base, env = app_server
    with session_scope(engine) as session:
        store_raw(
            session,
            [
                RawMessage(
                    source="meituan",
                    kind="order_paid",
                    body="order_id=WORDS-SIG&sig=bad",
                    shop_id=world["shop_id"],
                    headers={"verified": False},
                    status="rejected",
                    error="signature mismatch",
                ),
                RawMessage(
                    source="meituan",
                    kind="order_paid",
                    body="{not json",
                    shop_id=world["shop_id"],
                    status="failed",
                    error="malformed form body: bad escape",
                ),
            ],
        )
    for viewport, name in ((PHONE, "phone"), (DESK, "desk")):
        page = browser.new_page(viewport=viewport)
        login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
        page.goto(f"{base}/inbox")
        row = page.locator(".inbox-card:visible, .inbox-row:visible").filter(has_text="签名不符").first
        expect(row.locator(".inbox-reason")).to_have_text("签名不符：店铺的 App Secret 可能已更换，核对后重放")
        expect(row).to_contain_text("美团·字词测试")
        expect(row.get_by_text("signature mismatch", exact=False)).to_be_hidden()
        expect(row.get_by_text("order_id=WORDS-SIG", exact=False)).to_be_hidden()
        shot(page, f"{name}-inbox-words", full_page=name == "phone")
        row.locator(".inbox-raw summary").click()
        expect(row.get_by_text("signature mismatch", exact=False)).to_be_visible()
        expect(row.get_by_text("order_id=WORDS-SIG", exact=False)).to_be_visible()
        expect(row.locator(".inbox-raw summary .when-open")).to_have_text("收起")
        expect(row.locator(".inbox-raw summary .when-closed")).to_be_hidden()
        shot(page, f"{name}-inbox-words-open", full_page=name == "phone")
        page.close()


@pytest.mark.parametrize(("viewport", "name"), [(DESK, "desk"), (PHONE, "phone")])
def test_system_status_names_the_background_jobs_in_words(app_server, browser, viewport, name):
    base, env = app_server
    page = browser.new_page(viewport=viewport)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/system")
    card = page.locator("#card-worker")
    expect(card).to_contain_text("后台任务")
    expect(page.locator("#card-worker-badge")).to_have_text("运行中", timeout=30_000)
    expect(page.locator("#worker-age")).to_contain_text("秒前")
    expect(page.locator("#worker-id")).not_to_be_empty()  # technical, but there (small)
    shot(page, f"{name}-system")
    page.close()


def test_a_refused_print_is_a_page_that_says_so(app_server, browser, world):
    base, _ = app_server
    page = browser.new_page(viewport=PHONE)
    login(page, base, "clerk_other", "clerk-pass-123")
    page.goto(f"{base}/print?id={world['refunded']}&w=58")
    expect(page.locator("#print-refused")).to_have_text("没有权限打印此订单")
    expect(page.locator("#ticket")).to_have_count(0)
    expect(page.get_by_role("link", name="返回订单")).to_be_visible()
    shot(page, "phone-print-refused")
    page.close()
