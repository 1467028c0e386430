"""Book, tip and cancel survive a carrier that is down for a while: the try is kept, shown on the
timeline and made again by the cron with the same ride ref / carrier order id; a carrier that stays
down puts the order in 异常 with its last answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from integrations.carrier_contract import DeliveryOrder
from qihang_app.domain.messages import decode
from qihang_app.models import OrderEvent, RideRetry, utcnow
from qihang_app.services import carrier_accounts, deliveries_retry, ride_requests
from tests.workers.test_carrier_dispatch import (  # noqa: F401  (fixture)
    carrier_account,
    delivery,
    order_now,
    packed_order,
    public_url,
    step,
)
from workers.tasks.delivery import _adapter, book_delivery, cancel_delivery, tip_delivery
from workers.tasks.delivery_retry import retry_rides
from workers.tasks.ingest import run_db

pytestmark = pytest.mark.timeout(120)


def down(oms, carrier: str, info: dict, calls: int) -> None:
    answer = oms.sandbox.control.patch(f"/carriers/{carrier}/accounts/{info['key']}", json={"failing": calls})
    assert answer.status_code == 200, answer.text


def retry_rows(oms, order_id: int) -> list[RideRetry]:
    with Session(oms.engine) as session:
        return list(session.exec(select(RideRetry).where(RideRetry.order_id == order_id)).all())


def notes(oms, order_id: int, kind: str) -> list[tuple[str, dict]]:
    with Session(oms.engine) as session:
        rows = session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id, OrderEvent.kind == kind)).all()
        return [decode(r.note) for r in rows]


def later(minutes: float):
    return utcnow() + timedelta(minutes=minutes)


def calls(oms, carrier: str, info: dict, method: str) -> list[str]:
    params = {"carrier": carrier, "account": info["key"], "method": method}
    return [r["outcome"] for r in oms.sandbox.control.get("/carriers/requests", params=params).json()]


async def test_a_booking_under_503_is_retried_and_books_one_ride(oms, ctx):
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, "dada")
    down(oms, "dada", info, 3)  # every try of the first call (FAST_RETRY: 3) answers 503
    first = await book_delivery(ctx, order.id, account, who="staff:1")
    assert first["ok"] is False and first["retrying"] is True, first
    assert decode(first["message"])[0] == "delivery.retry.scheduled"
    assert delivery(oms, order.id) is None
    (row,) = retry_rows(oms, order.id)
    assert (row.action, row.status, row.attempts, row.key) == ("book", "pending", 1, f"book:QH{order.id}")
    ((key, params),) = notes(oms, order.id, "delivery_retry")
    assert key == "delivery.note.retrying" and params["attempt"] == 2 and params["seconds"] == 10
    # Another carrier cannot be called meanwhile (two rides would come).
    other, _ = carrier_account(oms, "shansong")
    assert (await book_delivery(ctx, order.id, other))["key"] == "delivery.err.retry_pending"
    assert (await retry_rides(ctx))["due"] == 0  # not yet time
    answer = await retry_rides(ctx, now=later(1))
    assert answer["ok"] == 1, answer
    ride = delivery(oms, order.id)
    assert (ride.carrier, ride.order_ref, ride.status) == ("dada", f"QH{order.id}", "awaiting_rider")
    assert calls(oms, "dada", info, "order/addOrder").count("ok") == 1
    assert [r.status for r in retry_rows(oms, order.id)] == ["done"]
    assert (await retry_rides(ctx, now=later(10)))["due"] == 0


async def test_a_retry_after_the_carrier_did_book_finds_the_same_ride(oms, ctx):
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, "sf_same_city")
    down(oms, "sf_same_city", info, 3)
    assert (await book_delivery(ctx, order.id, account))["retrying"]
    # The carrier was only slow: our create reached it after all (by the same ref).
    keys = await run_db(ctx, lambda s: carrier_accounts.account_keys(s, account_id=account))
    request = await run_db(ctx, lambda s: ride_requests.ride_request(s, order_id=order.id))
    booked = await _adapter(ctx, keys).create(DeliveryOrder(order_ref=f"QH{order.id}", **request), idempotency_key="x")
    assert (await retry_rides(ctx, now=later(1)))["ok"] == 1
    ride = delivery(oms, order.id)
    assert ride.carrier_order_id == booked.carrier_order_id  # one ride at the carrier
    assert calls(oms, "sf_same_city", info, "createorder").count("ok") == 2  # the second returned the first


async def test_a_carrier_that_stays_down_puts_the_order_in_exception(oms, ctx):
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, "shansong")
    down(oms, "shansong", info, 10_000)
    assert (await book_delivery(ctx, order.id, account))["retrying"]
    minutes = 0.0
    for _ in range(deliveries_retry.MAX_TRIES - 1):
        minutes += 6
        await retry_rides(ctx, now=later(minutes))
    (row,) = retry_rows(oms, order.id)
    assert (row.status, row.attempts) == ("dead", deliveries_retry.MAX_TRIES)
    said = notes(oms, order.id, "delivery_retry")
    assert [k for k, _ in said] == ["delivery.note.retrying"] * 4 + ["delivery.note.retry_gave_up"]
    key, params = decode(order_now(oms, order.id).exception_reason)
    assert key == "attention.rider_call_failed" and params["carrier"] == "闪送"
    assert delivery(oms, order.id) is None
    down(oms, "shansong", info, 0)
    assert (await book_delivery(ctx, order.id, account))["ok"]  # the store calls again: it works
    assert order_now(oms, order.id).exception_reason is None


async def test_tip_and_cancel_under_503_are_retried(oms, ctx):
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, "dada")
    assert (await book_delivery(ctx, order.id, account))["ok"]
    ride = delivery(oms, order.id)
    down(oms, "dada", info, 3)
    assert (await tip_delivery(ctx, order.id, 300))["retrying"]
    assert (await retry_rides(ctx, now=later(1)))["ok"] == 1
    assert delivery(oms, order.id).tip_fen == 300
    assert oms.sandbox.control.get(f"/carriers/dada/rides/{ride.order_ref}").json()["tip_fen"] == 300
    down(oms, "dada", info, 4)  # the cancel's three tries and the status question after them
    assert (await cancel_delivery(ctx, order.id, reason="换一家"))["retrying"]
    assert delivery(oms, order.id).status == "awaiting_rider"
    assert (await retry_rides(ctx, now=later(2)))["ok"] == 1
    assert delivery(oms, order.id).status == "cancelled"
    truth = oms.sandbox.control.get(f"/carriers/dada/rides/{ride.order_ref}").json()
    assert truth["stage"] == "cancelled"
    assert {r.action: r.status for r in retry_rows(oms, order.id)} == {"tip": "done", "cancel": "done"}


async def test_a_cancel_the_carrier_already_did_counts_as_done(oms, ctx):
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, "meituan_paotui")
    assert (await book_delivery(ctx, order.id, account))["ok"]
    ride = delivery(oms, order.id)
    oms.sandbox.control.patch(f"/carriers/meituan_paotui/accounts/{info['key']}", json={"drop_callbacks": 5})
    step(oms, "meituan_paotui", ride.carrier_order_id.partition("/")[0], "cancelled")  # its callback is lost
    assert delivery(oms, order.id).status == "awaiting_rider"
    assert (await cancel_delivery(ctx, order.id, reason="顾客不要了"))["ok"]
    assert delivery(oms, order.id).status == "cancelled"
    assert retry_rows(oms, order.id) == []


async def test_cancelling_while_a_booking_retries_stops_it(oms, ctx):
    _, order = await packed_order(oms, ctx)
    account, info = carrier_account(oms, "dada")
    down(oms, "dada", info, 3)
    assert (await book_delivery(ctx, order.id, account))["retrying"]
    assert (await cancel_delivery(ctx, order.id, reason="不叫了"))["ok"]
    assert [r.status for r in retry_rows(oms, order.id)] == ["dropped"]
    assert (await retry_rides(ctx, now=later(5)))["due"] == 0
    assert delivery(oms, order.id) is None
