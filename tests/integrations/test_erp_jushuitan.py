"""聚水潭 adapter against its sandbox twin over loopback HTTP (shared/docs/erp-apis.md §1)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from integrations import registry
from integrations import sign as sign_cli
from integrations.base import PlatformError
from integrations.erp_base import RateLimited
from integrations.erp_contract import AfterSaleResult
from integrations.jushuitan import spec
from integrations.jushuitan.client import JstClient
from integrations.jushuitan.sign import jst_sign, signing_string
from qihang_app.domain.money import yuan_to_fen
from tests.integrations.conftest import FAST_RETRY
from tests.integrations.erp_support import documents, new_connection, order, set_twin, twin_view, unique

ERP = "jushuitan"
DOC_PARAMS = {
    "access_token": "tok123",
    "app_key": "ak123",
    "biz": '{"so_ids":["SO1"]}',
    "charset": "utf-8",
    "timestamp": "1700000000",
    "version": "2",
}


@pytest.fixture
def conn(control, sandbox_url):
    keys = {"app_key": unique("ak-"), "app_secret": unique("sk-"), "access_token": unique("tok-"), "shop_id": "10001"}
    keys["refresh_token"] = unique("rt-")
    return new_connection(control, ERP, sandbox_url + spec.TWIN_PREFIX, "app_key", keys)


@pytest.fixture
def jst(conn, http):
    return registry.erp(ERP).connect(conn, http, FAST_RETRY)


# ---- signing -----------------------------------------------------------------------------------


def test_signing_matches_the_documented_worked_example():
    assert signing_string("sk123", DOC_PARAMS) == (
        'sk123access_tokentok123app_keyak123biz{"so_ids":["SO1"]}charsetutf-8timestamp1700000000version2'
    )
    assert jst_sign("sk123", DOC_PARAMS) == "d7041388bca0969cc85efab8b1d0f557"


def test_signing_skips_sign_and_empty_values():
    params = {**DOC_PARAMS, "sign": "x", "remark": ""}
    assert jst_sign("sk123", params) == "d7041388bca0969cc85efab8b1d0f557"
    chinese = {"app_key": "a", "biz": '{"name":"张三"}'}
    assert jst_sign("s", chinese) == hashlib.md5('sapp_keyabiz{"name":"张三"}'.encode()).hexdigest()


def test_sign_cli_prints_the_signature_last(capsys):
    params = json.dumps({**DOC_PARAMS, "timestamp": 1700000000, "version": 2})
    assert sign_cli.main(["jushuitan", "--secret", "sk123", "--params", params]) == 0
    assert capsys.readouterr().out.split()[-1] == "d7041388bca0969cc85efab8b1d0f557"


# ---- orders ------------------------------------------------------------------------------------


async def test_order_in_is_idempotent_by_so_id_and_money_goes_as_yuan(jst, control):
    sent = order()
    first = await jst.push_order(sent, idempotency_key=f"erp:order:{sent['order_no']}:1")
    again = await jst.push_order(sent, idempotency_key=f"erp:order:{sent['order_no']}:1")
    assert first == again and first.isdigit()
    (doc,) = documents(control, ERP, sent["order_no"])
    assert doc["pushes"] == 2  # JST upserts by so_id: one order, updated once
    body = doc["payload"]
    assert body["so_id"] == sent["order_no"] and body["shop_status"] == "WAIT_SELLER_SEND_GOODS"
    assert yuan_to_fen(body["pay_amount"]) == sent["total_fen"] and yuan_to_fen(body["freight"]) == 500
    assert [yuan_to_fen(i["price"]) for i in body["items"]] == [1991, 1992]
    assert [yuan_to_fen(i["amount"]) for i in body["items"]] == [1991, 3984]
    assert body["pay"]["amount"] == body["pay_amount"] and body["order_date"] == "2026-11-27 10:30:00"
    assert body["items"][0]["name"] == "商品1 🍵" and body["receiver_state"] == "上海"


async def test_an_unpaid_order_goes_without_pay_and_one_fen_stays_one_fen(jst, control):
    sent = order(paid=False, lines=1)
    sent["lines"][0] |= {"price_fen": 1, "amount_fen": 1}
    sent["total_fen"], sent["freight_fen"] = 1, 0
    await jst.push_order(sent, idempotency_key="k")
    body = documents(control, ERP, sent["order_no"])[0]["payload"]
    assert "pay" not in body and body["shop_status"] == "WAIT_BUYER_PAY"
    assert body["pay_amount"] == 0.01 and body["freight"] == 0


async def test_cancel_goes_by_the_o_ids_of_the_so_id(jst, control):
    sent = order()
    await jst.push_order(sent, idempotency_key="k")
    await jst.cancel_order(sent["order_no"], reason="买家不要了", idempotency_key="c")
    await jst.cancel_order(sent["order_no"], reason="买家不要了", idempotency_key="c")  # again: nothing to do
    assert documents(control, ERP, sent["order_no"])[0]["cancelled"] is True
    with pytest.raises(PlatformError) as refused:
        await jst.cancel_order(unique("NOPE"), reason="x", idempotency_key="c")
    assert refused.value.code == "not_found" and not refused.value.retryable


async def test_after_sale_in_by_outer_as_id(jst, control):
    sent = order()
    await jst.push_order(sent, idempotency_key="k")
    after = {
        "after_sale_no": unique("AS"), "order_no": sent["order_no"], "kind": "resend", "refund_fen": 0,
        "reason": "少发一件", "lines": [{"line_no": "1", "sku": "SKU-001", "quantity": 1, "amount_fen": 1991}],
    }  # fmt: skip
    as_id = await jst.push_after_sale(after, idempotency_key="a")
    assert as_id == await jst.push_after_sale(after, idempotency_key="a")
    (doc,) = documents(control, ERP, after["after_sale_no"], "after_sale")
    assert doc["payload"]["type"] == "补发" and doc["payload"]["items"][0]["amount"] == 19.91
    with pytest.raises(PlatformError):  # JST refuses an after-sale of an order it does not know
        await jst.push_after_sale(after | {"after_sale_no": unique("AS"), "order_no": "NOPE"}, idempotency_key="b")


# ---- shipments ---------------------------------------------------------------------------------


async def test_shipments_come_back_by_polling_after_the_twins_delay(jst, control, conn):
    set_twin(control, ERP, ship_delay=-1)  # ship by hand below
    since = datetime.now(UTC) - timedelta(minutes=5)
    try:
        sent, split = order(), order()
        for each in (sent, split):
            await jst.push_order(each, idempotency_key="k")
        assert await _mine(jst, since, sent, split) == []
        account = f"{conn.keys['app_key']}:10001"
        ship = {"account": account, "key": sent["order_no"], "carrier": "YD", "tracking_no": "YD100200300"}
        assert control.post(f"/erp/{ERP}/ship", json=ship).status_code == 200
        for n, carrier in ((1, "SF"), (2, "JT")):  # JST splits one so_id into two parcels
            part = {"account": account, "key": split["order_no"], "carrier": carrier, "lines": [[f"SKU-{n:03d}", n]]}
            assert control.post(f"/erp/{ERP}/ship", json=part).status_code == 200
        got = await _mine(jst, since, sent, split)
    finally:
        set_twin(control, ERP, ship_delay=5.0)
    whole = [s for s in got if s.order_ref == sent["order_no"]]
    assert [(s.carrier, s.tracking_no) for s in whole] == [("YD", "YD100200300")]
    parts = sorted((s for s in got if s.order_ref == split["order_no"]), key=lambda s: s.carrier)
    assert [(s.carrier, [(line.sku, line.quantity) for line in s.lines]) for s in parts] == [
        ("JT", [("SKU-002", 2)]),
        ("SF", [("SKU-001", 1)]),
    ]
    assert all(s.shipped_at and s.shipped_at >= since for s in got)


async def test_the_twin_ships_by_itself_after_the_configured_delay(jst, control):
    set_twin(control, ERP, ship_delay=0)
    try:
        sent = order()
        await jst.push_order(sent, idempotency_key="k")
        got = await _mine(jst, datetime.now(UTC) - timedelta(minutes=1), sent)
    finally:
        set_twin(control, ERP, ship_delay=5.0)
    assert len(got) == 1 and got[0].tracking_no and got[0].carrier in {"SF", "ZTO", "YTO", "YD", "JT"}
    with pytest.raises(PlatformError) as refused:  # shipped: too late to cancel
        await jst.cancel_order(sent["order_no"], reason="x", idempotency_key="c")
    assert refused.value.code == "shipped"


async def test_a_resend_parcel_is_the_after_sales_result_not_a_second_shipment(jst, control, conn):
    set_twin(control, ERP, ship_delay=-1)
    since = datetime.now(UTC) - timedelta(minutes=1)
    try:
        sent = order()
        await jst.push_order(sent, idempotency_key="k")
        after = {
            "after_sale_no": unique("AS"), "order_no": sent["order_no"], "kind": "resend", "refund_fen": 0,
            "lines": [{"line_no": "2", "sku": "SKU-002", "quantity": 1, "amount_fen": 0}],
        }  # fmt: skip
        as_id = await jst.push_after_sale(after, idempotency_key="a")
        account = f"{conn.keys['app_key']}:10001"
        for key, tracking in ((sent["order_no"], "SF1"), (f"{sent['order_no']}/AS{as_id}", "SF2")):
            ship = {"account": account, "key": key, "carrier": "SF", "tracking_no": tracking}
            assert control.post(f"/erp/{ERP}/ship", json=ship).status_code == 200
        shipments = await _mine(jst, since, sent)
        results = [r for r in await jst.fetch_after_sale_results(since) if r.after_sale_ref == as_id]
    finally:
        set_twin(control, ERP, ship_delay=5.0)
    assert [s.tracking_no for s in shipments] == ["SF1"]
    assert results == [AfterSaleResult(as_id, "resend", tracking_no="SF2", carrier="SF")]


async def _mine(jst, since, *orders):
    numbers = {o["order_no"] for o in orders}
    return [s for s in await jst.fetch_shipments(since) if s.order_ref in numbers]


# ---- limits and refusals -----------------------------------------------------------------------


async def test_a_per_second_limit_answer_is_waited_out(jst, control):
    set_twin(control, ERP, per_second=2)
    try:
        sent = order()
        for _ in range(3):  # the third call in the same second gets 199, waits a second, goes through
            await jst.push_order(sent, idempotency_key="k")
    finally:
        set_twin(control, ERP, per_second=spec.LIMIT_PER_SECOND)
    assert documents(control, ERP, sent["order_no"])[0]["pushes"] == 3
    assert twin_view(control, ERP)["answers"].get("199", 0) >= 1


async def test_a_per_minute_limit_goes_back_to_the_relay_retryable(jst, control):
    set_twin(control, ERP, per_minute=1)
    try:
        await jst.push_order(order(), idempotency_key="k")
        with pytest.raises(RateLimited) as limited:
            await jst.push_order(order(), idempotency_key="k")
    finally:
        set_twin(control, ERP, per_minute=spec.LIMIT_PER_MINUTE)
    assert limited.value.code == "200" and limited.value.retryable and limited.value.retry_after == 60


async def test_the_twin_refuses_a_bad_signature_a_stale_timestamp_and_a_wrong_token(conn, http, control):
    keys = conn.keys
    url = conn.base_url + spec.QUERY_SHOPS
    good = JstClient(keys["app_key"], keys["app_secret"], keys["access_token"], base_url=conn.base_url, http=http)
    form = good.signed_form({})
    tampered = form | {"biz": '{"page_index":2}'}
    stale = JstClient(
        keys["app_key"], keys["app_secret"], keys["access_token"],
        base_url=conn.base_url, http=http, clock=lambda: 1_700_000_000,
    ).signed_form({})  # fmt: skip
    wrong_token = JstClient(keys["app_key"], keys["app_secret"], "other", base_url=conn.base_url, http=http)
    answers = [(await http.post(url, data=f)).json()["code"] for f in (tampered, stale, wrong_token.signed_form({}))]
    assert answers == [spec.BAD_SIGN, spec.BAD_TIMESTAMP, spec.BAD_TOKEN]
    assert (await http.post(url, data=form)).json()["code"] == 0


async def test_check_connection_answers_in_plain_words(conn, sandbox_url, http):
    kind = registry.erp(ERP)
    assert await kind.check_connection(conn, http) == ("erp_check.ok", {"erp": "聚水潭"})
    bad = type(conn)(ERP, conn.base_url, {**conn.keys, "app_secret": "wrong"})
    key, params = await kind.check_connection(bad, http)
    assert key == "erp_check.credentials" and params["said"].startswith("10 ")
    missing = type(conn)(ERP, conn.base_url, {**conn.keys, "access_token": ""})
    assert await kind.check_connection(missing, http) == ("erp_check.missing_key", {"said": "access_token"})
    other_shop = type(conn)(ERP, conn.base_url, {**conn.keys, "shop_id": "20002"})
    assert await kind.check_connection(other_shop, http) == ("erp_check.shop_unknown", {"shop": "20002"})
    down = type(conn)(ERP, "http://127.0.0.1:9", conn.keys)
    assert (await kind.check_connection(down, http))[0] == "erp_check.network"


async def test_a_5xx_is_retried_and_the_order_still_arrives_once(jst, control):
    control.post("/faults", json={"kind": "5xx", "count": 1, "platform": ERP, "status": 503})
    sent = order()
    await jst.push_order(sent, idempotency_key="k")
    assert documents(control, ERP, sent["order_no"])[0]["pushes"] == 1


async def test_the_access_token_is_refreshed_and_the_old_one_stops_working(conn, http):
    kind = registry.erp(ERP)
    fresh = await kind.refresh_token(conn, http)
    assert fresh["access_token"] != conn.keys["access_token"] and int(fresh["expires_at"]) > 1_700_000_000
    renewed = type(conn)(ERP, conn.base_url, {**conn.keys, **fresh})
    assert (await kind.check_connection(renewed, http))[0] == "erp_check.ok"
    assert (await kind.check_connection(conn, http))[0] == "erp_check.credentials"  # code 100
    with pytest.raises(PlatformError) as refused:  # a refresh token is good once
        await kind.refresh_token(conn, http)
    assert refused.value.code == str(spec.BAD_TOKEN)


async def test_bad_input_is_refused_clearly_and_long_text_is_cut_to_the_fields(jst, control):
    empty = order() | {"lines": []}
    with pytest.raises(PlatformError) as refused:
        await jst.push_order(empty, idempotency_key="k")
    assert refused.value.code == "rejected" and not refused.value.retryable
    noisy = order()
    noisy["lines"][0]["name"] = "<b>辣</b>🌶" * 600
    noisy["buyer_note"] = "x" * 3000
    await jst.push_order(noisy, idempotency_key="k")
    body = documents(control, ERP, noisy["order_no"])[0]["payload"]
    assert len(body["items"][0]["name"]) == 100 and len(body["buyer_message"]) == 400


def test_kind_facts():
    kind = registry.erp(ERP)
    assert kind.polls_shipments and kind.events == {"order", "cancel", "after_sale"}
    assert kind.rate_limit_codes == {"199", "200"}
    assert [f.name for f in kind.fields if f.secret] == ["app_secret", "access_token", "refresh_token"]
