"""services.ingest.apply_batch on hand-built platform data: idempotent, never backwards, one
event per real change, lines replaced consistently, SKUs auto-linked, rows marked."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    DeliveryUpdate,
    EventKind,
    PlatformRefund,
    RefundKind,
    RefundStatus,
)
from qihang_app.models import ErpSku, InboxMessage, Order, ShopSku
from qihang_app.services.inbox import RawMessage
from qihang_app.services.ingest import IngestItem, apply_batch, missing_orders
from tests.services.ingest_factories import T0, apply, event, events, line, lines_of, order, rows, snapshot


def test_new_order_is_created_with_lines_event_and_phone_tail(session, world):
    result = apply(session, world, snapshot(lines=[line("A"), line("B", qty=2)]))
    o = order(session)
    assert (o.status, o.store_id, o.shop_id, o.day_seq, o.paid_fen) == (
        "awaiting_accept",
        world.store_a,
        world.shop_a,
        3,
        1000,
    )
    assert o.receiver_phone_tail == "5678"  # the main number, not the privacy extension
    assert o.platform_updated_at == T0
    assert [(l.line_no, l.platform_sku_id, l.quantity) for l in lines_of(session, o.id)] == [(1, "A", 1), (2, "B", 2)]
    assert events(session, o.id) == [("created", None, "awaiting_accept")]
    assert [(c.order_id, c.kind, c.status) for c in result.changes] == [(o.id, "new", "awaiting_accept")]
    assert result.processed == 1


def test_duplicate_changes_nothing(session, world):
    apply(session, world, snapshot())
    before = order(session)
    result = apply(session, world, snapshot(), snapshot())
    after = order(session)
    assert result.changes == [] and result.processed == 2
    assert after.updated_at == before.updated_at
    assert len(events(session, after.id)) == 1


def test_newer_snapshot_updates_and_older_one_never_moves_backwards(session, world):
    apply(session, world, snapshot())
    later = snapshot(status=OrderStatus.TO_SHIP, at=T0 + timedelta(minutes=1), buyer_memo="少放辣")
    apply(session, world, later)
    o = order(session)
    assert (o.status, o.buyer_memo, o.accepted_at) == ("to_ship", "少放辣", later.updated_at)
    stale = snapshot(status=OrderStatus.AWAITING_ACCEPT, at=T0 + timedelta(seconds=30), buyer_memo="old memo")
    result = apply(session, world, stale)
    o = order(session)
    assert (o.status, o.buyer_memo) == ("to_ship", "少放辣") and result.changes == []
    assert events(session, o.id) == [
        ("created", None, "awaiting_accept"),
        ("status", "awaiting_accept", "to_ship"),
        ("updated", None, None),
    ]


def test_same_second_forward_status_applies(session, world):
    apply(session, world, snapshot())
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))  # same utime, further along
    assert order(session).status == "to_ship"


def test_newer_snapshot_cannot_reopen_a_terminal_order(session, world):
    apply(session, world, snapshot(), event(EventKind.CANCEL, at=T0 + timedelta(seconds=5), cancel_reason="不想要了"))
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP, at=T0 + timedelta(minutes=1)))
    o = order(session)
    assert o.status == "cancelled" and o.cancelled_at == T0 + timedelta(seconds=5)


def test_thin_events_move_status_once(session, world):
    apply(session, world, snapshot())
    confirm = event(EventKind.CONFIRMED, at=T0 + timedelta(seconds=10), raw_status_code="4")
    apply(session, world, confirm, confirm)
    o = order(session)
    assert o.status == "to_ship"
    assert events(session, o.id).count(("status", "awaiting_accept", "to_ship")) == 1
    # a thin event does not advance the platform time: the full snapshot of that moment applies
    assert o.platform_updated_at == T0


def test_full_refund_closes_and_a_redelivered_refund_records_nothing_new(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    refund = PlatformRefund(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_refund_id="R1",
        platform_order_id="MT1",
        kind=RefundKind.FULL,
        status=RefundStatus.SUCCEEDED,
        amount_fen=1000,
        reason="破损",
    )
    ev = event(EventKind.REFUND, refund=refund, at=T0 + timedelta(minutes=2))
    apply(session, world, ev)
    apply(session, world, ev)
    o = order(session)
    assert o.status == "closed" and o.closed_at is not None
    kinds = [e[0] for e in events(session, o.id)]
    assert kinds.count("refund") == 1 and kinds.count("status") == 1
    partial = replace(ev, refund=replace(refund, platform_refund_id="R2", kind=RefundKind.PARTIAL))
    apply(session, world, partial)
    assert [e[0] for e in events(session, o.id)].count("refund") == 2


def test_rider_updates_move_to_shipped_and_completed_but_never_back(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))

    def rider(status, seconds):
        return event(
            EventKind.DELIVERY,
            at=T0 + timedelta(seconds=seconds),
            delivery=DeliveryUpdate(status=status, raw_status_code="", rider_name="王师傅", rider_phone="138****0000"),
        )

    apply(session, world, rider(DeliveryStatus.DELIVERING, 20))
    o = order(session)
    assert (o.status, o.rider_status, o.rider_name) == ("shipped", "delivering", "王师傅")
    apply(session, world, rider(DeliveryStatus.RIDER_ACCEPTED, 10))  # late, older message
    assert order(session).rider_status == "delivering"
    apply(session, world, rider(DeliveryStatus.DELIVERED, 40))
    o = order(session)
    assert (o.status, o.rider_status) == ("completed", "delivered") and o.delivered_at


def test_event_for_an_unknown_order_waits_instead_of_guessing(session, world):
    result = apply(session, world, event(EventKind.CANCEL, no="NEVER-SEEN"))
    [row] = session.exec(select(InboxMessage)).all()
    assert (row.status, row.attempts) == ("received", 1) and "not known yet" in row.error
    assert result.retried == 1
    assert not session.exec(select(Order).where(Order.platform_order_id == "NEVER-SEEN")).all()
    assert missing_orders(session, keys=[(world.shop_a, "NEVER-SEEN"), (world.shop_a, "A0001")]) == {
        (world.shop_a, "NEVER-SEEN")
    }


def test_lines_are_replaced_and_manual_links_survive(session, world):
    apply(session, world, snapshot(lines=[line("A"), line("B")]))
    o = order(session)
    first = lines_of(session, o.id)[0]
    first.erp_sku_id, first.link_method = _erp(session, "ERP-A").id, "manual"
    session.add(first)
    session.commit()
    apply(session, world, snapshot(at=T0 + timedelta(minutes=1), lines=[line("A"), line("B", qty=3), line("C")]))
    now = lines_of(session, o.id)
    assert [(l.platform_sku_id, l.quantity) for l in now] == [("A", 1), ("B", 3), ("C", 1)]
    assert (now[0].link_method, now[0].erp_sku_id) == ("manual", first.erp_sku_id)
    assert ("updated", None, None) in events(session, o.id)


def _erp(session, code, barcode=""):
    sku = ErpSku(code=code, name=code, barcode=barcode)
    session.add(sku)
    session.flush()
    return sku


def test_auto_link_precedence_shop_link_then_outer_code_then_barcode(session, world):
    by_link, by_code, by_barcode = (
        _erp(session, "E-LINK"),
        _erp(session, "E-CODE"),
        _erp(session, "E-BAR", barcode="6901234567892"),
    )
    _erp(session, "E-DUP1", barcode="6900000000001")
    _erp(session, "E-DUP2", barcode="6900000000001")  # ambiguous: never auto-linked
    session.add(ShopSku(shop_id=world.shop_a, platform_sku_id="S-LINKED", erp_sku_id=by_link.id))
    session.commit()
    apply(
        session,
        world,
        snapshot(
            lines=[
                line("S-LINKED", outer="E-CODE"),
                line("S2", outer=" E-CODE "),
                line("S3", barcode="6901234567892"),
                line("S4", barcode="6900000000001"),
                line("S5", outer="e-code"),  # codes are case-sensitive
            ]
        ),
    )
    got = [(l.erp_sku_id, l.link_method) for l in lines_of(session, order(session).id)]
    assert got == [
        (by_link.id, "shop_link"),
        (by_code.id, "outer_code"),
        (by_barcode.id, "barcode"),
        (None, None),
        (None, None),
    ]


def test_bad_rows_are_marked_and_do_not_block_the_batch(session, world):
    ids = rows(session, world, "order_paid", "order_paid", "order_paid", "order_paid")
    items = [
        IngestItem(inbox_id=ids[0], shop_id=world.shop_a, error="ValueError: no ctime"),
        IngestItem(inbox_id=ids[1], shop_id=world.shop_a, rejected="sig mismatch"),
        IngestItem(inbox_id=ids[2], shop_id=world.shop_a, orders=[snapshot()]),
        IngestItem(inbox_id=ids[3], shop_id=world.shop_a, retry="platform 700"),
    ]
    result = apply_batch(session, items=items)
    session.commit()
    by_id = {r.id: r for r in session.exec(select(InboxMessage))}
    assert [(by_id[i].status, by_id[i].error) for i in ids] == [
        ("failed", "ValueError: no ctime"),
        ("rejected", "sig mismatch"),
        ("processed", None),
        ("received", "platform 700"),
    ]
    assert (result.processed, result.failed, result.rejected, result.retried) == (1, 1, 1, 1)
    again = apply_batch(session, items=items)  # a second run of the same job: nothing to do
    assert again.skipped == 3 and again.changes == []


def test_pulled_payloads_are_stored_raw_in_the_same_transaction(session, world):
    raw = RawMessage(
        source="meituan",
        kind="pull",
        body=json.dumps({"order_id": "MT9"}),
        shop_id=world.shop_a,
        headers={"via": "sweep"},
    )
    result = apply_batch(
        session,
        items=[IngestItem(inbox_id=None, shop_id=world.shop_a, raw=raw, orders=[snapshot("MT9")], source="sweep #1")],
    )
    session.commit()
    [row] = session.exec(select(InboxMessage)).all()
    assert (row.id, row.status, row.kind) == (result.inbox_ids[0], "processed", "pull")
    o = order(session, "MT9")
    assert events(session, o.id) == [("created", None, "awaiting_accept")]


@pytest.mark.parametrize("status", ["invalid"])
def test_split_parent_is_left_alone(session, world, status):
    apply(session, world, snapshot())
    o = order(session)
    o.status = status
    session.add(o)
    session.commit()
    apply(
        session,
        world,
        snapshot(status=OrderStatus.SHIPPED, at=T0 + timedelta(hours=1)),
        event(EventKind.CANCEL, at=T0 + timedelta(hours=2)),
    )
    assert order(session).status == "invalid"


def test_new_orders_of_an_auto_accept_shop_are_accepted_in_the_same_transaction(session, world):
    """Auto-accept takes a pushed order at once; the platform confirm waits in the outbox."""
    from qihang_app.models import OutboxMessage, Shop

    shop = session.get(Shop, world.shop_a)
    shop.auto_accept = True
    session.add(shop)
    session.commit()
    result = apply(session, world, snapshot("AUTO1"))
    o = order(session, "AUTO1")
    assert (o.status, o.auto_accepted, o.pending_action) == ("to_ship", True, "accept")
    assert [(c.kind, c.status) for c in result.changes] == [("new", "to_ship")]
    outbox = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == o.id)).one()
    assert outbox.kind == "platform_accept"
    # a shop without auto-accept keeps its orders for a person to take
    shop.auto_accept = False
    session.add(shop)
    session.commit()
    apply(session, world, snapshot("MANUAL1"))
    assert order(session, "MANUAL1").status == "awaiting_accept"
