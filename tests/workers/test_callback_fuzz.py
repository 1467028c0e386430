"""Callback order fuzzing through the OMS route: each carrier twin's real, signed callbacks of one
ride (caught on their way, then replayed) arrive shuffled and repeated; whatever the order, the
delivery ends as the ride ended, the order is completed once, and the platform hears each rider
state at most once."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from qihang_app.config import get_settings
from qihang_app.models import Order, OrderEvent, OutboxMessage
from tests.workers.test_carrier_dispatch import delivery, packed_order, step
from workers.tasks.delivery import book_delivery

pytestmark = pytest.mark.timeout(120)
NOWHERE = "http://127.0.0.1:9"  # discard port: the twins' callbacks fail there and are kept for replay
EVENTS = ("accepted", "at_store", "picked_up", "delivered")


@pytest.fixture(autouse=True)
def callbacks_go_nowhere(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", NOWHERE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _account(oms, carrier: str) -> tuple[int, dict]:
    from qihang_app.services import carrier_accounts

    body = {"callback_url": f"{NOWHERE}/api/webhooks/carriers/{carrier}", "auto": False}
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


def _replay(oms, sent: dict) -> httpx.Response:
    url = urlsplit(sent["url"])
    target = f"{oms.api_url}{url.path}" + (f"?{url.query}" if url.query else "")
    headers = {k: v for k, v in sent["headers"].items() if k.lower() in ("content-type",)}
    return httpx.post(target, content=sent["text"].encode(), headers=headers, trust_env=False, timeout=10)


@pytest.mark.parametrize("carrier", ["dada", "sf_same_city", "shansong", "meituan_paotui"])
async def test_shuffled_and_repeated_callbacks_end_as_the_ride_ended(oms, ctx, carrier):
    _, order = await packed_order(oms, ctx)
    account_id, info = _account(oms, carrier)
    assert (await book_delivery(ctx, order.id, account_id))["ok"]
    ride = delivery(oms, order.id)
    for event in EVENTS:
        step(oms, carrier, ride.order_ref, event)  # the twins find a ride by our ref too
    listed = oms.sandbox.control.get("/carriers/callbacks", params={"carrier": carrier, "account": info["key"]}).json()
    sent = [s for s in listed if not s.get("skipped")]  # steps the carrier sends no callback for
    assert len(sent) >= 3 and not any(s["delivered"] for s in sent)
    truth = oms.sandbox.control.get(f"/carriers/{carrier}/rides/{sent[0]['ride_id']}").json()
    rng = random.Random(f"{carrier}-{order.id}")
    arrivals = sent + rng.sample(sent, k=len(sent))  # every callback once, then half of them again…
    rng.shuffle(arrivals)
    for one in arrivals:
        answer = _replay(oms, one)
        assert answer.status_code == 200, answer.text
    final = delivery(oms, order.id)
    assert (final.status, final.rider_name, final.rider_phone) == (
        "delivered",
        truth["rider_name"],
        truth["rider_phone"],
    )
    with Session(oms.engine) as session:
        assert session.get(Order, order.id).status == "completed"
        keys = session.exec(select(OutboxMessage.idempotency_key).where(OutboxMessage.order_id == order.id)).all()
        rider_keys = [k for k in keys if k.startswith("rider:")]
        assert len(rider_keys) == len(set(rider_keys)) <= 5
        moves = session.exec(
            select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.kind == "status")
        ).all()
        assert [m.to_status for m in moves].count("completed") == 1
