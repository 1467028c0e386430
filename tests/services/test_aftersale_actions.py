"""After-sale actions on both databases: what each writes to the outbox, refusals at the field
(empty, 3,000 characters, emoji, HTML, bad codes), store scope, the ERP result hook."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import EventKind, RefundKind, RefundStatus
from qihang_app.models import AfterSale, AfterSaleEvent, Order, OutboxMessage
from qihang_app.services import aftersale_actions as actions
from qihang_app.services import aftersale_queries as queries
from qihang_app.services.aftersale_hooks import apply_erp_result
from qihang_app.services.errors import ConflictError, ValidationError
from qihang_app.services.outbox import claim_due, mark_done, mark_failed
from qihang_app.services.scope import ScopeError
from tests.services.ingest_factories import apply, event, snapshot
from tests.services.test_aftersale_intake import push


def _asked(session, world, *, kind=RefundKind.FULL, status=OrderStatus.TO_SHIP) -> AfterSale:
    apply(session, world, snapshot(status=status))
    apply(session, world, push(RefundStatus.APPLIED, 60, kind=kind))
    session.expire_all()
    return session.exec(select(AfterSale)).one()


def _outbox(session) -> list[dict]:
    session.expire_all()
    return [json.loads(r.payload) for r in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_agree_queues_the_refund_and_the_answer_lands_on_the_record(session, world):
    record = _asked(session, world)
    actions.agree(session, actor=world.admin, after_sale_id=record.id)
    session.commit()
    (payload,) = _outbox(session)
    assert payload["action"] == "refund_agree" and payload["after_sale_id"] == record.id
    assert payload["refund_id"] == "R1" and payload["platform_order_id"] == "MT1"
    with pytest.raises(ConflictError):  # still on its way: no second tap
        actions.agree(session, actor=world.admin, after_sale_id=record.id)
    session.rollback()
    (effect,) = claim_due(session)
    mark_failed(session, effect=effect, error="订单状态不允许退款 (808)", retryable=False)
    session.commit()
    again = session.get(AfterSale, record.id)
    assert (again.pending_action, again.platform_answer) == (None, "订单状态不允许退款 (808)")
    order = session.get(Order, record.order_id)
    assert order.action_error is None  # the board card is not blamed for an after-sale call


def test_return_request_agree_asks_the_platform_to_accept_the_return(session, world):
    record = _asked(session, world, kind=RefundKind.RETURN_GOODS, status=OrderStatus.COMPLETED)
    actions.agree(session, actor=world.admin, after_sale_id=record.id)
    session.commit()
    assert [p["action"] for p in _outbox(session)] == ["return_agree"]
    assert session.get(AfterSale, record.id).state == "approved"
    (effect,) = claim_due(session)
    mark_done(session, effect=effect)
    actions.confirm_receipt(session, actor=world.admin, after_sale_id=record.id, sellable=False)
    session.commit()
    assert [p["action"] for p in _outbox(session)] == ["return_agree", "receipt_confirm"]
    assert session.get(AfterSale, record.id).state == "refunding"


@pytest.mark.parametrize(
    ("code", "reason", "field"),
    [("nope", "", "reason_code"), ("2002", "很" * 3000, "reason")],
)
def test_reject_refuses_at_the_field(session, world, code, reason, field):
    record = _asked(session, world)
    with pytest.raises(ValidationError) as caught:
        actions.reject(session, actor=world.admin, after_sale_id=record.id, reason_code=code, reason=reason)
    assert caught.value.field == field
    session.rollback()
    assert _outbox(session) == [] and session.get(AfterSale, record.id).state == "pending"


def test_reject_keeps_html_and_emoji_as_text(session, world):
    record = _asked(session, world)
    text = "<script>alert(1)</script> 已核实 🍎"
    actions.reject(session, actor=world.admin, after_sale_id=record.id, reason_code="2002", reason=text)
    session.commit()
    (payload,) = _outbox(session)
    assert payload == {**payload, "action": "refund_reject", "reason_code": "2002", "reason": text}


@pytest.mark.parametrize(("text", "ok"), [("", False), ("   ", False), ("x" * 3000, False), ("<b>记得</b> 📦", True)])
def test_note(session, world, text, ok):
    record = _asked(session, world)
    if not ok:
        with pytest.raises(ValidationError) as caught:
            actions.add_note(session, actor=world.admin, after_sale_id=record.id, text=text)
        assert caught.value.field == "note"
        return
    actions.add_note(session, actor=world.admin, after_sale_id=record.id, text=text)
    session.commit()
    assert session.get(AfterSale, record.id).seller_note == text
    assert _outbox(session) == []


def test_another_stores_staff_can_neither_see_nor_act(session, world):
    record = _asked(session, world)
    from tests.services.factories import make_actor

    outsider = make_actor(session, "staff_b", "staff", [world.store_b])
    with pytest.raises(ScopeError):
        actions.agree(session, actor=outsider, after_sale_id=record.id)
    with pytest.raises(ScopeError):
        queries.detail(session, actor=outsider, after_sale_id=record.id)
    assert queries.list_after_sales(session, actor=outsider).total == 0
    mine = queries.list_after_sales(session, actor=world.admin, open_only=True)
    assert mine.total == 1 and mine.rows[0]["deadline_at"] is None and mine.counts == {"pending": 1}


def test_erp_results_move_the_record_once(session, world):
    record = _asked(session, world, kind=RefundKind.RETURN_GOODS, status=OrderStatus.COMPLETED)
    actions.agree(session, actor=world.admin, after_sale_id=record.id)
    apply_erp_result(session, record.id, "return", "SF1")
    apply_erp_result(session, record.id, "return", "SF1")  # the same result twice
    session.commit()
    again = session.get(AfterSale, record.id)
    assert (again.state, again.erp_outcome, again.erp_tracking_no) == ("refunding", "return", "SF1")
    kinds = [e.kind for e in session.exec(select(AfterSaleEvent).where(AfterSaleEvent.after_sale_id == record.id))]
    assert kinds.count("erp_result") == 1 and "confirm_receipt" in kinds
    assert [p["action"] for p in _outbox(session)] == ["return_agree", "receipt_confirm"]
    with pytest.raises(ValidationError):
        apply_erp_result(session, record.id, "teleport")


def test_intercept_by_hand_is_refunded_outside_the_platform_and_closes_the_order(session, world):
    order = session.get(Order, world.order_a)
    line_id = session.exec(select(Order.id)).first() and order.id
    from qihang_app.models import OrderLine

    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    made = actions.create_manual(
        session, actor=world.admin, order_id=line_id, kind="intercept", line_quantities={line.id: 2}, reason="拦截快递"
    )
    apply_erp_result(session, made.id, "intercept", "YT9", actor="erp")
    session.commit()
    done = session.get(AfterSale, made.id)
    assert (done.state, done.refunded_fen) == ("refunded", order.paid_fen)
    assert session.get(Order, order.id).status == "closed"
    assert _outbox(session) == []  # nothing to tell the platform about a hand-made one


def test_unknown_refund_event_kind_is_harmless(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    apply(session, world, event(EventKind.CANCEL))
    assert session.exec(select(AfterSale)).all() == []
