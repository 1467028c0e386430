"""闪送's adapter against its twin over loopback HTTP: form signing with the secret as a prefix,
calculate-then-place booking, fen on the wire, BD-09 rider positions turned into GCJ-02 at the edge,
every status of §11.5."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import pytest

from integrations.shansong import wire
from qihang_app.domain.geo import Point, distance_m
from qihang_app.domain.platform_order import DeliveryStatus as S
from tests.integrations import carrier_cases as cases
from tests.integrations.carrier_support import rig_for  # noqa: F401  (fixture)

CARRIER = "shansong"


@pytest.fixture
def rig(rig_for):  # noqa: F811
    return rig_for(CARRIER)


def test_the_signature_is_secret_then_sorted_pairs():
    fields = {"shopId": "S1", "clientId": "C1", "timestamp": "1700000000000", "data": '{"a":1}', "accessToken": ""}
    assert wire.base_string("K", fields) == 'KclientIdC1data{"a":1}shopIdS1timestamp1700000000000'
    assert wire.sign("K", fields) == wire.sign("K", {**fields, "sign": "ignored"})
    assert wire.sign("K", fields).isupper() and len(wire.sign("K", fields)) == 32


async def test_quote_in_fen(rig):
    await cases.quote_in_fen(rig)


async def test_create_is_idempotent_on_the_order_no(rig):
    await cases.create_is_idempotent(rig)


async def test_cancel_with_reason(rig):
    await cases.cancel_with_reason(rig)


async def test_addition_fee_in_fen(rig):
    await cases.tip_is_recorded(rig)
    (call,) = rig.requests("addition")
    assert call["params"]["additionFee"] == 300


async def test_balance_and_too_low(rig):
    rig.set(balance_fen=88)
    assert await rig.adapter().balance() == 88
    await cases.low_balance_is_refused(rig)


async def test_no_rider(rig):
    await cases.no_rider_is_refused(rig)


async def test_rate_limit_is_retried(rig):
    await cases.rate_limit_is_retried(rig)


async def test_wrong_secret_is_refused_by_the_twin(rig):
    await cases.wrong_secret_is_refused(rig, "app_secret")


async def test_addresses_go_out_in_bd09(rig):
    order = rig.order()
    await rig.adapter().quote(order)
    sender = rig.requests("orderCalculate")[-1]["params"]["sender"]
    sent = Point(float(sender["fromLongitude"]), float(sender["fromLatitude"]))
    assert distance_m(sent, Point(order.pickup_lng, order.pickup_lat)) > 500  # BD-09 is ~1 km off GCJ-02
    # the twin reads BD-09 back to GCJ-02, so the quoted distance is the real one
    assert 2000 <= (await rig.adapter().quote(order)).distance_m <= 6000


async def test_callbacks_are_verified_mapped_and_positions_converted(rig):
    updates = await cases.callbacks_are_verified_and_mapped(
        rig, [S.AWAITING_RIDER, S.RIDER_ACCEPTED, S.AT_STORE, S.DELIVERING, S.DELIVERED]
    )
    delivered = updates[-1]  # the twin put the rider at the receiver (GCJ-02) and sent it as BD-09
    assert distance_m(Point(delivered.lng, delivered.lat), Point(121.4420, 31.2050)) < 1.0
    at_store = updates[2]
    assert distance_m(Point(at_store.lng, at_store.lat), Point(121.4480, 31.2290)) < 1.0


def test_a_known_bd09_point_becomes_gcj02():
    data = {"issOrderNo": "TDH1", "orderNo": "QH1", "status": 40,
            "courier": {"name": "王师傅", "mobile": "13900001111", "longitude": "116.404", "latitude": "39.915"}}  # fmt: skip
    update = wire.parse_callback({"data": json.dumps(data), "timestamp": "1700000000000"})
    assert update.lng == pytest.approx(116.39762729119315, abs=1e-9)
    assert update.lat == pytest.approx(39.90865673957631, abs=1e-9)


async def test_a_tampered_callback_is_refused(rig):
    adapter, (push, *_) = await cases.ride_callbacks(rig, ["accepted"])
    assert adapter.verify_callback(push.body, push.headers, {})
    fields = dict(parse_qsl(push.body.decode()))
    forged = urlencode({**fields, "data": fields["data"].replace('"status":20', '"status":50')}).encode()
    assert forged != push.body and not adapter.verify_callback(forged, push.headers, {})
    other = urlencode({**fields, "clientId": "someone-else"}).encode()
    assert not adapter.verify_callback(other, push.headers, {})
    assert not adapter.verify_callback(b"%zz=&&", push.headers, {})


async def test_repeats_and_disorder_fold_to_one_state(rig):
    await cases.repeats_and_disorder_fold_to_one_state(rig)


async def test_reassignment_and_rider_cancel_are_flagged(rig):
    adapter, received = await cases.ride_callbacks(rig, ["accepted", "at_store", "reassigned", "rider_cancelled"])
    updates = [adapter.parse_callback(p.body) for p in received]
    assert [u.reassigned for u in updates] == [False, False, False, True, True]
    assert updates[-1].status is S.AWAITING_RIDER


async def test_the_timeline_runs_on_its_own(rig):
    await cases.auto_timeline_reaches_delivered(rig)


@pytest.mark.parametrize(
    ("status", "sub", "expected"),
    [("20", "", S.AWAITING_RIDER), ("30", "1", S.RIDER_ACCEPTED), ("30", "2", S.AT_STORE),
     ("40", "", S.DELIVERING), ("50", "", S.DELIVERED), ("60", "", S.CANCELLED)],
)  # fmt: skip
def test_every_status_of_the_table(status, sub, expected):
    data = {"issOrderNo": "TDH1", "orderNo": "QH1", "status": int(status), "subStatus": sub}
    assert wire.parse_callback(data).status is expected
    with pytest.raises(ValueError):
        wire.parse_callback({**data, "status": 10})


async def test_status_from_order_info_bd09_converted(rig):
    await cases.status_follows_the_ride(rig)


async def test_status_of_a_cancelled_ride(rig):
    await cases.status_of_a_cancelled_ride(rig)


async def test_status_of_an_unknown_ride(rig):
    await cases.status_of_an_unknown_ride_is_refused(rig, "TDH404")
