"""The carrier side of the sandbox's control API: accounts, the rider speed, events by hand, the
record of requests and callbacks, demo accounts, reset; and 测试连接 of an incomplete account."""

from __future__ import annotations

import httpx

from integrations import registry
from integrations.carrier_contract import Account
from integrations.sandbox.app import create_app
from integrations.sandbox.server import ServerThread
from tests.integrations.carrier_support import rig_for  # noqa: F401  (fixture)


def test_unknown_carrier_account_and_event_are_refused(control, rig_for):  # noqa: F811
    assert control.post("/carriers/nobody/accounts", json={}).status_code == 404
    assert control.get("/carriers/dada/accounts/none").status_code == 404
    assert control.get("/carriers/dada/rides/none").status_code == 404
    assert control.post("/carriers/dada/accounts", json={"balance_fen": "lots"}).status_code == 400
    rig = rig_for("dada")
    assert rig.set(balance_fen=5, no_riders=True)["balance_fen"] == 5


def test_speed_is_bounded(control):
    assert control.post("/riders/speed", json={"speed": 0}).status_code == 400
    assert control.post("/riders/speed", json={"speed": 1e9}).status_code == 400
    assert control.post("/riders/speed", json={"speed": 60}).json() == {"speed": 60}
    assert control.post("/riders/speed", json={"speed": 1}).json() == {"speed": 1}


async def test_events_by_hand_and_what_was_sent(control, rig_for):  # noqa: F811
    rig = rig_for("sf_same_city")
    booking = await rig.adapter().create(rig.order(), idempotency_key="k")
    assert control.post(f"/carriers/sf_same_city/rides/{booking.carrier_order_id}/flying").status_code == 400
    assert control.post(f"/carriers/sf_same_city/rides/{booking.carrier_order_id}/duplicate").status_code == 409
    answer = rig.step(booking.carrier_order_id, "next")
    assert answer["ride"]["stage"] == "accepted" and answer["sent"][0]["event"] == "accepted"
    sent = control.get("/carriers/callbacks", params={"account": rig.info["key"]}).json()
    assert [c["event"] for c in sent] == ["created", "accepted"] and sent[0]["skipped"]  # SF: no "created"
    assert sent[1]["status"] == 200 and "?sign=" in sent[1]["url"]
    assert [r["method"] for r in rig.requests()] == ["createorder"]
    rig.step(booking.carrier_order_id, "cancelled")
    assert control.post(f"/carriers/sf_same_city/rides/{booking.carrier_order_id}/next").status_code == 409


def test_demo_accounts_and_reset():
    with ServerThread(create_app(demo_shops=True, callback_base="http://127.0.0.1:9")) as server:
        with httpx.Client(base_url=server.url + "/_control", trust_env=False) as control:
            for kind in registry.carriers():
                key = kind.twin().demo_account["key"]
                account = control.get(f"/carriers/{kind.code}/accounts/{key}").json()
                assert account["callback_url"] == f"http://127.0.0.1:9/api/webhooks/carriers/{kind.code}"
                assert set(account["keys"]) >= {f.name for f in kind.fields if f.required}
            control.post("/reset")
            assert control.get("/carriers/dada/accounts/dada-demo-app").status_code == 404


async def test_an_incomplete_account_is_told_before_any_call():
    kind = registry.carrier("dada")
    account = Account("dada", {"app_key": "k", "app_secret": " "}, base_url="http://127.0.0.1:9")
    assert await kind.check_connection(account) == ("carrier.test.missing_keys", {})
