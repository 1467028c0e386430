"""顺丰同城's adapter against its twin over loopback HTTP: the worked signing example, `?sign=` on
requests and callbacks, fen on the wire, callbacks told apart by url_index, every status of §11.5."""

from __future__ import annotations

import json

import pytest

from integrations import registry
from integrations.sf_same_city import wire
from qihang_app.domain.platform_order import DeliveryStatus as S
from tests.integrations import carrier_cases as cases
from tests.integrations.carrier_support import rig_for  # noqa: F401  (fixture)

CARRIER = "sf_same_city"


@pytest.fixture
def rig(rig_for):  # noqa: F811
    return rig_for(CARRIER)


def test_the_worked_signing_example_reproduces():
    body = b'{"dev_id":1,"push_time":1700000000,"version":17}'
    assert wire.sign(body, "1", "DEVKEY") == "NDU5MmRmOTc0YmZhNDFmM2UzN2Q5MTBkZGUxOGE3ZmY="
    signature, base = registry.carrier(CARRIER).sign("DEVKEY", {}, body)
    assert signature == "NDU5MmRmOTc0YmZhNDFmM2UzN2Q5MTBkZGUxOGE3ZmY=" and base.endswith("&1&DEVKEY")


async def test_quote_in_fen(rig):
    await cases.quote_in_fen(rig)


async def test_create_is_idempotent_on_the_shop_order_id(rig):
    await cases.create_is_idempotent(rig)


async def test_cancel_with_reason(rig):
    await cases.cancel_with_reason(rig)


async def test_gratuity_in_fen_on_the_wire(rig):
    await cases.tip_is_recorded(rig)
    (call,) = rig.requests("addordergratuityfee")
    assert call["params"]["gratuity_fee"] == 300


async def test_balance_and_too_low(rig):
    rig.set(balance_fen=4321)
    assert await rig.adapter().balance() == 4321
    assert await rig.kind.check_connection(rig.adapter().account, rig.http) == (
        "carrier.test.ok_balance",
        {"balance": "43.21"},
    )
    await cases.low_balance_is_refused(rig)


async def test_no_rider(rig):
    await cases.no_rider_is_refused(rig)


async def test_rate_limit_is_retried(rig):
    await cases.rate_limit_is_retried(rig)


async def test_wrong_key_is_refused_by_the_twin(rig):
    await cases.wrong_secret_is_refused(rig, "dev_key")


async def test_callbacks_are_verified_and_mapped(rig):
    updates = await cases.callbacks_are_verified_and_mapped(
        rig, [S.RIDER_ACCEPTED, S.AT_STORE, S.DELIVERING, S.DELIVERED]
    )
    assert all(u.lat and u.lng for u in updates)  # SF sends the rider's position (GCJ-02)
    assert updates[-1].lat == pytest.approx(31.2050) and updates[-1].lng == pytest.approx(121.4420)


async def test_a_tampered_callback_is_refused(rig):
    adapter, (push, *_) = await cases.ride_callbacks(rig, ["accepted"])
    query = cases._query(push)
    assert adapter.verify_callback(push.body, push.headers, query)
    forged = push.body.replace(b'"order_status":10', b'"order_status":17')
    assert forged != push.body and not adapter.verify_callback(forged, push.headers, query)
    assert not adapter.verify_callback(push.body, push.headers, {})


async def test_repeats_and_disorder_fold_to_one_state(rig):
    await cases.repeats_and_disorder_fold_to_one_state(rig)


async def test_reassignment_recall_exception_and_return(rig):
    events = ["accepted", "reassigned", "rider_cancelled", "accepted", "picked_up", "returning", "returned"]
    adapter, received = await cases.ride_callbacks(rig, events)
    updates = [adapter.parse_callback(p.body) for p in received]
    assert [u.status for u in updates] == [S.RIDER_ACCEPTED, S.RIDER_ACCEPTED, S.AWAITING_RIDER, S.RIDER_ACCEPTED,
                                           S.DELIVERING, S.EXCEPTION, S.EXCEPTION]  # fmt: skip
    assert [u.reassigned for u in updates][:3] == [False, True, True]


async def test_the_timeline_runs_on_its_own(rig):
    await cases.auto_timeline_reaches_delivered(rig)


@pytest.mark.parametrize(
    ("index", "code", "extra", "expected"),
    [
        ("rider_status", 10, {}, S.RIDER_ACCEPTED),
        ("rider_status", 12, {}, S.AT_STORE),
        ("rider_status", 15, {}, S.DELIVERING),
        ("order_complete", 17, {"receipt_type": 1}, S.DELIVERED),
        ("order_complete", 17, {"receipt_type": 2}, S.EXCEPTION),
        ("sf_cancel", 2, {}, S.CANCELLED),
        ("rider_exception", 22, {}, S.EXCEPTION),
        ("rider_recall", 10, {}, S.AWAITING_RIDER),
        ("", 17, {}, S.DELIVERED),
        ("", 2, {}, S.CANCELLED),
        ("", 22, {}, S.EXCEPTION),
    ],
)
def test_every_status_of_the_table(index, code, extra, expected):
    fields = {"sf_order_id": "SF1", "shop_order_id": "QH1", "url_index": index, "order_status": code, **extra}
    assert wire.parse_callback(fields).status is expected
    with pytest.raises(ValueError):
        wire.parse_callback({**fields, "url_index": "", "order_status": 99})
    assert json.loads(wire.body_bytes(fields)) == fields


async def test_status_from_the_order_feed(rig):
    await cases.status_follows_the_ride(rig)


async def test_status_of_a_cancelled_ride(rig):
    await cases.status_of_a_cancelled_ride(rig)


async def test_status_of_an_unknown_ride(rig):
    await cases.status_of_an_unknown_ride_is_refused(rig, "SF404")
