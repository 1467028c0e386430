"""Stock sync reaches the platforms' twins through the outbox: one batched call per shop, the
shop's safety buffer kept back, 售罄 at zero and 上架 again when stock returns (where the
platform has that call), and nothing sent again while nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from qihang_app.models import ErpSku, OutboxMessage, ShopSku, utcnow
from qihang_app.services import stock_admin, stock_sync
from qihang_app.services.stock_levels import store_location
from workers.tasks.outbox import relay_outbox

pytestmark = pytest.mark.timeout(90)


def _later():
    return utcnow() + timedelta(seconds=10)  # past the debounce


def _product(oms, pair) -> dict:
    return oms.sandbox.control.get(f"/shops/{pair.platform}/{pair.platform_shop_id}/catalog").json()[0]


def _twin_stock(oms, pair, sku_id: str) -> dict:
    catalog = oms.sandbox.control.get(f"/shops/{pair.platform}/{pair.platform_shop_id}/catalog").json()
    return next(p for p in catalog if p["sku_id"] == sku_id)


async def _push(oms, ctx) -> int:
    with Session(oms.engine) as session:
        queued = stock_sync.flush_due(session, now=_later())
        session.commit()
    await relay_outbox(ctx)
    return queued


async def test_stock_reaches_both_twins_with_buffer_and_sold_out(oms, ctx):
    meituan, laike = oms.add_shop("meituan"), oms.add_shop("douyin_laike")
    products = {pair.platform: _product(oms, pair) for pair in (meituan, laike)}
    with Session(oms.engine) as session:
        sku = ErpSku(code="COLA-330", name="可乐 330ml")
        session.add(sku)
        session.flush()
        for pair in (meituan, laike):
            p = products[pair.platform]
            session.add(
                ShopSku(
                    shop_id=pair.shop_id, platform_item_id=p["item_id"], platform_sku_id=p["sku_id"], erp_sku_id=sku.id
                )
            )
        stock_admin.set_shop_setting(session, actor=oms.admin, shop_id=meituan.shop_id, reserve_on="accept", buffer=2)
        loc = store_location(session, oms.store_id)
        for qty in (4, 6):  # two changes, one push per shop (batched and debounced)
            stock_admin.receive(session, actor=oms.admin, location_id=loc, sku_id=sku.id, quantity=qty)
        session.commit()
        sku_id = sku.id

    with Session(oms.engine) as session:  # not yet quiet long enough: nothing queued
        assert stock_sync.flush_due(session) == 0
    assert await _push(oms, ctx) == 2
    assert _twin_stock(oms, meituan, products["meituan"]["sku_id"])["stock"] == 8  # 10 - buffer 2
    assert _twin_stock(oms, laike, products["douyin_laike"]["sku_id"])["stock"] == 10
    assert await _push(oms, ctx) == 0  # nothing changed: nothing sent

    with Session(oms.engine) as session:
        stock_admin.write_off(session, actor=oms.admin, location_id=loc, sku_id=sku_id, quantity=9, note="过期")
        session.commit()
    assert await _push(oms, ctx) == 2
    mt = _twin_stock(oms, meituan, products["meituan"]["sku_id"])
    assert mt["stock"] == 0 and mt["on_sale"] is False  # 1 left, buffer 2: 售罄 on Meituan
    assert _twin_stock(oms, laike, products["douyin_laike"]["sku_id"])["stock"] == 1

    with Session(oms.engine) as session:
        stock_admin.receive(session, actor=oms.admin, location_id=loc, sku_id=sku_id, quantity=5)
        session.commit()
    await _push(oms, ctx)
    mt = _twin_stock(oms, meituan, products["meituan"]["sku_id"])
    assert mt["stock"] == 4 and mt["on_sale"] is True  # 上架 again
    written = oms.sandbox.control.get("/writebacks", params={"platform": "meituan"}).json()
    mine = [w for w in written if w["shop_id"] == meituan.platform_shop_id]
    assert [w["api"] for w in mine] == ["sku_stock", "sku_stock", "sell_status", "sku_stock", "sell_status"]
    assert [w["params"]["sell_status"] for w in mine if w["api"] == "sell_status"] == [1, 0]
    with Session(oms.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == stock_sync.KIND)).all()
        assert rows and all(r.status == "done" for r in rows), [(r.status, r.last_error) for r in rows]
