"""A carrier's callback that arrives before our booking is recorded is acked, kept, and applied
once when the booking is recorded; one kept too long is left alone (the status poll has it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from integrations.carrier_contract import DeliveryOrder, RiderUpdate
from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.models import InboxMessage, OrderEvent, utcnow
from qihang_app.services import carrier_accounts, deliveries_waiting, ride_requests
from tests.ingest_support import wait_until
from tests.workers.test_carrier_dispatch import (  # noqa: F401  (fixture)
    carrier_account,
    delivery,
    packed_order,
    public_url,
    step,
)
from workers.tasks.delivery import _adapter, book_delivery
from workers.tasks.ingest import run_db

pytestmark = pytest.mark.timeout(90)


def kept(oms, carrier: str, ref: str) -> list[InboxMessage]:
    with Session(oms.engine) as session:
        key = f"carrier_wait:{carrier}:{ref}"
        return list(session.exec(select(InboxMessage).where(InboxMessage.dedup_key == key)).all())


def rider_events(oms, order_id: int) -> list[str]:
    with Session(oms.engine) as session:
        rows = session.exec(
            select(OrderEvent).where(OrderEvent.order_id == order_id, OrderEvent.kind == "delivery")
        ).all()
        return [r.note for r in rows]


async def booked_at_the_carrier_only(oms, ctx, carrier: str):
    """The carrier has the ride and calls back; our worker has not written it yet."""
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, carrier)
    keys = await run_db(ctx, lambda s: carrier_accounts.account_keys(s, account_id=account))
    request = await run_db(ctx, lambda s: ride_requests.ride_request(s, order_id=order.id))
    ref = f"QH{order.id}"
    order_ = DeliveryOrder(order_ref=ref, callback_url=keys.callback_url, **request)
    booking = await _adapter(ctx, keys).create(order_, idempotency_key=ref)
    return order, account, info, ref, booking


@pytest.mark.parametrize("carrier", ["dada", "shansong"])
async def test_a_callback_before_the_booking_is_applied_once(oms, ctx, carrier):
    order, account, info, ref, booking = await booked_at_the_carrier_only(oms, ctx, carrier)
    sent = step(oms, carrier, booking.carrier_order_id, "accepted")["sent"]
    assert sent and all(s["delivered"] for s in sent), sent  # acked: the carrier does not retry
    assert await wait_until(lambda: len(kept(oms, carrier, ref)) >= 2, 10)  # created + accepted
    assert {(m.status, m.error) for m in kept(oms, carrier, ref)} == {("failed", deliveries_waiting.WAITING)}
    assert delivery(oms, order.id) is None
    assert (await book_delivery(ctx, order.id, account))["ok"]  # create again (same ride), then recorded
    ride = delivery(oms, order.id)
    truth = oms.sandbox.control.get(f"/carriers/{carrier}/rides/{booking.carrier_order_id}").json()
    assert (ride.status, ride.rider_name) == ("rider_accepted", truth["rider_name"])
    assert {m.status for m in kept(oms, carrier, ref)} == {"processed"}
    assert len(rider_events(oms, order.id)) == 1  # 已接单 once
    step(oms, carrier, booking.carrier_order_id, "duplicate")
    with Session(oms.engine) as session:
        assert deliveries_waiting.apply_waiting(session, carrier=carrier, order_ref=ref) == 0
    assert len(rider_events(oms, order.id)) == 1


async def test_a_callback_kept_too_long_is_left_alone(oms, ctx):
    order, _, _, ref, booking = await booked_at_the_carrier_only(oms, ctx, "dada")
    assert await wait_until(lambda: len(kept(oms, "dada", ref)) >= 1, 10)
    with Session(oms.engine) as session:
        late = utcnow() + deliveries_waiting.KEEP + timedelta(minutes=1)
        assert deliveries_waiting.apply_waiting(session, carrier="dada", order_ref=ref, now=late) == 0


async def test_a_booking_recorded_while_the_callback_is_kept_is_seen(oms, ctx):
    """The race the kept callback must not lose: its ride is written between our first look and
    the keeping (the keeping looks again, under the per-ride lock on PostgreSQL)."""
    order, account, _, ref, booking = await booked_at_the_carrier_only(oms, ctx, "dada")
    assert await wait_until(lambda: len(kept(oms, "dada", ref)) >= 1, 10)
    assert (await book_delivery(ctx, order.id, account))["ok"]
    update = RiderUpdate(ref, ref, S.RIDER_ACCEPTED, "王五", "13700000000", at=utcnow())
    with Session(oms.engine) as session:
        row = deliveries_waiting.keep(session, carrier="dada", update=update, account_id=account, body="{}", headers={})
        assert row is not None and row.status == "rider_accepted"
        session.commit()
    assert len(kept(oms, "dada", ref)) == 1  # applied, not kept
    assert delivery(oms, order.id).rider_name == "王五"
