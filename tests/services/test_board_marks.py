"""The board's marks end to end in the services: 尾号 search through ingest and 接单, the
已取消 / 已拒单 mark with the platform's reason, and the cancel / refund voice alerts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from qihang_app.domain.board import Tab
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
from qihang_app.models import Order, utcnow
from qihang_app.services import board, dispatch, orders
from qihang_app.services import inbox as inbox_service
from qihang_app.services.inbox import RawMessage
from qihang_app.services.ingest import IngestItem, apply_batch

PRIVACY = "17926818563_5885"


def _ingest(session, world, *payloads) -> None:
    [inbox_id] = inbox_service.store_raw(
        session, [RawMessage(source="meituan", kind="order_paid", body="{}", shop_id=world.shop_a)]
    )
    item = IngestItem(inbox_id=inbox_id, shop_id=world.shop_a)
    for payload in payloads:
        (item.orders if isinstance(payload, PlatformOrder) else item.events).append(payload)
    apply_batch(session, items=[item])
    session.commit()


def _snapshot(no: str, *, phone: str = PRIVACY, seq: int = 41) -> PlatformOrder:
    now = utcnow()
    return PlatformOrder(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_order_id=no,
        status=OrderStatus.AWAITING_ACCEPT,
        raw_status_code="2",
        placed_at=now,
        updated_at=now,
        receiver_name="李四",
        receiver_phone=phone,
        paid_fen=1500,
        goods_fen=1500,
        day_seq=seq,
        lines=[
            PlatformOrderLine(
                platform_item_id="I1",
                platform_sku_id="S1",
                name="矿泉水",
                quantity=1,
                unit_price_fen=1500,
                paid_fen=1500,
            )
        ],
    )


def _event(kind: EventKind, no: str, **kw) -> PlatformEvent:
    return PlatformEvent(
        kind=kind,
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_order_id=no,
        raw_type=str(kind),
        occurred_at=datetime.now(UTC),
        **kw,
    )


def _order(session, no: str) -> Order:
    session.expire_all()
    return session.exec(select(Order).where(Order.platform_order_id == no)).one()


def _found(session, world, query: str) -> tuple[list[int], list[int]]:
    """(ids the board finds, ids the order list finds)."""
    b = board.load_board(session, actor=world.staff_a, query=query)
    page = orders.list_orders(session, actor=world.staff_a, query=query)
    return sorted(c.id for tab in b.cards.values() for c in tab), sorted(row.id for row in page.rows)


def test_privacy_number_is_found_by_extension_and_by_number_tail_after_accept(session, world):
    _ingest(session, world, _snapshot("MT-P1"))
    o = _order(session, "MT-P1")
    assert _found(session, world, "5885") == ([o.id], [o.id])
    dispatch.accept(session, actor=world.staff_a, order_id=o.id)  # an ORM update of the order
    session.commit()
    assert _found(session, world, "5885") == ([o.id], [o.id])  # the extension staff type
    assert _found(session, world, "8563") == ([o.id], [o.id])  # the number's own last four digits
    stored = _order(session, "MT-P1")
    assert (stored.receiver_phone_tail, stored.receiver_phone_ext) == ("8563", "5885")


def test_buyer_cancel_before_accept_is_marked_with_the_platform_reason(session, world):
    _ingest(session, world, _snapshot("MT-C1", seq=95))
    _ingest(
        session,
        world,
        _event(EventKind.CANCEL, "MT-C1", cancelled_by="user", cancel_reason_code="1001", cancel_reason="不想要了"),
    )
    b = board.load_board(session, actor=world.staff_a)
    card = next(c for c in b.cards[Tab.DONE] if c.platform_order_id == "MT-C1")
    assert (card.end_mark, card.cancelled_by, card.cancel_reason) == ("cancelled", "user", "不想要了")
    assert b.alerts == set()  # nobody had started on it: nothing to say


def test_reject_is_marked_rejected_with_the_chosen_reason(session, world):
    _ingest(session, world, _snapshot("MT-R1", seq=81))
    o = _order(session, "MT-R1")
    dispatch.reject(session, actor=world.staff_a, order_id=o.id, reason_code="2007")
    session.commit()
    card = next(c for c in board.load_board(session, actor=world.staff_a).cards[Tab.DONE] if c.id == o.id)
    assert (card.end_mark, card.cancel_reason) == ("rejected", "商品已售完")


def test_cancel_and_refund_request_after_accept_ask_for_their_voice_lines(session, world):
    _ingest(session, world, _snapshot("MT-A1", seq=1), _snapshot("MT-A2", seq=2))
    for no in ("MT-A1", "MT-A2"):
        dispatch.accept(session, actor=world.staff_a, order_id=_order(session, no).id)
    session.commit()
    _ingest(session, world, _event(EventKind.CANCEL, "MT-A1", cancelled_by="user", cancel_reason="买错了"))
    refund = PlatformRefund(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_refund_id="R1",
        platform_order_id="MT-A2",
        kind=RefundKind.FULL,
        status=RefundStatus.APPLIED,
        amount_fen=1500,
        reason="不要了",
        updated_at=datetime.now(UTC),
    )
    _ingest(session, world, _event(EventKind.REFUND, "MT-A2", refund=refund))
    b = board.load_board(session, actor=world.staff_a)
    a1, a2 = _order(session, "MT-A1").id, _order(session, "MT-A2").id
    assert b.alerts == {f"cancelled:{a1}", f"refund:{a2}"}
    assert next(c for c in b.cards[Tab.EXCEPTION] if c.id == a1).end_mark == "cancelled"
