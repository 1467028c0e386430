"""Hand-built platform data and small readers shared by the ingest service tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    PlatformEvent,
    PlatformOrder,
    PlatformOrderLine,
)
from qihang_app.models import Order, OrderEvent, OrderLine
from qihang_app.services import inbox as inbox_service
from qihang_app.services.inbox import RawMessage
from qihang_app.services.ingest import IngestItem, apply_batch

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def line(sku="SKU1", *, qty=1, price=1000, outer="", barcode="", name="苹果") -> PlatformOrderLine:
    return PlatformOrderLine(
        platform_item_id="I" + sku,
        platform_sku_id=sku,
        name=name,
        quantity=qty,
        unit_price_fen=price,
        paid_fen=qty * price,
        outer_sku_code=outer,
        barcode=barcode,
    )


def snapshot(no="MT1", *, status=OrderStatus.AWAITING_ACCEPT, at=T0, lines=None, **kw):
    lines = lines if lines is not None else [line()]
    return PlatformOrder(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_order_id=no,
        status=status,
        raw_status_code="2",
        placed_at=T0,
        updated_at=at,
        receiver_name="张三",
        receiver_phone="13812345678_1234",
        paid_fen=1000,
        goods_fen=1000,
        lines=lines,
        day_seq=3,
        **kw,
    )


def event(kind, no="MT1", *, at=T0, **kw) -> PlatformEvent:
    return PlatformEvent(
        kind=kind,
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_order_id=no,
        raw_type=str(kind),
        occurred_at=at,
        **kw,
    )


def rows(session, world, *kinds) -> list[int]:
    ids = inbox_service.store_raw(
        session, [RawMessage(source="meituan", kind=k, body="{}", shop_id=world.shop_a) for k in kinds]
    )
    session.commit()
    return ids


def apply(session, world, *payloads, kind="order_paid"):
    """Each payload (a PlatformOrder or PlatformEvent) as one inbox row; returns the result."""
    ids = rows(session, world, *[kind] * len(payloads))
    items = []
    for inbox_id, payload in zip(ids, payloads):
        item = IngestItem(inbox_id=inbox_id, shop_id=world.shop_a)
        if isinstance(payload, PlatformOrder):
            item.orders.append(payload)
        else:
            item.events.append(payload)
        items.append(item)
    result = apply_batch(session, items=items)
    session.commit()
    return result


def order(session, no="MT1") -> Order:
    session.expire_all()
    return session.exec(select(Order).where(Order.platform_order_id == no)).one()


def events(session, order_id) -> list[tuple]:
    return [
        (e.kind, e.from_status, e.to_status)
        for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))
    ]


def lines_of(session, order_id) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)))
