"""Ingest marks what needs the store's attention (异常): refund requests and rider problems,
until staff acknowledge them; a refund recorded in an older note format is not recorded again."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    DeliveryUpdate,
    EventKind,
    PlatformRefund,
    RefundKind,
    RefundStatus,
)
from qihang_app.i18n import render
from qihang_app.models import OrderEvent
from tests.services.ingest_factories import T0, apply, event, order, snapshot


def test_a_refund_request_puts_the_card_in_exception_until_acknowledged(session, world):
    from qihang_app.domain.board import Tab
    from qihang_app.services import board, dispatch

    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    asked = PlatformRefund(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_refund_id="R9",
        platform_order_id="MT1",
        kind=RefundKind.PARTIAL,
        status=RefundStatus.APPLIED,
        amount_fen=500,
        reason="少送一件",
    )
    ev = event(EventKind.REFUND, refund=asked, at=T0 + timedelta(minutes=1))
    apply(session, world, ev)
    o = order(session)
    assert render(o.exception_reason, "zh") == "顾客申请退款 ¥5.00：少送一件，请到售后处理"
    assert (
        render(o.exception_reason, "en") == "The buyer asks for a refund ¥5.00: 少送一件; answer it under After-sales"
    )
    cards = board.load_board(session, actor=world.staff_a, now=T0 + timedelta(minutes=2))
    assert [c.id for c in cards.cards[Tab.EXCEPTION]] == [o.id]

    dispatch.acknowledge_exception(session, actor=world.staff_a, order_id=o.id)
    session.commit()
    apply(session, world, ev)  # the platform delivers the same message again: no new alarm
    assert order(session).exception_reason is None


def test_a_refund_recorded_before_notes_were_encoded_is_not_recorded_again(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    o = order(session)
    session.add(
        OrderEvent(
            order_id=o.id,
            actor="platform:meituan",
            kind="refund",
            note="退款 partial/applied 500分 #R9 少送一件 (push refund)",
        )
    )
    session.commit()
    asked = PlatformRefund(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_refund_id="R9",
        platform_order_id="MT1",
        kind=RefundKind.PARTIAL,
        status=RefundStatus.APPLIED,
        amount_fen=500,
        reason="少送一件",
    )
    apply(session, world, event(EventKind.REFUND, refund=asked, at=T0 + timedelta(minutes=1)))
    refunds = session.exec(select(OrderEvent).where(OrderEvent.order_id == o.id, OrderEvent.kind == "refund")).all()
    assert len(refunds) == 1 and order(session).exception_reason is None


def test_a_rider_cancelling_puts_the_card_in_exception(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    apply(
        session,
        world,
        event(
            EventKind.DELIVERY,
            at=T0 + timedelta(seconds=30),
            delivery=DeliveryUpdate(
                status=DeliveryStatus.CANCELLED, raw_status_code="", rider_name="王师傅", rider_phone=""
            ),
        ),
    )
    o = order(session)
    assert o.status == "to_ship" and render(o.exception_reason, "zh").startswith("骑手取消了配送")
