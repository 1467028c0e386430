"""金蝶云星空 adapter against its sandbox twin over loopback HTTP (shared/docs/erp-apis.md §3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from integrations import registry
from integrations import sign as sign_cli
from integrations.base import PlatformError
from integrations.erp_base import ErpConnection
from integrations.kingdee import spec
from integrations.kingdee.client import KingdeeClient
from integrations.kingdee.sign import client_secret, signed_headers
from qihang_app.domain.money import yuan_to_fen
from tests.integrations.conftest import FAST_RETRY
from tests.integrations.erp_support import documents, new_connection, order, set_twin, twin_view, unique

ERP = "kingdee"
DOC_APP_ID = "200001_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"
DOC_PATH = "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc"
DOC_KD_SIGNATURE = "YjUyYzcwNDI1M2U0NThlODVkYjhkYjdiMGFlMzAzYzg1OTNlMWE5MjYzOTdjNDM2NjcwYzFiNTJhOWYyMzU1MA=="


@pytest.fixture
def conn(control, sandbox_url):
    keys = {
        "acct_id": unique("acct-"), "username": "qihang_api", "app_id": unique("3") + "_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX",
        "app_secret": unique("sec-"), "sale_org": "100", "default_customer": "CUST0001", "freight_material": "YF001",
    }  # fmt: skip
    return new_connection(control, ERP, sandbox_url + spec.TWIN_PREFIX, "app_id", keys)


@pytest.fixture
def kingdee(conn, http):
    return registry.erp(ERP).connect(conn, http, FAST_RETRY)


# ---- signing -----------------------------------------------------------------------------------


def test_signed_headers_match_the_documented_worked_example():
    assert client_secret(DOC_APP_ID) == "MDE3N2I2PzBrPzg4OD45N3IhK3B1InIk"
    headers = signed_headers(
        app_id=DOC_APP_ID, app_secret="appsecret001", acct_id="acct001", username="demo_user",
        lcid="2052", org_num="0", path=DOC_PATH, timestamp="1700000000",
    )  # fmt: skip
    assert headers["X-Api-Signature"] == (
        "NzI2MjZlOGJiNjBiYTJkYzM3NTU3NTI0ZGE3YWY4MDhmMDNhMmZmOTc0ZGI4ZWJiYjg0NWFiYWFiNzIwZTczNg=="
    )
    assert headers["X-Kd-Appdata"] == "YWNjdDAwMSxkZW1vX3VzZXIsMjA1Miww"
    assert headers["X-Kd-Signature"] == DOC_KD_SIGNATURE
    assert headers["X-Api-ClientID"] == "200001" and headers["x-api-nonce"] == "1700000000"


def test_sign_cli_prints_the_kd_signature_last(capsys):
    params = json.dumps({"app_id": DOC_APP_ID, "acct_id": "acct001", "username": "demo_user", "lcid": 2052})
    assert sign_cli.main(["kingdee", "--secret", "appsecret001", "--params", params]) == 0
    assert capsys.readouterr().out.split()[-1] == DOC_KD_SIGNATURE


# ---- orders ------------------------------------------------------------------------------------


async def test_order_in_once_per_bill_number_with_yuan_prices(kingdee, control):
    sent = order()
    sent["total_fen"] -= 100  # an order-level discount: spread over the lines as FDiscount
    assert await kingdee.push_order(sent, idempotency_key="k") == sent["order_no"]
    assert await kingdee.push_order(sent, idempotency_key="k") == sent["order_no"]  # found: not saved again
    (doc,) = documents(control, ERP, sent["order_no"])
    model = doc["payload"]
    assert doc["pushes"] == 1 and model["FDocumentStatus"] == spec.AUDITED
    goods, freight = model["FSaleOrderEntry"][:2], model["FSaleOrderEntry"][2]
    assert [(e["FMaterialId"]["FNumber"], e["FQty"], e["FTaxPrice"]) for e in goods] == [
        ("SKU-001", 1, 19.91),
        ("SKU-002", 2, 19.92),
    ]
    net = sum(yuan_to_fen(e["FTaxPrice"]) * e["FQty"] - yuan_to_fen(e["FDiscount"]) for e in goods)
    assert net + yuan_to_fen(freight["FTaxPrice"]) == sent["total_fen"]
    assert freight["FMaterialId"]["FNumber"] == "YF001" and freight["FTaxPrice"] == 5.0
    assert model["FCustId"] == {"FNumber": "MT-BUYER-001"} and model["FDate"] == "2026-11-27 10:30:00"


async def test_a_second_save_of_a_bill_number_is_refused_by_the_twin(kingdee):
    from integrations.kingdee import mapping

    sent = order()
    await kingdee.push_order(sent, idempotency_key="k")
    with pytest.raises(PlatformError) as refused:
        await kingdee._operate(spec.SAVE, mapping.save_order(sent, kingdee.keys))
    assert "已存在" in refused.value.message and not refused.value.retryable


async def test_cancel_unaudits_and_deletes_and_is_refused_after_stock_out(kingdee, control, conn):
    set_twin(control, ERP, ship_delay=-1)
    try:
        gone, shipped = order(), order()
        for each in (gone, shipped):
            await kingdee.push_order(each, idempotency_key="k")
        await kingdee.cancel_order(gone["order_no"], reason="不要了", idempotency_key="c")
        await kingdee.cancel_order(gone["order_no"], reason="不要了", idempotency_key="c")  # gone already: fine
        ship = {"account": conn.keys["app_id"], "key": shipped["order_no"]}
        assert control.post(f"/erp/{ERP}/ship", json=ship).status_code == 200
        with pytest.raises(PlatformError) as refused:
            await kingdee.cancel_order(shipped["order_no"], reason="x", idempotency_key="c")
    finally:
        set_twin(control, ERP, ship_delay=5.0)
    assert documents(control, ERP, gone["order_no"])[0]["cancelled"] is True
    assert "下游单据" in refused.value.message
    assert await kingdee.find_order(gone["order_no"]) is None


async def test_after_sales_are_not_sent_to_kingdee(kingdee):
    assert registry.erp(ERP).events == {"order", "cancel"}
    with pytest.raises(PlatformError) as refused:
        await kingdee.push_after_sale({"after_sale_no": "A", "order_no": "O", "kind": "return"}, idempotency_key="a")
    assert refused.value.code == "unsupported"


# ---- shipments ---------------------------------------------------------------------------------


async def test_shipments_are_read_from_audited_stock_out_bills(kingdee, control, conn):
    set_twin(control, ERP, ship_delay=-1)
    since = datetime.now(UTC) - timedelta(minutes=1)
    try:
        sent, other = order(), order()
        for each in (sent, other):
            await kingdee.push_order(each, idempotency_key="k")
        assert [s for s in await kingdee.fetch_shipments(since) if s.order_ref == sent["order_no"]] == []
        for each, carrier in ((sent, "SF"), (other, "JT")):
            ship = {
                "account": conn.keys["app_id"],
                "key": each["order_no"],
                "carrier": carrier,
                "tracking_no": f"{carrier}42",
            }
            assert control.post(f"/erp/{ERP}/ship", json=ship).status_code == 200
        got = {s.order_ref: s for s in await kingdee.fetch_shipments(since)}
        later = await kingdee.fetch_shipments(datetime.now(UTC) + timedelta(minutes=1))
    finally:
        set_twin(control, ERP, ship_delay=5.0)
    mine, theirs = got[sent["order_no"]], got[other["order_no"]]
    assert (mine.carrier, mine.tracking_no) == ("SF", "SF42") and mine.ack_ref.startswith("XSCKD")
    assert [(line.sku, line.quantity) for line in mine.lines] == [("SKU-001", 1), ("SKU-002", 2), ("YF001", 1)]
    assert theirs.carrier == "JT"  # the merchant's own carrier number CYS007: matched by its name 极兔速递
    assert later == [] and mine.shipped_at and mine.shipped_at >= since - timedelta(seconds=1)


async def test_queries_page_by_start_row_until_a_short_page(kingdee, conn, control, http):
    for _ in range(3):
        await kingdee.push_order(order(), idempotency_key="k")
    client = KingdeeClient(kingdee.keys, base_url=conn.base_url, http=http)
    query = {"FormId": spec.SALE_ORDER, "FieldKeys": "FBillNo,FDocumentStatus", "StartRow": 1, "Limit": 2}
    rows = await client.call(spec.QUERY, {"data": query})
    assert len(rows) == 2 and all(status == "C" for _, status in rows)
    refused = await client.call(spec.QUERY, {"data": query | {"FieldKeys": "FNope"}})
    assert refused[0][0]["Result"]["ResponseStatus"]["IsSuccess"] is False


# ---- limits and refusals -----------------------------------------------------------------------


async def test_a_429_is_waited_out_and_the_order_is_saved_once(kingdee, control, conn):
    control.post("/faults", json={"kind": "rate_limit", "count": 1, "platform": ERP, "shop_id": conn.keys["acct_id"]})
    sent = order()
    await kingdee.push_order(sent, idempotency_key="k")
    assert documents(control, ERP, sent["order_no"])[0]["pushes"] == 1
    assert twin_view(control, ERP)["answers"].get("http_429", 0) >= 1


async def test_the_twin_refuses_bad_signatures_and_stale_timestamps(conn, http):
    good = KingdeeClient(dict(conn.keys, lcid="2052", org_num="0"), base_url=conn.base_url, http=http)
    stale = KingdeeClient(
        dict(conn.keys, lcid="2052", org_num="0"), base_url=conn.base_url, http=http, clock=lambda: 1.7e9
    )
    wrong = KingdeeClient(dict(conn.keys, lcid="2052", org_num="0", app_secret="x"), base_url=conn.base_url, http=http)
    for client, errcode in ((wrong, spec.BAD_SIGNATURE), (stale, spec.BAD_TIMESTAMP)):
        with pytest.raises(PlatformError) as refused:
            await client.call(spec.QUERY, {"data": {"FormId": spec.SALE_ORDER, "FieldKeys": "FBillNo"}})
        assert refused.value.code == str(errcode) and refused.value.http_status == 519 and not refused.value.retryable
    url = f"{conn.base_url}/{spec.QUERY}.common.kdsvc"
    headers = good.headers(url)
    moved = good.headers(url.replace("ExecuteBillQuery", "Save"))  # signed for another path
    body = {"data": {"FormId": spec.SALE_ORDER, "FieldKeys": "FBillNo"}}
    assert (await http.post(url, json=body, headers=headers)).status_code == 200
    assert (await http.post(url, json=body, headers=moved)).status_code == 519


async def test_check_connection_answers_in_plain_words(conn, http):
    kind = registry.erp(ERP)
    assert await kind.check_connection(conn, http) == ("erp_check.ok", {"erp": "金蝶云星空"})
    bad = ErpConnection(ERP, conn.base_url, {**conn.keys, "app_secret": "wrong"})
    key, params = await kind.check_connection(bad, http)
    assert key == "erp_check.credentials" and params["said"].startswith("4002")
    no_site = ErpConnection(ERP, "", conn.keys)
    assert await kind.check_connection(no_site, http) == ("erp_check.missing_key", {"said": "base_url"})
