"""After-sales end to end against the sandbox twins: the buyer asks on the platform → the record
in the center → staff act → the write-back reaches the twin → the platform's answer comes back."""

from __future__ import annotations

import json

import pytest

from qihang_app.services import aftersale_actions as actions
from qihang_app.services.aftersale_partial import refund_missing
from workers.tasks.outbox import relay_outbox

from .aftersale_support import accepted_order, act, buyer, kinds, order, outbox, record, records, settle, written

pytestmark = pytest.mark.timeout(90)
PICTURE = "https://img.example/broken.jpg"


@pytest.mark.parametrize("platform", ["meituan", "douyin_laike"])
async def test_refund_request_agreed_is_refunded_and_closes_the_order(oms, ctx, platform):
    pair = oms.add_shop(platform)
    placed, mine = await accepted_order(oms, ctx, pair)
    buyer(oms, pair, placed, "refund", reason="不想要了", pictures=[PICTURE])
    await settle(oms, ctx)
    asked = record(oms, mine.id)
    assert (asked.state, asked.kind, asked.amount_fen) == ("pending", "presale_refund", mine.paid_fen)
    assert asked.deadline_at is not None and PICTURE in json.loads(asked.pictures)
    assert order(oms, mine.id).after_sale_state == "in_progress"

    act(oms, actions.agree, after_sale_id=asked.id)
    assert record(oms, mine.id).pending_action == "refund_agree"
    await relay_outbox(ctx)
    await settle(oms, ctx)
    done = record(oms, mine.id)
    assert (done.state, done.refunded_fen, done.platform_answer, done.pending_action) == (
        "refunded",
        mine.paid_fen,
        "ok",
        None,
    )
    assert (order(oms, mine.id).status, order(oms, mine.id).after_sale_state) == ("closed", "refunded")
    api = "refund_agree" if platform == "meituan" else "after_sale_audit"
    assert len(written(oms, placed, api)) == 1 or written(oms, placed, "refund_agree")
    assert {"created", "agree", "answer", "state"} <= set(kinds(oms, done.id))


@pytest.mark.parametrize("platform", ["meituan", "douyin_laike"])
async def test_reject_sends_the_platforms_reason_code(oms, ctx, platform):
    pair = oms.add_shop(platform)
    placed, mine = await accepted_order(oms, ctx, pair)
    buyer(oms, pair, placed, "refund", reason="少送一件")
    await settle(oms, ctx)
    asked = record(oms, mine.id)
    with pytest.raises(actions.ValidationError):
        act(oms, actions.reject, after_sale_id=asked.id, reason_code="nope")
    code = "2002" if platform == "meituan" else "2"
    act(oms, actions.reject, after_sale_id=asked.id, reason_code=code, reason="<b>已核实足量</b> 🍎")
    await relay_outbox(ctx)
    await settle(oms, ctx)
    assert record(oms, mine.id).state == "refused"
    truth = oms.sandbox.control.get(f"/orders/{platform}/{placed['order_id']}").json()
    assert truth["after_sales"][-1]["status"] == "rejected"
    rows = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    sent = json.dumps(rows[-1]["params"], ensure_ascii=False)
    assert code in sent and "🍎" in sent


async def test_return_flow_agree_buyer_ships_confirm_receipt(oms, ctx):
    pair = oms.add_shop("meituan")
    placed, mine = await accepted_order(oms, ctx, pair)
    buyer(oms, pair, placed, "refund", reason="质量问题", return_goods=True)
    await settle(oms, ctx)
    asked = record(oms, mine.id)
    assert asked.kind == "return_refund"
    act(oms, actions.agree, after_sale_id=asked.id)
    await relay_outbox(ctx)
    await settle(oms, ctx)
    assert record(oms, mine.id).state == "approved"
    assert [int(w["params"]["review_type"]) for w in written(oms, placed, "review_after_sales")] == [1]
    buyer(oms, pair, placed, "return_ship", waybill="SF9988", carrier="顺丰速运")
    await settle(oms, ctx)
    back = record(oms, mine.id)
    assert (back.state, back.return_waybill, back.return_carrier) == ("returned", "SF9988", "顺丰速运")
    act(oms, actions.confirm_receipt, after_sale_id=back.id, sellable=True)
    await relay_outbox(ctx)
    await settle(oms, ctx)
    assert record(oms, mine.id).state == "refunded"
    assert [int(w["params"]["review_type"]) for w in written(oms, placed, "review_after_sales")] == [1, 3]
    assert "stock" in kinds(oms, back.id)  # the ledger's task, recorded until the stock service takes it


async def test_duplicate_and_out_of_order_pushes_keep_one_record(oms, ctx):
    pair = oms.add_shop("meituan")
    placed, mine = await accepted_order(oms, ctx, pair)
    shop = pair.platform_shop_id
    oms.sandbox.fault("reorder_push", count=1, path_contains="order_refund", shop_id=shop)
    oms.sandbox.fault("duplicate_push", count=2, path_contains="order_refund", shop_id=shop)
    buyer(oms, pair, placed, "refund", reason="不想要了")
    buyer(oms, pair, placed, "refund_withdraw")
    oms.new_order(pair)  # a later push of the shop releases the held one
    await settle(oms, ctx)
    (one,) = records(oms, mine.id)
    assert one.state == "closed"
    assert kinds(oms, one.id).count("created") == 1


async def test_a_lost_refund_push_is_recovered_by_the_sweep(oms, ctx):
    from workers.tasks.refund_sweep import sweep_refunds
    from workers.tasks.sweep import shop_auth

    pair = oms.add_shop("meituan")
    placed, mine = await accepted_order(oms, ctx, pair)
    oms.sandbox.fault("drop_push", count=5, path_contains="refund", shop_id=pair.platform_shop_id)
    buyer(oms, pair, placed, "refund", reason="不想要了")
    await settle(oms, ctx)
    assert records(oms, mine.id) == []
    auth = await _auth(ctx, pair.shop_id, shop_auth)
    found = await sweep_refunds(ctx, auth)
    assert found["after_sales"] == 1
    assert record(oms, mine.id).state == "pending" and record(oms, mine.id).deadline_at is not None
    again = await sweep_refunds(ctx, auth)  # the next sweep finds nothing new
    assert again["after_sales"] == 0


async def test_missing_item_partial_refund_from_the_card(oms, ctx):
    pair = oms.add_shop("meituan")
    placed, mine = await accepted_order(oms, ctx, pair)
    from sqlmodel import Session, select

    from qihang_app.models import OrderLine

    with Session(oms.engine) as session:
        first = session.exec(select(OrderLine).where(OrderLine.order_id == mine.id).order_by(OrderLine.line_no)).first()
    with pytest.raises(actions.ValidationError):
        act(oms, refund_missing, order_id=mine.id, line_quantities={first.id: first.quantity + 1})
    part = act(oms, refund_missing, order_id=mine.id, line_quantities={first.id: 1}, reason="缺货")
    await relay_outbox(ctx)
    await settle(oms, ctx)
    (mine_part,) = records(oms, mine.id)
    assert mine_part.id == part.id and mine_part.state == "refunded"
    assert not mine_part.platform_refund_id.startswith("part:")
    assert order(oms, mine.id).after_sale_state in ("partly_refunded", "refunded")
    (call,) = written(oms, placed, "apply_part_refund")
    assert json.loads(call["params"]["food_data"])[0]["count"] == 1
    assert [r.status for r in outbox(oms, mine.id) if r.kind == "platform_aftersale"] == ["done"]


async def test_laike_has_no_partial_refund_call(oms, ctx):
    pair = oms.add_shop("douyin_laike")
    placed, mine = await accepted_order(oms, ctx, pair)
    with pytest.raises(actions.ValidationError):
        act(oms, refund_missing, order_id=mine.id, line_quantities={1: 1})


async def test_results_by_hand_resend_and_exchange(oms, ctx):
    pair = oms.add_shop("meituan")
    placed, mine = await accepted_order(oms, ctx, pair)
    from sqlmodel import Session, select

    from qihang_app.models import OrderLine

    with Session(oms.engine) as session:
        first = session.exec(select(OrderLine).where(OrderLine.order_id == mine.id)).first()
    made = act(
        oms, actions.create_manual, order_id=mine.id, kind="resend", line_quantities={first.id: 1}, reason="漏发"
    )
    with Session(oms.engine) as session:
        actions.record_result(session, after_sale_id=made.id, outcome="resend", tracking_no="YT123", user=oms.admin)
        session.commit()
    done = record(oms, mine.id)
    assert (done.state, done.erp_outcome, done.erp_tracking_no) == ("closed", "resend", "YT123")
    assert "stock" in kinds(oms, done.id) and outbox(oms, mine.id)[-1].kind != "platform_aftersale"
    with pytest.raises(actions.ValidationError):
        act(oms, actions.create_manual, order_id=mine.id, kind="teleport", line_quantities={first.id: 1}, reason="x")


async def _auth(ctx, shop_id, shop_auth):
    from workers.tasks.ingest import run_db

    return await run_db(ctx, lambda s: shop_auth(s, shop_id=shop_id))
