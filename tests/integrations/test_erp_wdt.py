"""旺店通 企业版 adapter against its sandbox twin over loopback HTTP (shared/docs/erp-apis.md §2.1)."""

from __future__ import annotations

import hashlib
import json

import pytest

from integrations import registry
from integrations import sign as sign_cli
from integrations.base import PlatformError, RetryPolicy
from integrations.erp_contract import ShipmentLine
from integrations.wdt import spec
from integrations.wdt.client import WdtClient
from integrations.wdt.mapping import trade
from integrations.wdt.sign import signing_string, wdt_sign
from qihang_app.domain.money import yuan_to_fen
from tests.integrations.conftest import FAST_RETRY
from tests.integrations.erp_support import documents, new_connection, order, set_twin, twin_view, unique

ERP = "wdt"
DOC_PARAMS = {"sid": "demo", "appkey": "demo-ot", "timestamp": "1700000000", "shop_no": "api_test", "limit": "100"}


@pytest.fixture
def conn(control, sandbox_url):
    keys = {"sid": unique("sid-"), "appkey": unique("ak-"), "appsecret": unique("sec-"), "shop_no": "api_test"}
    return new_connection(control, ERP, sandbox_url + spec.TWIN_PREFIX, "sid", keys)


@pytest.fixture
def wdt(conn, http):
    return registry.erp(ERP).connect(conn, http, FAST_RETRY)


# ---- signing -----------------------------------------------------------------------------------


def test_signing_matches_the_documented_worked_example():
    assert signing_string("SECRET", DOC_PARAMS) == (
        "06-appkey:0007-demo-ot;05-limit:0003-100;07-shop_no:0008-api_test;03-sid:0004-demo;"
        "09-timestamp:0010-1700000000SECRET"
    )
    assert wdt_sign("SECRET", DOC_PARAMS) == "da68d799a8453d6abd2e6328bcff59b0"


def test_lengths_count_characters_not_bytes():
    params = {"receiver_city": "北京", "sign": "ignored"}
    expected = "13-receiver_city:0002-北京S"
    assert signing_string("S", params) == expected
    assert wdt_sign("S", params) == hashlib.md5(expected.encode()).hexdigest()


def test_sign_cli_prints_the_signature_last(capsys):
    params = json.dumps({**DOC_PARAMS, "timestamp": 1700000000, "limit": 100})
    assert sign_cli.main(["wdt", "--secret", "SECRET", "--params", params]) == 0
    assert capsys.readouterr().out.split()[-1] == "da68d799a8453d6abd2e6328bcff59b0"


# ---- orders ------------------------------------------------------------------------------------


async def test_order_in_is_an_upsert_by_tid_and_money_keeps_the_wdt_identity(wdt, control):
    sent = order()
    sent["total_fen"] -= 99  # an order-level discount, shared over the lines
    sent["paid_fen"] = sent["total_fen"]
    assert await wdt.push_order(sent, idempotency_key="k") == sent["order_no"]
    assert await wdt.push_order(sent, idempotency_key="k") == sent["order_no"]
    (doc,) = documents(control, ERP, sent["order_no"])
    assert doc["pushes"] == 2 and twin_view(control, ERP)["answers"]["0"] >= 2
    trade = doc["payload"]
    lines = trade["order_list"]
    assert [o["oid"] for o in lines] == [f"{sent['order_no']}-1", f"{sent['order_no']}-2"]
    goods = sum(
        yuan_to_fen(o["price"]) * o["num"] - yuan_to_fen(o["discount"]) - yuan_to_fen(o["share_discount"])
        for o in lines
    )
    assert goods + yuan_to_fen(trade["post_amount"]) + yuan_to_fen(trade["other_amount"]) == yuan_to_fen(trade["paid"])
    assert yuan_to_fen(trade["paid"]) == sent["total_fen"] and trade["trade_status"] == 30
    assert sum(yuan_to_fen(o["share_discount"]) for o in lines) == 99
    assert trade["trade_time"] == "2026-11-27 10:30:00" and lines[0]["goods_name"] == "商品1 🍵"


async def test_an_oid_of_another_order_is_refused(wdt, conn, http):
    sent = order()
    await wdt.push_order(sent, idempotency_key="k")
    other_trade = trade(order()) | {"order_list": trade(sent)["order_list"]}
    with pytest.raises(PlatformError) as refused:
        await wdt.client.call(spec.TRADE_PUSH, {"shop_no": "api_test", "trade_list": [other_trade]})
    assert refused.value.code == str(spec.BAD_VALUE)


async def test_cancel_pushes_the_tid_again_closed(wdt, control):
    paid, unpaid, bare = order(), order(paid=False), order()
    for each in (paid, unpaid, bare):
        await wdt.push_order(each, idempotency_key="k")
    await wdt.cancel_order(paid["order_no"], reason="不要了", idempotency_key="c", order=paid)
    await wdt.cancel_order(unpaid["order_no"], reason="不要了", idempotency_key="c", order=unpaid)
    await wdt.cancel_order(bare["order_no"], reason="不要了", idempotency_key="c")  # without the order
    docs = {d["key"]: d for d in twin_view(control, ERP)["documents"] if d["kind"] == "order"}
    assert docs[paid["order_no"]]["payload"]["trade_status"] == 80
    assert docs[unpaid["order_no"]]["payload"]["trade_status"] == 90
    assert {o["refund_status"] for o in docs[paid["order_no"]]["payload"]["order_list"]} == {5}
    assert all(docs[o["order_no"]]["cancelled"] for o in (paid, unpaid, bare))
    assert len(docs[bare["order_no"]]["payload"]["order_list"]) == 2  # its lines are kept


async def test_after_sale_in_by_refund_no_and_resend_is_not_a_refund(wdt, control):
    sent = order()
    await wdt.push_order(sent, idempotency_key="k")
    after = {
        "after_sale_no": unique("RF"), "order_no": sent["order_no"], "kind": "return", "refund_fen": 1991,
        "reason": "尺码不合适", "lines": [{"line_no": "1", "sku": "SKU-001", "quantity": 1, "amount_fen": 1991}],
    }  # fmt: skip
    assert await wdt.push_after_sale(after, idempotency_key="a") == after["after_sale_no"]
    await wdt.push_after_sale(after, idempotency_key="a")
    (doc,) = documents(control, ERP, after["after_sale_no"], "after_sale")
    row = doc["payload"]
    assert doc["pushes"] == 2 and row["type"] == 2 and row["refund_fee"] == "19.91" and row["platform_id"] == 127
    assert row["order_list"] == [{"oid": f"{sent['order_no']}-1", "num": 1}]
    with pytest.raises(PlatformError) as refused:
        await wdt.push_after_sale(after | {"kind": "resend"}, idempotency_key="b")
    assert refused.value.code == "unsupported"


# ---- shipments: the sync queue and its ack -----------------------------------------------------


async def test_shipments_wait_in_the_queue_until_acked(wdt, control, conn):
    set_twin(control, ERP, ship_delay=-1)
    try:
        sent, split = order(), order()
        for each in (sent, split):
            await wdt.push_order(each, idempotency_key="k")
        assert await wdt.fetch_shipments() == []
        ship = {"account": conn.keys["sid"], "key": sent["order_no"], "carrier": "SF", "tracking_no": "SF1001"}
        assert control.post(f"/erp/{ERP}/ship", json=ship).status_code == 200
        part = {"account": conn.keys["sid"], "key": split["order_no"], "carrier": "JT", "lines": [["SKU-002", 2]]}
        assert control.post(f"/erp/{ERP}/ship", json=part).status_code == 200
        first = await wdt.fetch_shipments()
        again = await wdt.fetch_shipments()  # not acked: delivered again (at least once)
        kind = registry.erp(ERP)
        await kind.ack_shipments(conn, first, wdt.client._http)
        await kind.ack_shipments(conn, first, wdt.client._http)  # twice: the second finds them done
        after_ack = await wdt.fetch_shipments()
    finally:
        set_twin(control, ERP, ship_delay=5.0)
    assert first == again and after_ack == []
    by_order = {s.order_ref: s for s in first}
    whole, piece = by_order[sent["order_no"]], by_order[split["order_no"]]
    assert (whole.carrier, whole.tracking_no, whole.lines) == ("SF", "SF1001", ())
    assert piece.carrier == "JT"  # no WDT number for 极兔 in the table: matched by its name
    assert piece.lines == (ShipmentLine("", 0, "2"),) and piece.ack_ref and piece.shipped_at


async def test_acking_an_unknown_record_is_not_silent(wdt):
    with pytest.raises(PlatformError) as failed:
        await wdt.client.call(spec.SYNC_ACK, {"logistics_list": []})
    assert failed.value.code == str(spec.BAD_VALUE)
    body = await wdt.client.call(spec.SYNC_ACK, {"logistics_list": [{"rec_id": 999999, "status": 0, "message": ""}]})
    assert body["errors"][0]["error"].startswith(spec.NOT_WAITING)


# ---- limits and refusals -----------------------------------------------------------------------


async def test_a_frequency_answer_is_waited_out_then_the_push_goes_through(wdt, control, conn):
    control.post("/faults", json={"kind": "rate_limit", "count": 1, "platform": ERP, "shop_id": conn.keys["sid"]})
    sent = order()
    await wdt.push_order(sent, idempotency_key="k")
    assert documents(control, ERP, sent["order_no"])[0]["pushes"] == 1
    assert control.get("/faults").json()["fired"].get("rate_limit", 0) >= 1


async def test_a_frequency_answer_that_persists_ends_retryable(conn, http, control):
    wdt = registry.erp(ERP).connect(conn, http, RetryPolicy(max_attempts=2, total_timeout=8))
    set_twin(control, ERP, per_minute=1)
    try:
        await wdt.push_order(order(), idempotency_key="k")
        with pytest.raises(PlatformError) as limited:
            await wdt.push_order(order(), idempotency_key="k")
    finally:
        set_twin(control, ERP, per_minute=0)
    assert limited.value.code == "100" and limited.value.retryable


async def test_the_twin_refuses_a_bad_signature_and_a_stale_timestamp(conn, http):
    keys, url = conn.keys, conn.base_url + f"/{spec.SYNC_QUERY}.php"
    client = WdtClient(keys["sid"], keys["appkey"], keys["appsecret"], base_url=conn.base_url, http=http)
    form = client.signed_form({"shop_no": "api_test", "limit": 1})
    stale = WdtClient(
        keys["sid"], keys["appkey"], keys["appsecret"], base_url=conn.base_url, http=http, clock=lambda: 1_700_000_000
    ).signed_form({"shop_no": "api_test", "limit": 1})
    answers = [(await http.post(url, data=f)).json()["code"] for f in (form | {"limit": "2"}, stale)]
    assert answers == [spec.BAD_AUTH, spec.BAD_TIMESTAMP]
    assert (await http.post(url, data=form)).json()["code"] == 0


async def test_check_connection_answers_in_plain_words(conn, http):
    kind = registry.erp(ERP)
    assert await kind.check_connection(conn, http) == ("erp_check.ok", {"erp": "旺店通企业版"})
    bad = type(conn)(ERP, conn.base_url, {**conn.keys, "appsecret": "wrong"})
    assert (await kind.check_connection(bad, http))[0] == "erp_check.credentials"
    other_shop = type(conn)(ERP, conn.base_url, {**conn.keys, "shop_no": "nope"})
    key, params = await kind.check_connection(other_shop, http)
    assert key == "erp_check.credentials" and "1007" in params["said"]
