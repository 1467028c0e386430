"""Auto-dispatch against the carrier twins: the rule books its choice after 备货完成, cancels a
ride nobody took within its minutes and books the next carrier, stops over the price cap, and
says every decision on the order's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from qihang_app.domain.messages import decode
from qihang_app.models import OrderEvent, utcnow
from qihang_app.services import auto_dispatch as rules
from tests.workers.test_carrier_dispatch import carrier_account, delivery, packed_order, public_url  # noqa: F401
from workers.tasks.auto_dispatch import auto_dispatch

pytestmark = pytest.mark.timeout(90)


def set_rule(oms, **fields) -> None:
    values = dict(enabled=True, trigger="ready", strategy="preferred", accept_minutes=3)
    values.update(fields)
    with Session(oms.engine) as session:
        rules.save_rule(session, actor=oms.admin, store_id=oms.store_id, **values)
        session.commit()


def decisions(oms, order_id: int) -> list[str]:
    with Session(oms.engine) as session:
        rows = session.exec(
            select(OrderEvent)
            .where(OrderEvent.order_id == order_id, OrderEvent.kind.in_([rules.DECIDED, rules.STOPPED]))
            .order_by(OrderEvent.id)
        ).all()
        return [decode(r.note)[0] for r in rows]


async def test_no_rider_in_time_falls_back_to_the_next_carrier(oms, ctx):
    _, order = await packed_order(oms, ctx)
    dada, _ = carrier_account(oms, "dada")
    shansong, _ = carrier_account(oms, "shansong")
    set_rule(oms, preferred=["shansong", "dada"])
    assert (await auto_dispatch(ctx))["booked"] == 1
    first = delivery(oms, order.id)
    assert (first.carrier, first.auto, first.status) == ("shansong", True, "awaiting_rider")
    assert (await auto_dispatch(ctx))["booked"] == 0  # still within its minutes: nothing to do
    late = utcnow() + timedelta(minutes=3, seconds=1)
    assert (await auto_dispatch(ctx, late))["booked"] == 1
    second = delivery(oms, order.id)
    assert (second.carrier, second.order_ref) == ("dada", f"QH{order.id}-2")
    with Session(oms.engine) as session:
        assert session.get(type(first), first.id).status == "cancelled"
    assert decisions(oms, order.id) == [
        "delivery.auto.chose_preferred",
        "delivery.auto.timeout",
        "delivery.auto.chose_preferred",
    ]
    # both tried and nobody came again: the rule hands the order to staff, once
    later = late + timedelta(minutes=3, seconds=1)
    await auto_dispatch(ctx, later)
    await auto_dispatch(ctx, later)
    assert decisions(oms, order.id)[-2:] == ["delivery.auto.timeout", "delivery.auto.all_tried"]
    assert delivery(oms, order.id).status == "cancelled"


async def test_over_the_price_cap_the_rule_stops(oms, ctx):
    _, order = await packed_order(oms, ctx)
    carrier_account(oms, "dada")
    set_rule(oms, strategy="cheapest", max_fee_fen=1)
    assert (await auto_dispatch(ctx))["booked"] == 0
    assert delivery(oms, order.id) is None
    assert decisions(oms, order.id) == ["delivery.auto.over_cap"]
    await auto_dispatch(ctx)
    assert decisions(oms, order.id) == ["delivery.auto.over_cap"]  # said once


async def test_a_carrier_refusing_the_booking_is_passed_over(oms, ctx):
    _, order = await packed_order(oms, ctx)
    carrier_account(oms, "dada", balance_fen=0)
    carrier_account(oms, "sf_same_city")
    set_rule(oms, preferred=["dada", "sf_same_city"])
    assert (await auto_dispatch(ctx))["booked"] == 1
    assert delivery(oms, order.id).carrier == "sf_same_city"
    assert decisions(oms, order.id) == [
        "delivery.auto.chose_preferred",
        "delivery.auto.failed",
        "delivery.auto.chose_preferred",
    ]
