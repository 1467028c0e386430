"""Split shipments (per platform line, SHIP carries line_ids), the seller memo and flag (MEMO
write-back), and ingest keeping each line's platform id and refund state."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from qihang_app.models import AuditEntry, ErpSku, Order, OrderEvent, OrderLine, OutboxMessage
from qihang_app.services import erp_manual, seller_memo, shipments, waybills
from qihang_app.services.errors import ConflictError, ValidationError
from qihang_app.services.scope import ScopeError
from tests.services.factories import make_actor
from tests.services.ingest_factories import T0, apply, line, lines_of, order, snapshot
from tests.waybill_support import CODE, kite_order, kite_platform, kite_shop


@pytest.fixture
def kite():
    with kite_platform() as platform:
        yield platform


@pytest.fixture
def kite_ids(session, world, kite):
    shop_id = kite_shop(session, admin=world.admin, store_id=world.store_a)
    order_id = kite_order(session, shop_id=shop_id, store_id=world.store_a, no="KT-1001")
    session.commit()
    return shop_id, order_id


def _ships(session, order_id) -> list[dict]:
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.order_id == order_id, OutboxMessage.kind == "platform_ship")
    )
    return [json.loads(r.payload) for r in sorted(rows, key=lambda r: r.id)]


def _ship(session, world, order_id, tracking, line_nos=()):
    return erp_manual.enter_shipment(
        session,
        actor=world.admin,
        order_id=order_id,
        carrier_code="ZTO",
        tracking_no=tracking,
        line_nos=line_nos,
    )


def test_parcels_ship_their_lines_and_the_order_ships_when_every_line_went(session, world, kite_ids):
    _, order_id = kite_ids
    first = _ship(session, world, order_id, "ZT100", line_nos=[2, 1])
    session.commit()
    assert (first.moved, session.get(Order, order_id).status) == (False, "to_ship")
    assert _ships(session, order_id) == [
        {
            "action": "ship",
            "platform_order_id": "KT-1001",
            "carrier": "ZTO",
            "tracking_no": "ZT100",
            "line_ids": ["KT-1001-L1", "KT-1001-L2"],
        }
    ]
    done = shipments.shipped_so_far(session, order_id)
    assert done.platform_line_ids == {"KT-1001-L1", "KT-1001-L2"} and not done.whole
    with pytest.raises(ConflictError) as refused:
        _ship(session, world, order_id, "ZT101", line_nos=[1])
    assert refused.value.key == "ship.err.line_shipped"
    session.rollback()

    last = _ship(session, world, order_id, "ZT102", line_nos=[3])
    session.commit()
    assert (last.moved, session.get(Order, order_id).status) == (True, "shipped")
    assert _ships(session, order_id)[-1]["line_ids"] == ["KT-1001-L3"]
    kinds = [e.kind for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id))]
    assert kinds.count("erp_shipped_part") == 1 and kinds.count("erp_shipped") == 1


def test_a_whole_order_parcel_after_a_partial_names_the_remaining_lines(session, world, kite_ids):
    _, order_id = kite_ids
    _ship(session, world, order_id, "ZT200", line_nos=[1])
    rest = _ship(session, world, order_id, "ZT201")
    session.commit()
    assert rest.moved
    assert [p.get("line_ids") for p in _ships(session, order_id)] == [["KT-1001-L1"], ["KT-1001-L2", "KT-1001-L3"]]


def test_a_whole_order_shipment_sends_no_line_ids(session, world, kite_ids):
    _, order_id = kite_ids
    assert _ship(session, world, order_id, "ZT300").moved
    assert "line_ids" not in _ships(session, order_id)[0]


def test_lines_on_a_platform_that_ships_whole_orders_are_refused(session, world, kite):
    with pytest.raises(ValidationError) as refused:
        _ship(session, world, world.order_a, "ZT400", line_nos=[1])
    assert refused.value.key == "ship.err.no_split"
    with pytest.raises(ValidationError):
        _ship(session, world, kite_order(session, shop_id=world.shop_a, store_id=world.store_a, no="X"), "Z", [9])


def test_memo_and_flag_are_stored_queued_and_audited_once_per_change(session, world, kite_ids):
    _, order_id = kite_ids
    assert seller_memo.set_memo(session, actor=world.admin, order_id=order_id, memo=" 周五前发 ", flag="1")
    assert not seller_memo.set_memo(session, actor=world.admin, order_id=order_id, memo="周五前发", flag="1")
    session.commit()
    o = session.get(Order, order_id)
    assert (o.seller_memo, o.seller_flag) == ("周五前发", "1")
    rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "platform_memo")))
    assert [json.loads(r.payload) for r in rows] == [
        {"action": "memo", "platform_order_id": "KT-1001", "memo": "周五前发", "flag": "1"}
    ]
    assert rows[0].idempotency_key.startswith(f"memo:{order_id}:")
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "order.memo")).one()
    assert json.loads(audit.after) == {"memo": "周五前发", "flag": "1"}


@pytest.mark.parametrize(
    ("memo", "flag", "key"),
    [("x" * 501, "", "memo.err.too_long"), ("ok", "9", "memo.err.bad_flag")],
)
def test_memo_refusals(session, world, kite_ids, memo, flag, key):
    with pytest.raises(ValidationError) as refused:
        seller_memo.set_memo(session, actor=world.admin, order_id=kite_ids[1], memo=memo, flag=flag)
    assert refused.value.key == key


def test_no_memo_where_the_platform_has_no_call(session, world, kite):
    with pytest.raises(ValidationError) as refused:
        seller_memo.set_memo(session, actor=world.admin, order_id=world.order_a, memo="hi")
    assert refused.value.key == "memo.err.unsupported"
    assert seller_memo.memo_options(CODE) == (True, {"1": ("红旗", "Red"), "4": ("蓝旗", "Blue")})


def test_ingest_keeps_line_ids_and_refund_state_and_a_refund_change_replaces_lines(session, world):
    first = [line("A"), line("B")]
    first[0].platform_line_id, first[1].platform_line_id = "oid-1", "oid-2"
    apply(session, world, snapshot(lines=first))
    o = order(session)
    assert [(x.platform_line_id, x.refund_status) for x in lines_of(session, o.id)] == [("oid-1", ""), ("oid-2", "")]
    later = [line("A"), line("B")]
    later[0].platform_line_id, later[1].platform_line_id = "oid-1", "oid-2"
    later[1].refund_status = "WAIT_SELLER_AGREE"
    apply(session, world, snapshot(at=T0 + timedelta(minutes=1), lines=later))
    assert [x.refund_status for x in lines_of(session, o.id)] == ["", "WAIT_SELLER_AGREE"]


def test_an_erp_parcel_by_sku_names_the_lines_of_those_skus(session, world, kite_ids):
    _, order_id = kite_ids
    for row in session.exec(select(OrderLine).where(OrderLine.order_id == order_id)):
        sku = ErpSku(code=f"KITE-{row.line_no}", name=row.name)
        session.add(sku)
        session.flush()
        row.erp_sku_id = sku.id
        session.add(row)
    done = shipments.record(
        session,
        order_id=order_id,
        carrier_code="ZTO",
        tracking_no="ZT500",
        lines=[{"sku": "KITE-1", "quantity": 1}],
        source="api",
    )
    assert not done.moved
    assert _ships(session, order_id)[0]["line_ids"] == ["KT-1001-L1"]


def test_staff_of_another_store_and_roles_without_the_keys_are_refused(session, world, kite_ids):
    _, order_id = kite_ids
    outsider = make_actor(session, "staff_b", "staff", [world.store_b])
    with pytest.raises(ScopeError):
        seller_memo.set_memo(session, actor=outsider, order_id=order_id, memo="x")
    clerk = replace(world.staff_a, permissions=world.staff_a.permissions - {"order.memo", "order.waybill"})
    with pytest.raises(ScopeError):
        seller_memo.set_memo(session, actor=clerk, order_id=order_id, memo="x")
    with pytest.raises(ScopeError):
        waybills.check_batch(session, actor=clerk, order_ids=[order_id], carrier_code="ZTO")
    assert {"order.memo", "order.waybill"} <= world.staff_a.permissions  # the preset clerk has both
