"""Refund messages through ingest into the after-sale center: one record per refund, duplicates
and out-of-order messages, the order's after-sale state, the order closed by a full refund."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import EventKind, PlatformRefund, RefundKind, RefundLine, RefundStatus
from qihang_app.models import AfterSale, AfterSaleEvent, AfterSaleLine, OutboxMessage
from qihang_app.services.aftersale_intake import line_states
from tests.services.ingest_factories import T0, apply, event, line, order, snapshot


def refund(status, *, rid="R1", kind=RefundKind.FULL, amount=1000, **kw) -> PlatformRefund:
    return PlatformRefund(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_refund_id=rid,
        platform_order_id="MT1",
        kind=kind,
        status=status,
        amount_fen=amount,
        reason="少送一件",
        **kw,
    )


def push(status, seconds, **kw):
    r = refund(status, updated_at=T0 + timedelta(seconds=seconds), **kw)
    return event(EventKind.REFUND, at=T0 + timedelta(seconds=seconds), refund=r)


def records(session) -> list[AfterSale]:
    session.expire_all()
    return list(session.exec(select(AfterSale).order_by(AfterSale.id)))


def timeline(session, record_id) -> list[tuple]:
    rows = session.exec(
        select(AfterSaleEvent).where(AfterSaleEvent.after_sale_id == record_id).order_by(AfterSaleEvent.id)
    )
    return [(e.kind, e.from_state, e.to_state) for e in rows]


def test_a_request_opens_one_record_with_deadline_pictures_and_lines(session, world):
    apply(
        session, world, snapshot(status=OrderStatus.TO_SHIP, lines=[line("A", qty=2, price=300), line("B", price=400)])
    )
    deadline = T0 + timedelta(hours=24)
    ask = push(RefundStatus.APPLIED, 60, pictures=("https://img.example/1.jpg",), deadline_at=deadline, raw={"x": 1})
    result = apply(session, world, ask)
    assert [(c.kind, c.state) for c in result.after_sales] == [("new", "pending")]
    (record,) = records(session)
    assert (record.kind, record.state, record.amount_fen) == ("presale_refund", "pending", 1000)
    assert record.deadline_at == deadline and "1.jpg" in record.pictures and '"x": 1' in record.raw
    assert order(session).after_sale_state == "in_progress"
    lines = session.exec(select(AfterSaleLine).where(AfterSaleLine.after_sale_id == record.id)).all()
    assert sorted((ln.platform_sku_id, ln.quantity, ln.amount_fen) for ln in lines) == [("A", 2, 600), ("B", 1, 400)]
    # the card's 异常 now points to the after-sale center
    assert "请到售后处理" in __import__("qihang_app.i18n", fromlist=["render"]).render(
        order(session).exception_reason, "zh"
    )


def test_duplicate_pushes_change_nothing(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    ask = push(RefundStatus.APPLIED, 60)
    apply(session, world, ask)
    again = apply(session, world, ask)
    assert again.after_sales == []
    (record,) = records(session)
    assert timeline(session, record.id) == [("created", None, "pending")]  # no ERP connection: no push


def test_out_of_order_pushes_end_in_the_newest_state(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    # the success arrives first, then the older request and agreement
    apply(session, world, push(RefundStatus.SUCCEEDED, 180))
    apply(session, world, push(RefundStatus.APPLIED, 60), push(RefundStatus.AGREED, 120))
    (record,) = records(session)
    assert record.state == "refunded" and record.refunded_fen == 1000
    o = order(session)
    assert o.status == "closed" and o.after_sale_state == "refunded"


def test_refused_then_appealed_moves_back_to_pending_only_when_newer(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    apply(session, world, push(RefundStatus.APPLIED, 60), push(RefundStatus.REJECTED, 120))
    assert records(session)[0].state == "refused"
    apply(session, world, push(RefundStatus.APPLIED, 60))  # the old request again: ignored
    assert records(session)[0].state == "refused"
    apply(session, world, push(RefundStatus.APPLIED, 300))  # the buyer asked again
    assert records(session)[0].state == "pending"


def test_partial_refund_is_partly_refunded_and_keeps_the_order_open(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP, lines=[line("A", price=600), line("B", price=400)]))
    part = push(
        RefundStatus.SUCCEEDED,
        60,
        kind=RefundKind.PARTIAL,
        amount=400,
        lines=(RefundLine("IB", "B", "梨", 1, 400),),
    )
    apply(session, world, part)
    o = order(session)
    assert (o.status, o.after_sale_state) == ("to_ship", "partly_refunded")
    by_line = line_states(session, order_id=o.id)
    assert sorted(by_line.values()) == ["none", "refunded"]


def test_return_flow_keeps_the_waybill_and_two_refunds_are_two_records(session, world):
    apply(session, world, snapshot(status=OrderStatus.COMPLETED))
    kw = {"kind": RefundKind.RETURN_GOODS}
    apply(session, world, push(RefundStatus.APPLIED, 60, **kw), push(RefundStatus.AGREED, 120, **kw))
    shipped = push(RefundStatus.RETURN_SHIPPED, 180, return_waybill="SF123", return_carrier="顺丰", **kw)
    apply(session, world, shipped)
    (record,) = records(session)
    assert (record.kind, record.state, record.return_waybill) == ("return_refund", "returned", "SF123")
    apply(session, world, push(RefundStatus.APPLIED, 200, rid="R2", amount=100))
    assert [r.platform_refund_id for r in records(session)] == ["R1", "R2"]
    assert session.exec(select(OutboxMessage)).all() == []  # intake never writes back by itself
