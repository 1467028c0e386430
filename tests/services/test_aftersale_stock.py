"""After-sales move stock on the store's ledger: returned goods back only when received and
sellable, 补发 out like a hand-over, each once however often it is repeated (both databases)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import RefundKind
from qihang_app.models import AfterSale, AfterSaleLine, ErpSku, StockMove
from qihang_app.services import aftersale_actions as actions
from qihang_app.services import aftersale_stock
from qihang_app.services.stock_levels import available, store_location

from .test_aftersale_actions import _asked


def _linked_return(session, world) -> tuple[AfterSale, int]:
    record = _asked(session, world, kind=RefundKind.RETURN_GOODS, status=OrderStatus.COMPLETED)
    sku = ErpSku(code="RET-1", name="退货测试")
    session.add(sku)
    session.flush()
    session.execute(
        sa.text("update order_lines set erp_sku_id = :s where order_id = :o"), {"s": sku.id, "o": record.order_id}
    )
    session.commit()
    return record, sku.id


def test_a_sellable_return_goes_back_on_the_shelf_once(session, world):
    record, sku_id = _linked_return(session, world)
    actions.agree(session, actor=world.admin, after_sale_id=record.id)
    actions.confirm_receipt(session, actor=world.admin, after_sale_id=record.id, sellable=True)
    session.commit()
    received = sum(line.received_quantity for line in session.exec(select(AfterSaleLine)).all())
    shelf = store_location(session, record.store_id)
    assert received > 0 and available(session, shelf, sku_id) == received
    aftersale_stock.return_to_stock(session, after_sale_id=record.id, store_id=record.store_id)  # a repeat
    session.commit()
    assert available(session, shelf, sku_id) == received
    moves = session.exec(select(StockMove).where(StockMove.erp_sku_id == sku_id)).all()
    assert [(m.kind, m.on_hand_delta, m.reason) for m in moves] == [("receive", received, "after_sale")]


def test_goods_not_sellable_stay_off_the_shelf(session, world):
    record, sku_id = _linked_return(session, world)
    actions.agree(session, actor=world.admin, after_sale_id=record.id)
    actions.confirm_receipt(session, actor=world.admin, after_sale_id=record.id, sellable=False)
    session.commit()
    assert available(session, store_location(session, record.store_id), sku_id) == 0
    assert session.exec(select(StockMove).where(StockMove.erp_sku_id == sku_id)).all() == []


def test_a_resend_leaves_the_shelf_once_and_is_noted_when_short(session, world):
    record, sku_id = _linked_return(session, world)
    aftersale_stock.send_out(session, after_sale_id=record.id, store_id=record.store_id, reason="resend")
    session.commit()  # nothing on the shelf: refused, noted, no ledger row
    assert session.exec(select(StockMove).where(StockMove.erp_sku_id == sku_id)).all() == []
    shelf = store_location(session, record.store_id)
    session.execute(
        sa.text("update stock_levels set on_hand = 10 where location_id = :l and erp_sku_id = :s"),
        {"l": shelf, "s": sku_id},
    )
    for _ in range(2):
        aftersale_stock.send_out(session, after_sale_id=record.id, store_id=record.store_id, reason="resend")
    session.commit()
    sent = sum(line.quantity for line in session.exec(select(AfterSaleLine)).all())
    assert available(session, shelf, sku_id) == 10 - sent
