"""Our inbound ERP API over real HTTP on loopback: a signed shipment moves the order and queues
the platform write-back; the same shipment twice is one; tampered, unsigned, expired, replayed and
unknown-key calls are refused with their stable codes; cancel and after-sale results are kept."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

from qihang_app.models import ErpOrderState, ErpResult, ErpShipment, Order, OutboxMessage
from tests.erp_support import connect_twin, linked_order, new_keys, post, signed

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def erp(oms):
    key, secret = new_keys()
    pair = oms.add_shop("meituan")
    conn_id = connect_twin(oms, key=key, secret=secret)
    return oms, pair, key, secret, conn_id


def _ship(oms, key, secret, order, **extra):
    body, headers = signed(
        key, secret, {"order_no": f"QH{order.id}", "carrier_code": "SF", "tracking_no": "SF100200300", **extra}
    )
    return post(f"{oms.api_url}/api/erp/v1/shipments", body, headers)


def test_a_shipment_ships_the_order_once_and_queues_the_platform_write_back(erp):
    oms, pair, key, secret, _ = erp
    order = linked_order(oms, pair, no="IN-1")
    first = _ship(oms, key, secret, order)
    assert first.status_code == 200, first.text
    assert first.json() | {"shipment_id": 0} == {
        "order_no": f"QH{order.id}", "shipment_id": 0, "duplicate": False, "order_status": "shipped", "status_changed": True,
    }  # fmt: skip
    time.sleep(1.1)  # a new second: a new signature for the same body (not a replay)
    again = _ship(oms, key, secret, order)
    assert again.status_code == 200 and again.json()["duplicate"] is True and again.json()["status_changed"] is False
    with Session(oms.engine) as session:
        assert len(session.exec(select(ErpShipment).where(ErpShipment.order_id == order.id)).all()) == 1
        assert session.get(Order, order.id).status == "shipped"
        (write,) = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order.id)).all()
        assert write.kind == "platform_ship" and '"tracking_no": "SF100200300"' in write.payload


def test_a_partial_shipment_waits_for_the_rest(erp):
    oms, pair, key, secret, _ = erp
    order = linked_order(oms, pair, no="IN-2")  # one line, quantity 2
    part = _ship(oms, key, secret, order, lines=[{"sku": "SKU-A", "quantity": 1}])
    assert part.json()["order_status"] == "to_ship" and part.json()["status_changed"] is False
    rest = _ship(oms, key, secret, order, tracking_no="SF999", lines=[{"sku": "SKU-A", "quantity": 1}])
    assert rest.json()["order_status"] == "shipped" and rest.json()["status_changed"] is True
    wrong = _ship(oms, key, secret, order, tracking_no="SF998", lines=[{"sku": "NOPE", "quantity": 1}])
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("unsigned", 401, "unsigned"),
        ("no_signature", 401, "unsigned"),
        ("tampered", 401, "bad_signature"),
        ("wrong_secret", 401, "bad_signature"),
        ("expired", 401, "expired"),
        ("future", 401, "expired"),
        ("bad_timestamp", 401, "bad_timestamp"),
        ("unknown_key", 401, "unknown_key"),
    ],
)
def test_refused_calls_answer_their_code_and_change_nothing(erp, case, status, code):
    oms, pair, key, secret, _ = erp
    order = linked_order(oms, pair, no=f"IN-{case}")
    payload = {"order_no": f"QH{order.id}", "carrier_code": "SF", "tracking_no": "SF1"}
    at = {"expired": time.time() - 301, "future": time.time() + 301}.get(case)
    body, headers = signed(key, "wrong" if case == "wrong_secret" else secret, payload, at=at)
    if case == "unsigned":
        headers = {"Content-Type": "application/json"}
    elif case == "no_signature":
        headers.pop("X-QiHang-Signature")
    elif case == "tampered":
        body = body.replace(b"SF1", b"SF2")
    elif case == "bad_timestamp":
        headers["X-QiHang-Timestamp"] = "yesterday"
    elif case == "unknown_key":
        headers["X-QiHang-Key"] = "nobody"
    answer = post(f"{oms.api_url}/api/erp/v1/shipments", body, headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert answer.json()["error"]["message"]
    with Session(oms.engine) as session:
        assert session.exec(select(ErpShipment).where(ErpShipment.order_id == order.id)).all() == []


def test_a_replayed_call_is_refused(erp):
    oms, pair, key, secret, _ = erp
    order = linked_order(oms, pair, no="IN-replay")
    body, headers = signed(key, secret, {"order_no": f"QH{order.id}", "carrier_code": "SF", "tracking_no": "SF7"})
    assert post(f"{oms.api_url}/api/erp/v1/shipments", body, headers).status_code == 200
    replay = post(f"{oms.api_url}/api/erp/v1/shipments", body, headers)
    assert (replay.status_code, replay.json()["error"]["code"]) == (409, "replayed")


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (b"not json", 400, "bad_json"),
        (b"[1, 2]", 400, "bad_json"),
        ({"order_no": "QH1"}, 422, "invalid"),
        ({"order_no": "QH1", "carrier_code": "SF", "tracking_no": "X\u00001"}, 422, "invalid"),  # NUL: PostgreSQL can't
        ({"order_no": "QH2147483647", "carrier_code": "SF", "tracking_no": "X1"}, 404, "unknown_order"),
        ({"order_no": "QH99999999999999999999", "carrier_code": "SF", "tracking_no": "X1"}, 404, "unknown_order"),
        ({"order_no": "<b>", "carrier_code": "SF", "tracking_no": "X1"}, 404, "unknown_order"),
    ],
)
def test_bad_bodies_answer_their_code(erp, payload, status, code):
    oms, _, key, secret, _ = erp
    answer = post(f"{oms.api_url}/api/erp/v1/shipments", *signed(key, secret, payload))
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)


def test_unknown_carrier_and_ended_orders_are_refused(erp):
    oms, pair, key, secret, _ = erp
    order = linked_order(oms, pair, no="IN-carrier")
    answer = _ship(oms, key, secret, order, carrier_code="NOPE")
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "unknown_carrier")
    ended = linked_order(oms, pair, no="IN-ended", status="cancelled")
    answer = _ship(oms, key, secret, ended)
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "order_ended")


def test_cancel_and_after_sale_results_are_kept_once(erp):
    oms, pair, key, secret, conn_id = erp
    order = linked_order(oms, pair, no="IN-cancel")
    with Session(oms.engine) as session:
        session.add(ErpOrderState(order_id=order.id, connection_id=conn_id, state="cancel_queued"))
        session.commit()
    url = f"{oms.api_url}/api/erp/v1/cancel-results"
    answer = post(url, *signed(key, secret, {"order_no": f"QH{order.id}", "outcome": "cancelled"}))
    assert answer.json() == {
        "order_no": f"QH{order.id}",
        "duplicate": False,
        "erp_state": "cancel_pushed",
        "erp_state_changed": True,
    }
    url = f"{oms.api_url}/api/erp/v1/aftersale-results"
    body = {"aftersale_no": "AS-1", "order_no": f"QH{order.id}", "outcome": "resend", "tracking_no": "SF5"}
    assert post(url, *signed(key, secret, body)).json() == {
        "aftersale_no": "AS-1",
        "duplicate": False,
        "recorded": True,
        "applied": None,  # no after-sale AS-1 here: kept raw for staff
    }
    time.sleep(1.1)
    assert post(url, *signed(key, secret, body)).json()["duplicate"] is True
    with Session(oms.engine) as session:
        kept = session.exec(select(ErpResult).where(ErpResult.order_id == order.id)).all()
        assert sorted(r.kind for r in kept) == ["aftersale", "cancel"] and '"resend"' in kept[0].body + kept[1].body


def test_openapi_and_docs_are_served(erp):
    import httpx

    oms = erp[0]
    spec = httpx.get(f"{oms.api_url}/api/openapi.json", trust_env=False).json()
    assert set(spec["paths"]) == {
        "/api/erp/v1/shipments",
        "/api/erp/v1/cancel-results",
        "/api/erp/v1/aftersale-results",
    }
    assert "取消已推送" in spec["info"]["description"] and "X-QiHang-Signature" in spec["info"]["description"]
    page = httpx.get(f"{oms.api_url}/api/docs", trust_env=False)
    assert page.status_code == 200 and "HMAC-SHA256" in page.text and "<table>" in page.text
