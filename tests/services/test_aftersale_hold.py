"""补发 / 换货 hold their goods like an order (both databases): reserved once agreed, the ERP's
result deducts what was held (on hand and reserved together), and an after-sale that ends without
sending releases the hold; each move once however often the step repeats."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from qihang_app.models import AfterSaleLine, ErpSku, Order, OrderLine, StockLevel, StockMove
from qihang_app.services import aftersale_actions as actions
from qihang_app.services import aftersale_stock
from qihang_app.services.stock_levels import store_location

from .test_aftersale_actions import _asked


def _manual(session, world, kind: str):
    """A shipped order with its lines linked to one SKU with 20 on the shelf, and a hand-made
    after-sale of `kind` over all its lines."""
    base = _asked(session, world)  # only for its order
    order = session.get(Order, base.order_id)
    sku = ErpSku(code=f"HOLD-{kind}", name="预占测试")
    session.add(sku)
    session.flush()
    session.execute(sa.text("update order_lines set erp_sku_id = :s where order_id = :o"), {"s": sku.id, "o": order.id})
    shelf = store_location(session, order.store_id)
    session.add(StockLevel(location_id=shelf, erp_sku_id=sku.id, on_hand=20, reserved=0))
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    record = actions.create_manual(
        session, actor=world.admin, order_id=order.id, kind=kind,
        line_quantities={line.id: line.quantity for line in lines}, reason="少发了",
    )  # fmt: skip
    session.commit()
    quantity = sum(
        a.quantity for a in session.exec(select(AfterSaleLine).where(AfterSaleLine.after_sale_id == record.id))
    )
    return record, sku.id, shelf, quantity


def _level(session, shelf: int, sku_id: int) -> tuple[int, int]:
    row = session.exec(select(StockLevel).where(StockLevel.location_id == shelf, StockLevel.erp_sku_id == sku_id)).one()
    session.refresh(row)
    return row.on_hand, row.reserved


def test_a_resend_is_held_once_agreed_and_the_result_takes_what_was_held(session, world):
    record, sku_id, shelf, quantity = _manual(session, world, "resend")
    assert _level(session, shelf, sku_id) == (20, 0)  # asked, not agreed: nothing held
    actions.agree(session, actor=world.admin, after_sale_id=record.id)
    session.commit()
    assert _level(session, shelf, sku_id) == (20, quantity)
    for _ in range(2):  # the ERP says it sent the goods (twice)
        actions.record_result(session, after_sale_id=record.id, outcome="resend", tracking_no="SF100")
        session.commit()
    assert _level(session, shelf, sku_id) == (20 - quantity, 0)
    moves = session.exec(select(StockMove).where(StockMove.erp_sku_id == sku_id).order_by(StockMove.id)).all()
    assert [(m.kind, m.on_hand_delta, m.reserved_delta) for m in moves] == [
        ("reserve", 0, quantity),
        ("deduct", -quantity, -quantity),
    ]


def test_an_exchange_that_ends_without_sending_releases_its_hold(session, world):
    record, sku_id, shelf, quantity = _manual(session, world, "exchange")
    actions.agree(session, actor=world.admin, after_sale_id=record.id)
    session.commit()
    assert _level(session, shelf, sku_id) == (20, quantity)
    record = session.get(type(record), record.id)
    record.state = "closed"  # the buyer withdrew it at the platform
    aftersale_stock.sync_hold(session, record)
    aftersale_stock.sync_hold(session, record)  # again: released once
    session.commit()
    assert _level(session, shelf, sku_id) == (20, 0)
    kinds = [m.kind for m in session.exec(select(StockMove).where(StockMove.erp_sku_id == sku_id))]
    assert sorted(kinds) == ["release", "reserve"]


def test_a_resend_never_agreed_deducts_without_a_hold(session, world):
    record, sku_id, shelf, quantity = _manual(session, world, "resend")
    actions.record_result(session, after_sale_id=record.id, outcome="resend", tracking_no="SF200")
    session.commit()
    assert _level(session, shelf, sku_id) == (20 - quantity, 0)
