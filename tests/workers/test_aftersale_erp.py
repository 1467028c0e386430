"""After-sales on the ERP link, against the twins over loopback: the buyer asks on the platform →
the record in the center → the `aftersale.created` push received by our ERP twin → the ERP's
result on the signed inbound API (or polled) → the after-sale moves and the platform is told."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

from integrations.erp_contract import AfterSaleResult
from qihang_app.domain.erp_link import ErpEvent, after_sale_key
from qihang_app.models import ErpShipment, OutboxMessage
from qihang_app.services import aftersale_actions as actions
from qihang_app.services import erp_inbound
from tests.erp_support import connect_twin, new_keys, post, signed, twin_reset, twin_truth
from workers.tasks.outbox import relay_outbox

from .aftersale_support import accepted_order, act, buyer, kinds, order, record, settle, written

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def linked(oms):
    twin_reset(oms)
    key, secret = new_keys()
    pair = oms.add_shop("meituan")
    return oms, pair, connect_twin(oms, key=key, secret=secret), key, secret


def _pushes(oms, after_sale_id: int) -> list[OutboxMessage]:
    with Session(oms.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "erp_aftersale"))
        return [r for r in rows if f":as{after_sale_id}:" in r.idempotency_key]


def _result(oms, key: str, secret: str, body: dict) -> dict:
    answer = post(f"{oms.api_url}/api/erp/v1/aftersale-results", *signed(key, secret, body))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_return_request_goes_to_the_erp_and_its_result_reaches_the_platform(linked, ctx):
    oms, pair, conn_id, key, secret = linked
    placed, mine = await accepted_order(oms, ctx, pair)
    buyer(oms, pair, placed, "refund", reason="质量问题", return_goods=True)
    await settle(oms, ctx)
    asked = record(oms, mine.id)
    (push,) = _pushes(oms, asked.id)
    assert push.target == "erp" and push.idempotency_key == after_sale_key(conn_id, asked.id, ErpEvent.AFTER_SALE, 1)
    await relay_outbox(ctx)
    truth = twin_truth(oms)
    sent = truth["received"][push.idempotency_key]
    assert sent["event"] == "aftersale.created"
    assert (sent["data"]["after_sale_no"], sent["data"]["kind"]) == (asked.no, "return")
    assert sent["data"]["order_no"] == f"QH{mine.id}" and sent["data"]["refund_fen"] == asked.amount_fen
    assert truth["deliveries"][push.idempotency_key] == 1
    assert record(oms, mine.id).erp_ref.startswith("AS")  # the ERP's number, from its answer
    act(oms, actions.agree, after_sale_id=asked.id)
    await relay_outbox(ctx)
    await settle(oms, ctx)
    assert record(oms, mine.id).state == "approved"
    # the warehouse got the goods back: the ERP says so on our signed API
    answer = _result(oms, key, secret, {"aftersale_no": asked.no, "outcome": "return", "note": "已入库"})
    assert (answer["applied"], answer["duplicate"]) == (True, False)
    time.sleep(1.1)  # a new signature time: a replay would be refused, a resend is a duplicate
    assert _result(oms, key, secret, {"aftersale_no": asked.no, "outcome": "return"})["duplicate"] is True
    await relay_outbox(ctx)
    await settle(oms, ctx)
    done = record(oms, mine.id)
    assert (done.state, done.erp_outcome, done.refunded_fen) == ("refunded", "return", asked.amount_fen)
    assert [int(w["params"]["review_type"]) for w in written(oms, placed, "review_after_sales")] == [1, 3]
    assert kinds(oms, done.id).count("erp_result") == 1
    assert len(_pushes(oms, asked.id)) == 1  # one push per (after-sale, event, version)


async def test_resend_result_is_a_parcel_of_the_original_order(linked, ctx):
    oms, pair, conn_id, key, secret = linked
    placed, mine = await accepted_order(oms, ctx, pair)
    with Session(oms.engine) as session:
        from qihang_app.models import OrderLine

        first = session.exec(select(OrderLine).where(OrderLine.order_id == mine.id)).first()
    made = act(
        oms, actions.create_manual, order_id=mine.id, kind="resend", line_quantities={first.id: 1}, reason="漏发"
    )
    await relay_outbox(ctx)
    (push,) = _pushes(oms, made.id)
    assert twin_truth(oms)["received"][push.idempotency_key]["data"]["kind"] == "resend"
    body = {"aftersale_no": made.no, "outcome": "resend", "tracking_no": "SF7001", "carrier_code": "SF"}
    assert _result(oms, key, secret, body)["applied"] is True
    unknown = {"aftersale_no": "AS-NOT-HERE", "outcome": "resend", "tracking_no": "SF1"}
    assert _result(oms, key, secret, unknown)["applied"] is None  # kept raw, nothing moved
    with Session(oms.engine) as session:
        parcels = session.exec(select(ErpShipment).where(ErpShipment.after_sale_id == made.id)).all()
    assert [(p.order_id, p.tracking_no, p.carrier_code, p.source) for p in parcels] == [
        (mine.id, "SF7001", "SF", "resend")
    ]
    done = record(oms, mine.id)
    assert (done.erp_outcome, done.erp_tracking_no) == ("resend", "SF7001")
    assert done.state != "pending"
    assert order(oms, mine.id).status == "to_ship"  # the parcel is the after-sale's, not the order's delivery


async def test_a_polled_result_names_the_erps_own_number(linked, ctx):
    oms, pair, conn_id, _, _ = linked
    placed, mine = await accepted_order(oms, ctx, pair)
    buyer(oms, pair, placed, "refund", reason="质量问题", return_goods=True)
    await settle(oms, ctx)
    await relay_outbox(ctx)
    asked = record(oms, mine.id)
    act(oms, actions.agree, after_sale_id=asked.id)
    await relay_outbox(ctx)
    await settle(oms, ctx)
    found = AfterSaleResult(record(oms, mine.id).erp_ref, "exchange", tracking_no="YT300", carrier="YTO")
    for expect_new in (True, False):  # the next poll reports it again: nothing changes twice
        with Session(oms.engine) as session:
            assert erp_inbound.polled_after_sale(session, connection_id=conn_id, result=found) is expect_new
            session.commit()
    done = record(oms, mine.id)
    assert (done.erp_outcome, done.erp_tracking_no) == ("exchange", "YT300")
    with Session(oms.engine) as session:
        parcels = session.exec(select(ErpShipment).where(ErpShipment.after_sale_id == asked.id)).all()
    assert [(p.order_id, p.tracking_no) for p in parcels] == [(mine.id, "YT300")]
