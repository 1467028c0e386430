"""Lost callbacks recovered by the status poll, and riders' positions for carriers whose callbacks
carry none (达达, 美团跑腿): the cron asks the carrier twin and applies the answer as a callback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from integrations.carrier_contract import RiderUpdate
from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.models import OrderEvent, utcnow
from qihang_app.services import deliveries_poll
from tests.workers.test_carrier_dispatch import (  # noqa: F401  (fixture)
    carrier_account,
    delivery,
    order_now,
    packed_order,
    public_url,
    step,
    until_status,
)
from workers.tasks.delivery import book_delivery
from workers.tasks.delivery_poll import poll_rides

pytestmark = pytest.mark.timeout(90)


def later(minutes: int = 5):
    return utcnow() + timedelta(minutes=minutes)


def events(oms, order_id: int) -> list[OrderEvent]:
    with Session(oms.engine) as session:
        return list(session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id)).all())


@pytest.mark.parametrize("carrier", ["dada", "sf_same_city", "shansong", "meituan_paotui"])
async def test_lost_callbacks_are_recovered_by_the_poll(oms, ctx, carrier):
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, carrier, drop_callbacks=100)  # every callback is lost
    assert (await book_delivery(ctx, order.id, account))["ok"]
    handle = delivery(oms, order.id).carrier_order_id.partition("/")[0]
    step(oms, carrier, handle, "accepted")
    step(oms, carrier, handle, "picked_up")
    assert delivery(oms, order.id).status == "awaiting_rider"  # nothing arrived
    await poll_rides(ctx)  # changed a moment ago: not asked yet
    assert delivery(oms, order.id).status == "awaiting_rider"
    answer = await poll_rides(ctx, now=later())
    assert answer["changed"] >= 1, answer
    ride = delivery(oms, order.id)
    truth = oms.sandbox.control.get(f"/carriers/{carrier}/rides/{handle}").json()
    assert (ride.status, ride.rider_name) == ("delivering", truth["rider_name"])
    assert order_now(oms, order.id).status == "shipped"
    seen = len(events(oms, order.id))
    await poll_rides(ctx, now=later())  # asked again: the same answer changes nothing
    assert len(events(oms, order.id)) == seen
    step(oms, carrier, handle, "delivered")
    await poll_rides(ctx, now=later())
    assert delivery(oms, order.id).status == "delivered"
    assert order_now(oms, order.id).status == "completed"


async def test_an_older_answer_never_moves_a_ride_back(oms, ctx):
    _, order = await packed_order(oms, ctx)
    account, _ = carrier_account(oms, "dada")
    assert (await book_delivery(ctx, order.id, account))["ok"]
    ride = delivery(oms, order.id)
    step(oms, "dada", ride.order_ref, "accepted")
    step(oms, "dada", ride.order_ref, "picked_up")
    ride = await until_status(oms, order.id, "delivering")
    item = deliveries_poll.PollItem(ride.id, account, "dada", ride.carrier_order_id)
    stale = RiderUpdate(ride.order_ref, ride.carrier_order_id, S.RIDER_ACCEPTED, "某人", "13900000000",
                        at=utcnow() + timedelta(minutes=1))  # fmt: skip
    with Session(oms.engine) as session:
        row, changed = deliveries_poll.apply_polled(session, item=item, update=stale)
        assert (row.status, changed) == ("delivering", False)
        session.commit()
    assert delivery(oms, order.id).rider_name == ride.rider_name


@pytest.mark.parametrize("carrier", ["dada", "meituan_paotui"])
async def test_rider_position_for_carriers_whose_callbacks_carry_none(oms, ctx, carrier):
    _, order = await packed_order(oms, ctx)
    account, _ = carrier_account(oms, carrier)
    assert (await book_delivery(ctx, order.id, account))["ok"]
    handle = delivery(oms, order.id).carrier_order_id.partition("/")[0]
    step(oms, carrier, handle, "accepted")
    ride = await until_status(oms, order.id, "rider_accepted")
    assert ride.lat is None  # the callback had no position
    await poll_rides(ctx, now=later())
    truth = oms.sandbox.control.get(f"/carriers/{carrier}/rides/{handle}").json()["position"]
    ride = delivery(oms, order.id)
    assert ride.lat == pytest.approx(truth["lat"], abs=1e-5) and ride.lng == pytest.approx(truth["lng"], abs=1e-5)
    step(oms, carrier, handle, "picked_up")
    await until_status(oms, order.id, "delivering")
    await poll_rides(ctx)  # a ride on its way is asked every tick, stale or not
    truth = oms.sandbox.control.get(f"/carriers/{carrier}/rides/{handle}").json()["position"]
    ride = delivery(oms, order.id)
    assert ride.lat == pytest.approx(truth["lat"], abs=1e-5) and ride.lng == pytest.approx(truth["lng"], abs=1e-5)
