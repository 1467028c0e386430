"""呼叫骑手 end to end on loopback: quotes from the carrier twins, a booking, the twin's signed
callbacks through the OMS route to the delivery and the order, and the platform told each state
through the outbox in its own codes. Forged callbacks are refused and kept; repeats and late
arrivals change nothing."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from qihang_app.config import get_settings
from qihang_app.models import Delivery, InboxMessage, Order, OrderEvent, OutboxMessage
from qihang_app.services import carrier_accounts, dispatch
from qihang_app.services import stores as store_service
from tests.ingest_support import drain_all, wait_until
from workers.tasks.delivery import book_delivery, cancel_delivery, quote_delivery, tip_delivery
from workers.tasks.outbox import relay_outbox

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(autouse=True)
def public_url(oms, monkeypatch):
    """The OMS as carriers reach it (达达 takes the callback URL with each order)."""
    monkeypatch.setenv("PUBLIC_URL", oms.api_url)
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("PUBLIC_URL")
    get_settings.cache_clear()


async def packed_order(oms, ctx, platform: str = "meituan") -> tuple[object, Order]:
    """A merchant-delivered order, accepted and packed, in a store with a position."""
    with Session(oms.engine) as session:
        store_service.update_store(
            session, actor=oms.admin, store_id=oms.store_id, lat=31.2290, lng=121.4480, address="南京西路 1 号"
        )
        session.commit()
    pair = oms.add_shop(platform)
    placed = oms.new_order(pair, delivery_type="merchant")
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    with Session(oms.engine) as session:
        dispatch.accept(session, actor=oms.admin, order_id=order.id)
        dispatch.mark_ready(session, actor=oms.admin, order_id=order.id)
        session.commit()
    await relay_outbox(ctx)
    return placed, order


def carrier_account(oms, carrier: str, **settings) -> tuple[int, dict]:
    body = {"callback_url": f"{oms.api_url}/api/webhooks/carriers/{carrier}", "auto": False, **settings}
    info = oms.sandbox.control.post(f"/carriers/{carrier}/accounts", json=body).json()
    with Session(oms.engine) as session:
        row = carrier_accounts.save_account(
            session,
            actor=oms.admin,
            store_id=oms.store_id,
            carrier=carrier,
            keys=info["keys"],
            base_url=info["base_url"],
        )
        session.commit()
        return row.id, info


def delivery(oms, order_id: int) -> Delivery:
    with Session(oms.engine) as session:
        return session.exec(select(Delivery).where(Delivery.order_id == order_id).order_by(Delivery.id.desc())).first()


def order_now(oms, order_id: int) -> Order:
    with Session(oms.engine) as session:
        return session.get(Order, order_id)


def step(oms, carrier: str, ref: str, event: str) -> dict:
    answer = oms.sandbox.control.post(f"/carriers/{carrier}/rides/{ref}/{event}")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def until_status(oms, order_id: int, status: str) -> Delivery:
    assert await wait_until(lambda: delivery(oms, order_id).status == status, 10), delivery(oms, order_id).status
    return delivery(oms, order_id)


async def test_call_a_rider_and_follow_the_ride_to_the_door(oms, ctx):
    placed, order = await packed_order(oms, ctx)
    dada, info = carrier_account(oms, "dada")
    sf, _ = carrier_account(oms, "sf_same_city")
    answer = await quote_delivery(ctx, order.id)
    assert answer["ok"], answer
    quotes = {q["account_id"]: q for q in answer["quotes"]}
    assert set(quotes) == {dada, sf} and all(q["ok"] and q["fee_fen"] > 0 for q in quotes.values()), quotes
    booked = await book_delivery(ctx, order.id, dada, eta_minutes=quotes[dada]["eta_minutes"], tip_fen=200)
    assert booked["ok"], booked
    ride = delivery(oms, order.id)
    assert (ride.status, ride.tip_fen, ride.carrier) == ("awaiting_rider", 200, "dada")
    assert order_now(oms, order.id).delivery_carrier == "dada"
    for event, status in (
        ("accepted", "rider_accepted"),
        ("at_store", "at_store"),
        ("picked_up", "delivering"),
        ("delivered", "delivered"),
    ):
        step(oms, "dada", ride.order_ref, event)
        ride = await until_status(oms, order.id, status)
    assert ride.rider_name and ride.rider_phone
    final = order_now(oms, order.id)
    assert (final.status, final.rider_status, final.rider_name) == ("completed", "delivered", ride.rider_name)
    await relay_outbox(ctx)
    written = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    sync = [w["params"] for w in written if w["api"] == "logistics_sync"]
    assert [int(p["logistics_status"]) for p in sync] == [0, 10, 15, 20, 40]
    assert sync[-1]["courier_name"] == ride.rider_name and sync[-1]["courier_phone"] == ride.rider_phone
    assert {(p["logistics_provider_code"], p["third_carrier_order_id"]) for p in sync} == {
        ("10002", ride.carrier_order_id)
    }
    with Session(oms.engine) as session:
        kept = session.exec(select(InboxMessage).where(InboxMessage.source == "dada")).all()
        sent = oms.sandbox.control.get("/carriers/callbacks", params={"carrier": "dada", "account": info["key"]}).json()
        assert {m.status for m in kept} == {"processed"}, [m.error for m in kept if m.status != "processed"]
        assert len(kept) == len(sent) >= 4


async def test_repeats_and_late_callbacks_change_nothing(oms, ctx):
    _, order = await packed_order(oms, ctx)
    dada, _ = carrier_account(oms, "dada")
    assert (await book_delivery(ctx, order.id, dada))["ok"]
    ref = delivery(oms, order.id).order_ref
    step(oms, "dada", ref, "accepted")
    await until_status(oms, order.id, "rider_accepted")
    step(oms, "dada", ref, "at_store")
    await until_status(oms, order.id, "at_store")

    def counts():
        with Session(oms.engine) as session:
            events = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
            outbox = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order.id)).all()
            return len(events), len(outbox)

    before = counts()
    for event in ("duplicate", "out_of_order", "duplicate"):
        sent = step(oms, "dada", ref, event)["sent"]
        assert sent and all(s["delivered"] for s in sent), sent
    assert delivery(oms, order.id).status == "at_store"
    assert counts() == before


async def test_a_forged_callback_is_refused_and_kept(oms, ctx):
    _, order = await packed_order(oms, ctx)
    dada, _ = carrier_account(oms, "dada")
    assert (await book_delivery(ctx, order.id, dada))["ok"]
    ride = delivery(oms, order.id)
    forged = {"client_id": "x", "order_id": ride.order_ref, "order_status": 4, "update_time": 1, "signature": "0" * 32}
    answer = httpx.post(f"{oms.api_url}/api/webhooks/carriers/dada", json=forged, trust_env=False)
    assert answer.status_code == 403
    assert delivery(oms, order.id).status == "awaiting_rider"
    with Session(oms.engine) as session:
        kept = session.exec(select(InboxMessage).where(InboxMessage.status == "rejected")).all()
        assert [m.source for m in kept] == ["dada"] and '"order_status":4' in kept[0].body


async def test_cancel_and_call_another_carrier_with_a_tip(oms, ctx):
    placed, order = await packed_order(oms, ctx)
    dada, _ = carrier_account(oms, "dada")
    shansong, _ = carrier_account(oms, "shansong")
    assert (await book_delivery(ctx, order.id, dada))["ok"]
    again = await book_delivery(ctx, order.id, shansong)
    assert again == {"ok": False, "key": "delivery.err.active", "params": {}}
    assert (await cancel_delivery(ctx, order.id, reason="换一家"))["ok"]
    first = delivery(oms, order.id)
    assert first.status == "cancelled"
    assert order_now(oms, order.id).exception_reason is None  # we cancelled: nothing to alarm about
    assert (await book_delivery(ctx, order.id, shansong))["ok"]
    second = delivery(oms, order.id)
    assert (second.carrier, second.order_ref) == ("shansong", f"QH{order.id}-2")
    assert (await tip_delivery(ctx, order.id, 300))["ok"]
    assert delivery(oms, order.id).tip_fen == 300
    step(oms, "shansong", second.carrier_order_id, "accepted")
    ride = await until_status(oms, order.id, "rider_accepted")
    assert order_now(oms, order.id).delivery_carrier == "shansong"
    assert ride.lat is not None and abs(ride.lat - 31.2) < 0.1  # 闪送 sends BD-09: stored as GCJ-02
    await relay_outbox(ctx)
    written = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    last = [w["params"] for w in written if w["api"] == "logistics_sync"][-1]
    assert (int(last["logistics_status"]), last["logistics_provider_code"]) == (10, "10003")
    assert float(last["latitude"]) == pytest.approx(ride.lat) and float(last["longitude"]) == pytest.approx(ride.lng)


async def test_a_rider_problem_puts_the_card_in_exception(oms, ctx):
    _, order = await packed_order(oms, ctx)
    dada, _ = carrier_account(oms, "dada")
    assert (await book_delivery(ctx, order.id, dada))["ok"]
    ref = delivery(oms, order.id).order_ref
    step(oms, "dada", ref, "accepted")
    step(oms, "dada", ref, "picked_up")
    step(oms, "dada", ref, "returning")
    await until_status(oms, order.id, "exception")
    assert "attention.rider_problem" in (order_now(oms, order.id).exception_reason or "")


async def test_douyin_laike_hears_the_ride_in_its_own_codes(oms, ctx):
    placed, order = await packed_order(oms, ctx, "douyin_laike")
    sf, _ = carrier_account(oms, "sf_same_city")
    assert (await book_delivery(ctx, order.id, sf))["ok"]
    ref = delivery(oms, order.id).order_ref
    for event, status in (("accepted", "rider_accepted"), ("picked_up", "delivering"), ("delivered", "delivered")):
        step(oms, "sf_same_city", ref, event)
        await until_status(oms, order.id, status)
    await relay_outbox(ctx)
    with Session(oms.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order.id)).all()
        assert rows and all(r.status == "done" for r in rows), [(r.idempotency_key, r.last_error) for r in rows]
    written = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    sync = [w["params"] for w in written if w["api"] == "sync_status"]
    assert [s["behavior"] for s in sync] == [1, 3, 4]  # 待接单 has no code at 来客: not sent
    assert sync[-1]["rider_name"] == delivery(oms, order.id).rider_name
