"""达达's adapter against its twin over loopback HTTP: signing, yuan at the edge, every status code
of §11.5, callbacks verified (tampered refused), re-publish after a cancel."""

from __future__ import annotations

import json

import pytest

from integrations.dada import wire
from qihang_app.domain.platform_order import DeliveryStatus as S
from tests.integrations import carrier_cases as cases
from tests.integrations.carrier_support import rig_for  # noqa: F401  (fixture)

CARRIER = "dada"


@pytest.fixture
def rig(rig_for):  # noqa: F811
    return rig_for(CARRIER)


async def test_quote_in_fen(rig):
    await cases.quote_in_fen(rig)


async def test_create_is_idempotent_on_the_origin_id(rig):
    await cases.create_is_idempotent(rig)


async def test_cancel_with_reason(rig):
    await cases.cancel_with_reason(rig)


async def test_tip_in_yuan_on_the_wire(rig):
    await cases.tip_is_recorded(rig)
    (call,) = rig.requests("order/addTip")
    assert call["params"]["tips"] == "3.00"


async def test_balance_in_fen_and_too_low(rig):
    rig.set(balance_fen=12345)
    assert await rig.adapter().balance() == 12345
    await cases.low_balance_is_refused(rig)


async def test_no_rider(rig):
    await cases.no_rider_is_refused(rig)


async def test_rate_limit_is_retried(rig):
    await cases.rate_limit_is_retried(rig)


async def test_wrong_secret_is_refused_by_the_twin(rig):
    await cases.wrong_secret_is_refused(rig, "app_secret")


async def test_callbacks_are_verified_and_mapped(rig):
    updates = await cases.callbacks_are_verified_and_mapped(
        rig, [S.AWAITING_RIDER, S.RIDER_ACCEPTED, S.AT_STORE, S.DELIVERING, S.DELIVERED]
    )
    assert [u.carrier_status for u in updates] == ["1", "2", "100", "3", "4"]


async def test_a_tampered_callback_is_refused(rig):
    adapter, (push, *_) = await cases.ride_callbacks(rig, [])
    fields = json.loads(push.body)
    for name, value in (("order_id", "QH-OTHER"), ("update_time", fields["update_time"] + 60), ("signature", "0" * 32)):
        forged = json.dumps({**fields, name: value}).encode()
        assert not adapter.verify_callback(forged, {}, {}), name
    assert not adapter.verify_callback(b"not json", {}, {})


async def test_repeats_and_disorder_fold_to_one_state(rig):
    await cases.repeats_and_disorder_fold_to_one_state(rig)


async def test_reassignment_and_rider_cancel_are_flagged(rig):
    adapter, received = await cases.ride_callbacks(rig, ["accepted", "reassigned", "rider_cancelled", "accepted"])
    updates = [adapter.parse_callback(p.body) for p in received]
    assert [u.reassigned for u in updates] == [False, False, True, True, False]
    assert updates[2].rider_name != updates[1].rider_name and updates[3].status is S.AWAITING_RIDER


async def test_goods_returned_and_expiry(rig):
    adapter, received = await cases.ride_callbacks(rig, ["accepted", "picked_up", "returning", "returned"])
    assert [adapter.parse_callback(p.body).status for p in received][-2:] == [S.EXCEPTION, S.EXCEPTION]
    adapter, received = await cases.ride_callbacks(rig, ["expired"])
    expired = adapter.parse_callback(received[-1].body)
    assert expired.status is S.CANCELLED and expired.carrier_status == "7" and expired.reason


async def test_redispatch_after_a_cancel(rig):
    adapter, order = rig.adapter(), rig.order()
    booking = await adapter.create(order, idempotency_key="k")
    await adapter.cancel(booking.carrier_order_id, reason="骑手太远")
    again = await adapter.redispatch(order, idempotency_key="k2")
    ride = rig.ride(again.carrier_order_id)
    assert ride["stage"] == "awaiting" and ride["dispatches"] == 2


async def test_the_timeline_runs_on_its_own(rig):
    await cases.auto_timeline_reaches_delivered(rig)


@pytest.mark.parametrize("code", sorted(wire.STATUS, key=int))
def test_every_status_code_of_the_table(code):
    expected = {"1": S.AWAITING_RIDER, "2": S.RIDER_ACCEPTED, "8": S.RIDER_ACCEPTED, "100": S.AT_STORE,
                "3": S.DELIVERING, "4": S.DELIVERED, "5": S.CANCELLED, "7": S.CANCELLED, "9": S.EXCEPTION,
                "10": S.EXCEPTION, "1000": S.EXCEPTION}  # fmt: skip
    fields = {"client_id": "D1", "order_id": "QH1", "order_status": int(code), "update_time": 1700000000}
    fields["signature"] = wire.callback_signature(fields)
    assert wire.callback_ok(fields)
    assert wire.parse_callback(fields).status is expected[code]
    with pytest.raises(ValueError):
        wire.parse_callback({**fields, "order_status": 6})


def test_the_envelope_signature():
    fields = {"app_key": "k", "body": "{}", "format": "json", "source_id": "73753", "timestamp": "1", "v": "1.0"}
    assert wire.base_string("S", fields) == "Sapp_keykbody{}formatjsonsource_id73753timestamp1v1.0S"
    assert wire.sign("S", fields) == wire.sign("S", {**fields, "signature": "x"}).upper()


async def test_status_query_with_the_rider_position(rig):
    await cases.status_follows_the_ride(rig)
    (call, *_) = rig.requests("order/status/query")
    assert set(call["params"]) == {"order_id"}


async def test_status_of_a_cancelled_ride(rig):
    await cases.status_of_a_cancelled_ride(rig)


async def test_status_of_an_unknown_ride(rig):
    await cases.status_of_an_unknown_ride_is_refused(rig, "QH-nope")
