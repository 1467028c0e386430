"""报表 in Chromium at phone (390×844) and desk sizes: a month of orders shows in the KPI cards,
charts, heat map and tables; an export downloads the screen's numbers; the phone is not cramped
(nothing wider than the screen except inside scrollable tables)."""

from __future__ import annotations

import csv
import io
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from qihang_app.db import make_engine, session_scope
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.report_period import preset_period
from qihang_app.models import Order, OrderLine, Shop, User
from qihang_app.services import auth
from qihang_app.services.reports import sales
from qihang_app.services.reports.query import ReportQuery
from tests.e2e.conftest import ARTIFACTS, DESK, PHONE, login

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("QH_SHOTS_DIR") or ARTIFACTS) / "reports"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(900)  # charts animate in
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def month_of_orders(app_server):
    """120 orders over the last 30 days on the demo shops, through the ORM like the app writes
    (the rollups follow on commit). Returns the valid orders the page should show: those other
    files left in the period plus this fixture's 106."""
    _, env = app_server
    engine = make_engine(env["DATABASE_URL"])
    rng = random.Random(15)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        last30 = preset_period("last30", datetime.now(SHANGHAI).date())
        before = sales.totals(session, ReportQuery(actor=auth.actor_for_user(session, admin), period=last30))
        shops = session.exec(select(Shop)).all()
        for i in range(120):
            shop = shops[i % len(shops)]
            placed = now - timedelta(days=rng.randrange(30), hours=rng.randrange(12), minutes=rng.randrange(60))
            cancelled = i % 9 == 0
            order = Order(
                platform=shop.platform, shop_id=shop.id, store_id=shop.store_id, platform_order_id=f"RPT{i}",
                status="cancelled" if cancelled else "completed", placed_at=placed, goods_fen=2000 + 37 * i,
                freight_fen=300, platform_discount_fen=150, merchant_discount_fen=200, paid_fen=1950 + 37 * i,
                accepted_at=placed + timedelta(seconds=30 + i), accept_deadline_at=placed + timedelta(seconds=120),
                delivered_at=None if cancelled else placed + timedelta(minutes=25 + i % 20),
                cancelled_by="user" if cancelled else None, cancel_reason="顾客不想要了" if cancelled else None,
            )  # fmt: skip
            session.add(order)
            session.flush()
            session.add(OrderLine(order_id=order.id, line_no=1, name=f"有机苹果 {i % 6}", platform_sku_id=f"A{i % 6}",
                                  quantity=1 + i % 3, paid_fen=1950 + 37 * i))  # fmt: skip
    with session_scope(engine) as session:  # some of the 106 fall before the window, by the hour of day
        admin = session.exec(select(User).where(User.username == "admin")).one()
        after = sales.totals(session, ReportQuery(actor=auth.actor_for_user(session, admin), period=last30))
    engine.dispose()
    assert after["valid_orders"] > before["valid_orders"]
    return after["valid_orders"]


def test_reports_on_desk_show_the_month_and_export_the_screen(app_server, browser, month_of_orders):
    base, env = app_server
    page = browser.new_page(viewport=DESK, accept_downloads=True)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/reports?preset=last30")
    kpis = page.locator("#report-kpis")
    expect(kpis).to_contain_text(str(month_of_orders), timeout=20_000)
    expect(page.locator("#report-sales_day")).to_be_visible()
    expect(page.locator(".recharts-surface").first).to_be_visible()
    expect(page.locator("#report-cancels")).to_contain_text("顾客不想要了")
    _shot(page, "reports-desk")
    # the export is the table on the screen, cell by cell
    table = page.locator("#report-sales_platform table")
    screen = [[c.inner_text().strip() for c in row.locator("td").all()] for row in table.locator("tbody tr").all()]
    with page.expect_download() as download:
        page.locator("#export-csv-sales_platform").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == screen and screen
    with page.expect_download() as download:
        page.locator("#export-xlsx-top_quantity").click()
    assert download.value.suggested_filename.endswith("top_quantity.xlsx")
    # yesterday compared with the day before: the period line says which days
    page.locator("#report-preset").get_by_role("radio", name="昨天").click()
    yesterday = (datetime.now(SHANGHAI).date() - timedelta(days=1)).isoformat()
    expect(page.get_by_text(f"{yesterday} 至 {yesterday}")).to_be_visible()
    page.close()


def test_reports_on_a_phone_are_not_cramped(app_server, browser, month_of_orders):
    base, env = app_server
    page = browser.new_page(viewport=PHONE)
    login(page, base, "admin", env["E2E_ADMIN_PASSWORD"])
    page.goto(f"{base}/reports?preset=last30")
    expect(page.locator("#report-kpis")).to_contain_text(str(month_of_orders), timeout=20_000)
    _shot(page, "reports-phone")
    # nothing but the tables' own scroll boxes is wider than the phone
    wide = page.evaluate("""() => document.documentElement.scrollWidth""")
    assert wide <= PHONE["width"] + 1
    chart = page.locator(".recharts-wrapper").first.bounding_box()
    assert chart["width"] >= 300 and chart["height"] >= 200
    cell = page.locator("#heat-phone [title]").first.bounding_box()
    assert cell["width"] >= 30  # hours as rows on a phone: the cells stay tappable and readable
    assert not page.locator("#heat-desk").is_visible()
    page.close()
