"""Per order line after-sale state for the 售后 detail and the order drawer (both databases):
a partial refund of one line shows on that line only; the drawer's query is scope checked."""

from __future__ import annotations

import pytest

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import RefundKind, RefundLine, RefundStatus
from qihang_app.models import OrderLine
from qihang_app.services import aftersale_queries as queries
from qihang_app.services.scope import ScopeError
from tests.services.ingest_factories import apply, line, order, snapshot
from tests.services.test_aftersale_intake import push, records


def test_each_line_shows_its_own_after_sale_state(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP, lines=[line("A", price=600), line("B", price=400)]))
    asked = push(
        RefundStatus.APPLIED, 60, kind=RefundKind.PARTIAL, amount=200, lines=(RefundLine("IB", "B", "梨", 1, 200),)
    )
    apply(session, world, asked)
    o = order(session)
    (record,) = records(session)
    lines = {ln.platform_sku_id: ln.id for ln in session.query(OrderLine).filter(OrderLine.order_id == o.id)}
    states = queries.order_line_states(session, actor=world.admin, order_id=o.id)
    assert states == {lines["A"]: "none", lines["B"]: "in_progress"}
    apply(session, world, push(RefundStatus.SUCCEEDED, 120, kind=RefundKind.PARTIAL, amount=200,
                               lines=(RefundLine("IB", "B", "梨", 1, 200),)))  # fmt: skip
    detail = queries.detail(session, actor=world.admin, after_sale_id=record.id)
    assert [(ln["name"], ln["line_state"]) for ln in detail["lines"]] == [("梨", "partly_refunded")]
    assert queries.order_line_states(session, actor=world.admin, order_id=o.id)[lines["A"]] == "none"


def test_another_stores_order_is_refused(session, world):
    with pytest.raises(ScopeError):
        queries.order_line_states(session, actor=world.staff_a, order_id=world.order_b)
