"""Merging a platform snapshot into the stored order: newer-than, status moves, fields, lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qihang_app.domain.order_merge import (
    INSERT_DEFAULTS,
    UPDATE_COLUMNS,
    MergeState,
    is_newer,
    maybe_move,
    merge_snapshot,
    new_order,
    snapshot_values,
)
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import PlatformOrder, PlatformOrderLine
from qihang_app.i18n import render

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)
SHOP = {"id": 7, "store_id": 3, "platform": "meituan"}
S = OrderStatus


def line(sku="SKU1", qty=1, price=1000) -> PlatformOrderLine:
    return PlatformOrderLine(
        platform_item_id="I" + sku,
        platform_sku_id=sku,
        name="苹果",
        quantity=qty,
        unit_price_fen=price,
        paid_fen=qty * price,
    )


def snapshot(status=S.AWAITING_ACCEPT, at=T0, version=None, lines=None, **kw) -> PlatformOrder:
    fields = {"receiver_name": "张三", "receiver_phone": "13812345678_1234", "paid_fen": 1000, "goods_fen": 1000, **kw}
    return PlatformOrder(
        platform=Platform.MEITUAN,
        platform_shop_id="mt-a",
        platform_order_id="MT1",
        status=status,
        raw_status_code="2",
        placed_at=T0,
        updated_at=at,
        version=version,
        lines=[line()] if lines is None else lines,
        **fields,
    )


def stored(status=S.AWAITING_ACCEPT, at=T0, version=None, **columns) -> MergeState:
    """An existing order as the service loads it, with its lines."""
    state = new_order(SHOP, snapshot(S.AWAITING_ACCEPT, at, version), now=T0, note="push")
    stored_lines = [
        {
            "line_no": 1,
            "platform_item_id": "ISKU1",
            "platform_sku_id": "SKU1",
            "outer_sku_code": "",
            "barcode": "",
            "name": "苹果",
            "spec": "",
            "quantity": 1,
            "unit_price_fen": 1000,
            "allocated_discount_fen": 0,
            "paid_fen": 1000,
        }
    ]
    state.values.update(status=status.value, id=1, **columns)
    return MergeState(key=state.key, values=state.values, id=1, old_lines=stored_lines)


@pytest.mark.parametrize(
    ("reported_version", "reported_at", "stored_version", "stored_at", "newer"),
    [
        (5, T0, 4, T1, True),  # versions win over times
        (4, T1, 5, T0, False),
        (5, T1, 5, T0, None),  # same version: the same moment
        (5, T1, None, T0, True),  # one side without a version: by time
        (None, T1, 5, T0, True),
        (None, T0, None, None, True),  # nothing stored yet
        (None, T0, None, T0, None),
        (None, T0, None, T1, False),
    ],
)
def test_is_newer(reported_version, reported_at, stored_version, stored_at, newer):
    values = {"platform_version": stored_version, "platform_updated_at": stored_at}
    assert is_newer(snapshot(at=reported_at, version=reported_version), values) is newer


@pytest.mark.parametrize(
    ("stored_status", "reported", "at", "status_after", "events", "saved"),
    [
        (S.AWAITING_ACCEPT, S.TO_SHIP, T1, S.TO_SHIP, ["status"], True),
        (S.AWAITING_ACCEPT, S.TO_SHIP, T0, S.TO_SHIP, ["status"], True),  # same second, forward
        (S.TO_SHIP, S.AWAITING_ACCEPT, T0, S.TO_SHIP, [], False),  # same second, back: duplicate
        (S.AWAITING_ACCEPT, S.AWAITING_ACCEPT, T0, S.AWAITING_ACCEPT, [], False),  # duplicate
        (S.TO_SHIP, S.SHIPPED, T0 - timedelta(seconds=1), S.TO_SHIP, [], False),  # older
        (S.SHIPPED, S.TO_SHIP, T1, S.SHIPPED, [], True),  # newer but backwards: status stays
        (S.CANCELLED, S.TO_SHIP, T1, S.CANCELLED, [], True),  # terminal stays
        (S.COMPLETED, S.CANCELLED, T1, S.COMPLETED, [], True),  # a sale is never cancelled
        (S.COMPLETED, S.CLOSED, T1, S.CLOSED, ["status"], True),  # full refund after delivery
        (S.INVALID, S.SHIPPED, T1, S.INVALID, [], False),  # a split parent is left alone
    ],
)
def test_merge_snapshot_status(stored_status, reported, at, status_after, events, saved):
    state = stored(stored_status)
    merge_snapshot(state, SHOP, snapshot(reported, at), note="push")
    assert state.values["status"] == status_after.value
    assert [e["kind"] for e in state.events] == events
    assert state.changed is saved
    assert state.values["platform_updated_at"] == (at if saved else T0)


def test_a_status_move_stamps_its_time_once():
    state = stored(S.TO_SHIP, shipped_at=None)
    merge_snapshot(state, SHOP, snapshot(S.SHIPPED, T1), note="push")
    assert state.values["shipped_at"] == T1
    assert state.events == [
        {
            "actor": "platform:meituan",
            "kind": "status",
            "from_status": "to_ship",
            "to_status": "shipped",
            "note": "push",
        }
    ]
    earlier = stored(S.TO_SHIP, completed_at=T0)
    merge_snapshot(earlier, SHOP, snapshot(S.COMPLETED, T1), note="push")
    assert earlier.values["completed_at"] == T0


@pytest.mark.parametrize(
    ("change", "note"),
    [
        ({"receiver_name": "李四"}, ("订单信息更新：收货信息", "Order details updated: receiver")),
        # its tail is silent, and the name and phone are one thing to a person
        (
            {"receiver_phone": "13900000000_9999", "receiver_name": "李四"},
            ("订单信息更新：收货信息", "Order details updated: receiver"),
        ),
        (
            {"buyer_memo": "不要辣", "freight_fen": 300},
            ("订单信息更新：备注、金额", "Order details updated: memo, amounts"),
        ),
        ({"lines": [line(qty=2)]}, ("订单信息更新：商品", "Order details updated: items")),
        ({}, None),  # only the platform time moved: saved, but no event
    ],
)
def test_merge_snapshot_records_what_changed(change, note):
    state = stored(S.AWAITING_ACCEPT)
    relink = merge_snapshot(state, SHOP, snapshot(S.AWAITING_ACCEPT, T1, **change), note="sweep")
    assert relink is ("lines" in change)
    said = [(render(e["note"], "zh"), render(e["note"], "en")) for e in state.events]
    assert said == ([note] if note else [])
    assert state.changed and state.values["platform_updated_at"] == T1


def test_merge_snapshot_keeps_receivable_the_snapshot_does_not_know():
    state = stored(S.AWAITING_ACCEPT, merchant_receivable_fen=850)
    merge_snapshot(state, SHOP, snapshot(at=T1, merchant_receivable_fen=None), note="push")
    assert state.values["merchant_receivable_fen"] == 850
    merge_snapshot(state, SHOP, snapshot(at=T1 + timedelta(seconds=1), merchant_receivable_fen=900), note="push")
    assert state.values["merchant_receivable_fen"] == 900


def test_merge_snapshot_compares_against_lines_linked_earlier_in_the_batch():
    state = stored(S.AWAITING_ACCEPT)
    state.new_lines = [{**state.old_lines[0], "quantity": 2, "paid_fen": 2000}]
    assert merge_snapshot(state, SHOP, snapshot(at=T1, lines=[line(qty=2)]), note="p") is False


def test_new_order():
    state = new_order(SHOP, snapshot(S.TO_SHIP, T1, merchant_receivable_fen=None), now=T0, note="push order_paid")
    assert state.is_new and state.changed and state.key == (7, "MT1")
    assert state.values["status"] == "to_ship" and state.values["accepted_at"] == T1
    assert state.values["merchant_receivable_fen"] == 0
    assert state.values["store_id"] == 3 and state.values["seller_memo"] == ""
    assert state.values["receiver_phone_tail"] == "5678"
    assert state.events == [
        {
            "actor": "platform:meituan",
            "kind": "created",
            "from_status": None,
            "to_status": "to_ship",
            "note": "push order_paid",
        }
    ]
    assert set(UPDATE_COLUMNS) <= set(state.values)


def test_a_platform_never_creates_an_invalid_order():
    with pytest.raises(ValueError):
        new_order(SHOP, snapshot(S.INVALID), now=T0, note="push")


def test_ingest_never_writes_local_columns():
    local = {"seller_memo", "pending_action", "ready_at", "auto_accepted"}
    assert not local & set(UPDATE_COLUMNS)
    assert local <= set(INSERT_DEFAULTS)
    assert set(snapshot_values(snapshot())) <= set(UPDATE_COLUMNS)


@pytest.mark.parametrize(
    ("current", "target", "moved"),
    [
        (S.AWAITING_ACCEPT, S.TO_SHIP, True),
        (S.TO_SHIP, S.TO_SHIP, False),
        (S.SHIPPED, S.TO_SHIP, False),
        (S.CLOSED, S.CANCELLED, False),
    ],
)
def test_maybe_move(current, target, moved):
    state = stored(current)
    maybe_move(state, SHOP, target, T1, "push", "4", text="已接单")
    assert (state.values["status"] == target.value and bool(state.events)) is moved
    if moved:
        assert (state.values["raw_status_code"], state.values["raw_status_text"]) == ("4", "已接单")
