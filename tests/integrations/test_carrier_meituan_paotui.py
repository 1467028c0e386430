"""美团跑腿's adapter against its twin over loopback HTTP: SHA-1 signing with the secret as a prefix
(and the SHA-256 variant), yuan at the edge, coordinates x 10^6, no tip or balance call, every
status of §11.5."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode

import pytest

from integrations.contract import Unsupported
from integrations.errors import plain_error
from integrations.meituan_paotui import wire
from qihang_app.domain.messages import decode
from qihang_app.domain.platform_order import DeliveryStatus as S
from tests.integrations import carrier_cases as cases
from tests.integrations.carrier_support import rig_for  # noqa: F401  (fixture)

CARRIER = "meituan_paotui"


@pytest.fixture
def rig(rig_for):  # noqa: F811
    return rig_for(CARRIER)


def test_the_signature_skips_empty_values_and_prefixes_the_secret():
    fields = {"appkey": "A", "timestamp": "1700000000", "version": "1.0", "note": "", "sign": "x"}
    assert wire.base_string("K", fields) == "KappkeyAtimestamp1700000000version1.0"
    assert wire.sign("K", fields) == hashlib.sha1(b"KappkeyAtimestamp1700000000version1.0").hexdigest()
    assert len(wire.sign("K", fields, "sha256")) == 64 and wire.signed_ok(
        {**fields, "sign": wire.sign("K", fields)}, "K"
    )


async def test_quote_in_fen(rig):
    await cases.quote_in_fen(rig)
    params = rig.requests("order/preCreateByShop")[-1]["params"]
    assert params["receiver_lat"] == "31205000" and params["goods_value"] == "59.70"


async def test_create_is_idempotent_on_the_order_id(rig):
    await cases.create_is_idempotent(rig)


async def test_cancel_with_reason(rig):
    await cases.cancel_with_reason(rig)


async def test_no_tip_and_no_balance_call(rig):
    adapter = rig.adapter()
    booking = await adapter.create(rig.order(), idempotency_key="k")
    calls = len(rig.requests())
    with pytest.raises(Unsupported) as caught:
        await adapter.add_tip(booking.carrier_order_id, tip_fen=200)
    assert decode(plain_error(caught.value))[0] == "carrier_err.unsupported"
    with pytest.raises(Unsupported):
        await adapter.balance()
    assert len(rig.requests()) == calls  # refused before any request
    assert await rig.kind.check_connection(adapter.account, rig.http) == ("carrier.test.ok", {})


async def test_low_balance_is_refused(rig):
    await cases.low_balance_is_refused(rig)


async def test_no_rider(rig):
    await cases.no_rider_is_refused(rig)


async def test_rate_limit_is_retried(rig):
    await cases.rate_limit_is_retried(rig)


async def test_wrong_secret_is_refused_by_the_twin(rig):
    await cases.wrong_secret_is_refused(rig, "app_secret")
    failed = await rig.kind.check_connection(rig.adapter(app_secret="wrong").account, rig.http)
    assert failed[0] == "carrier.test.failed" and decode(failed[1]["reason"])[0] == "carrier_err.credentials"


async def test_callbacks_are_verified_and_mapped(rig):
    updates = await cases.callbacks_are_verified_and_mapped(
        rig, [S.AWAITING_RIDER, S.RIDER_ACCEPTED, S.DELIVERING, S.DELIVERED]
    )
    assert [u.carrier_status for u in updates] == ["0", "20", "30", "50"]


async def test_a_tampered_callback_is_refused(rig):
    adapter, (push, *_) = await cases.ride_callbacks(rig, ["accepted"])
    assert adapter.verify_callback(push.body, push.headers, {})
    fields = dict(parse_qsl(push.body.decode(), keep_blank_values=True))
    assert not adapter.verify_callback(urlencode({**fields, "status": "50"}).encode(), push.headers, {})
    assert not adapter.verify_callback(urlencode({**fields, "appkey": "other"}).encode(), push.headers, {})


async def test_repeats_and_disorder_fold_to_one_state(rig):
    await cases.repeats_and_disorder_fold_to_one_state(rig)


async def test_the_timeline_runs_on_its_own(rig):
    await cases.auto_timeline_reaches_delivered(rig)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("0", S.AWAITING_RIDER), ("20", S.RIDER_ACCEPTED), ("30", S.DELIVERING), ("50", S.DELIVERED), ("99", S.CANCELLED)],
)
def test_every_status_of_the_table(code, expected):
    fields = {"delivery_id": "7", "mt_peisong_id": "MP1", "order_id": "QH1", "status": code}
    update = wire.parse_callback(fields)
    assert update.status is expected and update.carrier_order_id == "MP1/7"
    with pytest.raises(ValueError):
        wire.parse_callback({**fields, "status": "40"})


async def test_status_query_and_rider_location(rig):
    await cases.status_follows_the_ride(rig)
    assert rig.requests("order/rider/location"), "the position comes from order/rider/location"


async def test_status_of_a_cancelled_ride(rig):
    await cases.status_of_a_cancelled_ride(rig)
    assert not rig.requests("order/rider/location")  # nobody to locate


async def test_status_of_an_unknown_ride(rig):
    await cases.status_of_an_unknown_ride_is_refused(rig, "999/1")
