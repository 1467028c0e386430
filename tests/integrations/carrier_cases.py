"""Checks every carrier adapter must pass against its twin; each test_carrier_<name>.py runs them
for its carrier and adds what is special about it."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import pytest

from integrations.base import PlatformError
from integrations.errors import plain_error
from qihang_app.domain.messages import decode
from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.domain.rider_state import fold
from tests.integrations.carrier_support import Rig


async def quote_in_fen(rig: Rig) -> None:
    quote = await rig.adapter().quote(rig.order())
    assert quote.carrier == rig.carrier
    assert isinstance(quote.fee_fen, int) and 500 <= quote.fee_fen <= 5000
    assert 2000 <= quote.distance_m <= 6000 and quote.eta_minutes > 0


async def create_is_idempotent(rig: Rig) -> None:
    adapter, order = rig.adapter(), rig.order()
    before = rig.set()["balance_fen"]
    first = await adapter.create(order, idempotency_key=f"ride:{order.order_ref}")
    again = await adapter.create(order, idempotency_key=f"ride:{order.order_ref}")  # a retried job
    assert first == again and first.fee_fen > 0
    ride = rig.ride(first.carrier_order_id)
    assert ride["order_ref"] == order.order_ref and ride["stage"] == "awaiting"
    assert rig.set()["balance_fen"] == before - first.fee_fen  # charged once


async def cancel_with_reason(rig: Rig) -> None:
    adapter, order = rig.adapter(), rig.order()
    booking = await adapter.create(order, idempotency_key="k")
    rig.step(booking.carrier_order_id, "accepted")
    await adapter.cancel(booking.carrier_order_id, reason="顾客取消订单")
    ride = rig.ride(booking.carrier_order_id)
    assert ride["stage"] == "cancelled" and ride["reason"] == "顾客取消订单"
    sent = await _sent(rig, booking.carrier_order_id, 3)  # created, accepted, cancelled
    received = await rig.wait_callbacks(len(sent))
    bodies = [p for p in received if adapter.verify_callback(p.body, p.headers, _query(p))]
    assert adapter.parse_callback(bodies[-1].body).status is S.CANCELLED


async def tip_is_recorded(rig: Rig) -> None:
    adapter = rig.adapter()
    booking = await adapter.create(rig.order(), idempotency_key="k")
    await adapter.add_tip(booking.carrier_order_id, tip_fen=300)
    assert rig.ride(booking.carrier_order_id)["tip_fen"] == 300


async def low_balance_is_refused(rig: Rig) -> None:
    rig.set(balance_fen=100)
    adapter, order = rig.adapter(), rig.order()
    with pytest.raises(PlatformError) as caught:
        await adapter.create(order, idempotency_key="k")
    assert caught.value.code in rig.kind.balance_codes and not caught.value.retryable
    key, params = decode(plain_error(caught.value))
    assert key == "carrier_err.balance_low" and params["carrier"]["zh"] == rig.kind.name_zh
    assert rig.control.get(f"/carriers/{rig.carrier}/rides/{order.order_ref}").status_code == 404  # nothing booked


async def no_rider_is_refused(rig: Rig) -> None:
    rig.set(no_riders=True)
    with pytest.raises(PlatformError) as caught:
        await rig.adapter().quote(rig.order())
    assert caught.value.code in rig.kind.no_rider_codes
    assert decode(plain_error(caught.value))[0] == "carrier_err.no_rider"


async def rate_limit_is_retried(rig: Rig) -> None:
    rig.set(rate_limited=1)
    quote = await rig.adapter().quote(rig.order())
    assert quote.fee_fen > 0
    assert [r["outcome"] for r in rig.requests()][-2:] == ["rate", "ok"]


async def wrong_secret_is_refused(rig: Rig, secret_field: str) -> None:
    with pytest.raises(PlatformError) as caught:
        await rig.adapter(**{secret_field: "not-the-secret"}).quote(rig.order())
    assert caught.value.code in rig.kind.credential_codes
    assert decode(plain_error(caught.value))[0] == "carrier_err.credentials"
    assert rig.requests()[-1]["outcome"] == "sign"


async def ride_callbacks(rig: Rig, events: list[str]) -> tuple[object, list]:
    """Book, then move the rider through `events`; returns (adapter, received callbacks)."""
    adapter, order = rig.adapter(), rig.order()
    booking = await adapter.create(order, idempotency_key="k")
    for event in events:
        rig.step(booking.carrier_order_id, event)
    sent = await _sent(rig, booking.carrier_order_id, len(events) + 1)
    return adapter, await rig.wait_callbacks(len(sent))


async def _sent(rig: Rig, ref: str, count: int) -> list[dict]:
    """The callbacks of a ride once `count` events were handled (skipped ones included)."""
    for _ in range(200):
        callbacks = rig.ride(ref)["callbacks"]
        if len(callbacks) >= count:
            break
        await asyncio.sleep(0.05)
    return [c for c in callbacks if not c.get("skipped")]


async def callbacks_are_verified_and_mapped(rig: Rig, expected: list[S]) -> list:
    events = ["accepted", "at_store", "picked_up", "delivered"]
    adapter, received = await ride_callbacks(rig, events)
    updates = []
    for push in received:
        assert adapter.verify_callback(push.body, push.headers, _query(push)), push.body
        updates.append(adapter.parse_callback(push.body))
    assert [u.status for u in updates] == expected
    rider = updates[-1]
    assert rider.rider_name and rider.rider_phone.startswith("1") and rider.at is not None
    return updates


async def repeats_and_disorder_fold_to_one_state(rig: Rig) -> None:
    adapter, received = await ride_callbacks(rig, ["accepted", "picked_up", "out_of_order", "duplicate"])
    updates = [adapter.parse_callback(p.body) for p in received]
    assert updates[-2].status is S.RIDER_ACCEPTED and updates[-1] == updates[-2]  # stale, then repeated
    assert adapter.parse_callback(received[-1].body) == updates[-1]  # parsing is deterministic
    final = fold(updates)
    assert final.status is S.DELIVERING and final == fold(list(reversed(updates)))


async def auto_timeline_reaches_delivered(rig: Rig, expected_last: S = S.DELIVERED) -> None:
    rig.control.post("/riders/speed", json={"speed": 50_000})
    try:
        rig.set(auto=True)
        adapter = rig.adapter()
        booking = await adapter.create(rig.order(), idempotency_key="k")
        sent = await _sent(rig, booking.carrier_order_id, 5)  # created, accepted, at store, picked up, delivered
        ride = rig.ride(booking.carrier_order_id)
        received = await rig.wait_callbacks(len(sent))
    finally:
        rig.control.post("/riders/speed", json={"speed": 1})
    assert ride["stage"] == "delivered" and ride["rider_name"]
    statuses = [adapter.parse_callback(p.body).status for p in received]
    assert statuses[-1] is expected_last and statuses == sorted(statuses, key=list(S).index), statuses


def _query(push) -> dict[str, str]:
    return dict(parse_qsl(push.query, keep_blank_values=True))


async def status_follows_the_ride(rig: Rig, *, positions: bool = True) -> None:
    """The status query tells what the callbacks told: the stage, the rider, the position (GCJ-02)."""
    adapter = rig.adapter()
    booking = await adapter.create(rig.order(), idempotency_key="k")
    first = await adapter.status(booking.carrier_order_id)
    assert first.status is S.AWAITING_RIDER and first.carrier_order_id == booking.carrier_order_id
    for event, expected in (("accepted", S.RIDER_ACCEPTED), ("picked_up", S.DELIVERING), ("delivered", S.DELIVERED)):
        rig.step(booking.carrier_order_id, event)
        update = await adapter.status(booking.carrier_order_id)
        truth = rig.ride(booking.carrier_order_id)
        assert update.status is expected, (event, update)
        assert update.rider_name == truth["rider_name"] and update.rider_phone == truth["rider_phone"]
        if positions and expected is not S.DELIVERED:
            assert update.lat == pytest.approx(truth["position"]["lat"], abs=1e-5)
            assert update.lng == pytest.approx(truth["position"]["lng"], abs=1e-5)


async def status_of_a_cancelled_ride(rig: Rig) -> None:
    adapter = rig.adapter()
    booking = await adapter.create(rig.order(), idempotency_key="k")
    await adapter.cancel(booking.carrier_order_id, reason="顾客取消订单")
    await _sent(rig, booking.carrier_order_id, 2)
    update = await adapter.status(booking.carrier_order_id)
    assert update.status is S.CANCELLED


async def status_of_an_unknown_ride_is_refused(rig: Rig, handle: str) -> None:
    with pytest.raises(PlatformError) as caught:
        await rig.adapter().status(handle)
    assert not caught.value.retryable
