"""Every after-sale type end to end, on SQLite and PostgreSQL: the request (a platform refund, or
staff's hand-made 补发 / 换货 / 维修 / 拦截) → the after-sale center → the `aftersale.created`
ERP push row → the ERP's result through the signed inbound API over real HTTP → the platform
write-back queued (platform requests only) → the stock ledger: returned sellable goods back only
when received, 补发 / 换货 out once, 维修 no stock at all. The ERP's key is the audit actor."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from qihang_app.domain.order_status import Platform
from qihang_app.domain.platform_order import PlatformRefund, RefundKind, RefundStatus
from qihang_app.domain.stock import Delta
from qihang_app.models import AfterSale, AuditEntry, ErpShipment, OrderLine, OutboxMessage, StockMove, utcnow
from qihang_app.services import aftersale_actions as actions
from qihang_app.services.aftersale_intake import record_platform_refund
from qihang_app.services.stock_levels import available, change_level, ensure_level, store_location
from tests.erp_support import connect_twin, linked_order, new_keys, post, signed

pytestmark = pytest.mark.timeout(90)
SHELF = 10  # what the shelf holds before each case; every order line is 2 × SKU-A


@pytest.fixture
def erp(oms):
    key, secret = new_keys()
    pair = oms.add_shop("meituan")
    conn_id = connect_twin(oms, key=key, secret=secret)
    return oms, pair, key, secret, conn_id


def _platform_request(oms, pair, order, kind: RefundKind) -> int:
    refund = PlatformRefund(
        platform=Platform(pair.platform),
        platform_shop_id=pair.platform_shop_id,
        platform_refund_id=f"RF-{order.id}",
        platform_order_id=order.platform_order_id,
        kind=kind,
        status=RefundStatus.APPLIED,
        amount_fen=order.paid_fen,
        reason="商品有破损",
        updated_at=utcnow() - timedelta(minutes=1),
        deadline_at=utcnow() + timedelta(hours=24),
    )
    with Session(oms.engine) as session:
        change = record_platform_refund(session, order_id=order.id, refund=refund, via="推送")
        session.commit()
        return change.after_sale_id


def _by_hand(oms, order, kind: str) -> int:
    with Session(oms.engine) as session:
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
        record = actions.create_manual(
            session, actor=oms.admin, order_id=order.id, kind=kind, line_quantities={line.id: 2}, reason="买家来电"
        )
        session.commit()
        return record.id


def _result(oms, key, secret, no: str, outcome: str, **extra):
    body = {"aftersale_no": no, "outcome": outcome, **extra}
    return post(f"{oms.api_url}/api/erp/v1/aftersale-results", *signed(key, secret, body))


def _look(oms, after_sale_id: int, sku_code: str = "SKU-A") -> dict:
    with Session(oms.engine) as session:
        record = session.get(AfterSale, after_sale_id)
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == record.order_id)).all()
        moves = session.exec(select(StockMove).where(StockMove.idem_key.startswith(f"as{after_sale_id}:"))).all()
        return {
            "state": record.state,
            "kind": record.kind,
            "erp": [json.loads(r.payload)["event"] for r in rows if r.kind == "erp_aftersale"],
            "platform": [json.loads(r.payload)["action"] for r in rows if r.kind == "platform_aftersale"],
            "moves": sorted((m.kind, m.on_hand_delta) for m in moves),
            "shelf": _shelf(session, record.store_id, sku_code),
            "parcels": [s.tracking_no for s in session.exec(select(ErpShipment).where(ErpShipment.after_sale_id == after_sale_id))],
        }  # fmt: skip


def _shelf(session, store_id: int, code: str) -> int:
    from qihang_app.models import ErpSku

    sku = session.exec(select(ErpSku).where(ErpSku.code == code)).one()
    return available(session, store_location(session, store_id), sku.id)


def _stock(oms, order) -> None:
    from qihang_app.models import ErpSku

    with Session(oms.engine) as session:
        sku = session.exec(select(ErpSku).where(ErpSku.code == "SKU-A")).one()
        shelf = store_location(session, order.store_id)
        ensure_level(session, shelf, sku.id)
        change_level(session, shelf, sku.id, Delta(on_hand=SHELF - available(session, shelf, sku.id)))
        session.commit()


def _agree(oms, after_sale_id: int) -> None:
    with Session(oms.engine) as session:
        actions.agree(session, actor=oms.admin, after_sale_id=after_sale_id)
        session.commit()


# (type, how it starts, order status, staff agree first, ERP outcomes in turn, final state,
#  platform write-backs, stock moves, parcels)
CASES = [
    ("presale_refund", RefundKind.FULL, "to_ship", False, ["refund_only"], "refunding", ["refund_agree"], [], []),
    ("refund_only", RefundKind.FULL, "completed", False, ["refund_only"], "refunding", ["refund_agree"], [], []),
    ("return_refund", RefundKind.RETURN_GOODS, "completed", True, ["return"], "refunding",
     ["return_agree", "receipt_confirm"], [("receive", 2)], []),
    ("exchange", "exchange", "completed", False, ["exchange"], "closed", [], [("deduct", -2), ("receive", 2)],
     ["SF-X1"]),
    ("resend", "resend", "completed", False, ["resend"], "closed", [], [("deduct", -2)], ["SF-X1"]),
    ("repair", "repair", "completed", True, ["return", "resend"], "closed", [], [], ["SF-X1"]),
    ("intercept", "intercept", "shipped", False, ["intercept"], "refunded", [], [], []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "start", "status", "agree", "outcomes", "final", "writes", "moves", "parcels"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_each_after_sale_type_end_to_end(erp, kind, start, status, agree, outcomes, final, writes, moves, parcels):
    oms, pair, key, secret, conn_id = erp
    order = linked_order(oms, pair, no=f"AS-{kind}", status=status)
    _stock(oms, order)
    if isinstance(start, RefundKind):
        after_sale_id = _platform_request(oms, pair, order, start)
    else:
        after_sale_id = _by_hand(oms, order, start)
    seen = _look(oms, after_sale_id)
    assert (seen["kind"], seen["state"], seen["erp"]) == (kind, "pending", ["aftersale.created"])
    if agree:
        _agree(oms, after_sale_id)
        assert _look(oms, after_sale_id)["moves"] == []  # nothing back on the shelf before it is received
    with Session(oms.engine) as session:
        no = session.get(AfterSale, after_sale_id).no
    for outcome in outcomes:
        extra = {"tracking_no": "SF-X1", "carrier_code": "SF"} if outcome in ("resend", "exchange") else {}
        answer = _result(oms, key, secret, no, outcome, **extra)
        assert answer.status_code == 200, answer.text
        assert answer.json()["applied"], _timeline(oms, after_sale_id)
        assert answer.json() | {"aftersale_no": ""} == {
            "aftersale_no": "", "duplicate": False, "recorded": True, "applied": True,
        }  # fmt: skip
        again = _result(oms, key, secret, no, outcome, note="再发一次", **extra)  # the ERP retries
        assert again.status_code == 200 and again.json()["duplicate"] is True
    seen = _look(oms, after_sale_id)
    assert seen["state"] == final, _timeline(oms, after_sale_id)
    assert seen["platform"] == writes
    assert seen["moves"] == sorted(moves)
    assert seen["shelf"] == SHELF + sum(delta for _, delta in moves)
    assert seen["parcels"] == parcels
    with Session(oms.engine) as session:
        trail = session.exec(select(AuditEntry).where(AuditEntry.action == "erp.api.aftersale_result")).all()
    assert len(trail) == len(outcomes)  # once per result, not per retry
    assert {(e.actor, e.target_kind, e.target_id, e.address) for e in trail} == {
        (f"key:{conn_id}", "after_sale", str(after_sale_id), "127.0.0.1")
    }
    assert all(key in e.actor_name and secret not in (e.actor_name + (e.after or "")) for e in trail)


def _timeline(oms, after_sale_id: int) -> str:
    """The after-sale's timeline, shown when a step is not where the test expects it."""
    from qihang_app.models import AfterSaleEvent

    with Session(oms.engine) as session:
        rows = session.exec(select(AfterSaleEvent).where(AfterSaleEvent.after_sale_id == after_sale_id))
        return "; ".join(f"{e.kind} {e.from_state}->{e.to_state} {e.note}" for e in rows)
