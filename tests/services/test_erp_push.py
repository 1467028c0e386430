"""ERP push rules on both databases: due after 接单, blocked while a line has no ERP SKU and queued
as soon as it is linked, one outbox row per (order, event, version), cancel after push, account
mapping, manual push and re-push."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from qihang_app.domain.erp_link import ErpState
from qihang_app.models import ErpOrderState, ErpSku, OrderLine, OutboxMessage
from qihang_app.services import erp_connections, erp_manual, erp_push, outbox

from .factories import platform_order


def _conn(session, world, **options):
    view = erp_connections.create_connection(
        session,
        actor=world.admin,
        name="自研 ERP",
        erp="qihang",
        base_url="http://127.0.0.1:9/push",
        keys={"key": f"k-{len(options)}-{world.store_a}", "secret": "s3cret"},
        **options,
    )
    session.commit()
    return view


def _order(session, world, *, linked: bool, status="to_ship", **kw):
    order = platform_order(
        session, shop_id=world.shop_a, store_id=world.store_a, no=f"N{status}{linked}{kw}", status=status, **kw
    )
    sku = session.exec(select(ErpSku).where(ErpSku.code == "APPLE-1")).first()
    if sku is None:
        sku = ErpSku(code="APPLE-1", name="苹果")
        session.add(sku)
        session.flush()
    if linked:
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)):
            line.erp_sku_id = sku.id
            session.add(line)
    session.commit()
    return order


def _rows(session, order_id):
    return list(
        session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order_id).order_by(OutboxMessage.id))
    )


def test_a_linked_accepted_order_is_queued_once_with_its_key(session, world):
    conn = _conn(session, world)
    order = _order(session, world, linked=True)
    waiting = _order(session, world, linked=True, status="awaiting_accept")
    assert erp_push.queue_due(session) == 1
    assert erp_push.queue_due(session) == 0  # a second sweep adds nothing
    session.commit()
    (row,) = _rows(session, order.id)
    assert row.idempotency_key == f"erp:{conn.id}:{order.id}:order.created:v1"
    data = json.loads(row.payload)["data"]
    assert data["order_no"] == f"QH{order.id}" and data["lines"][0]["sku"] == "APPLE-1"
    assert data["paid_fen"] == 1990 and data["customer_code"].startswith("QH-MEITUAN-")
    assert _rows(session, waiting.id) == []
    assert session.get(ErpOrderState, order.id).state == ErpState.QUEUED


def test_push_on_payment_takes_orders_awaiting_accept(session, world):
    _conn(session, world, push_on="paid")
    waiting = _order(session, world, linked=True, status="awaiting_accept")
    erp_push.queue_due(session)
    assert len(_rows(session, waiting.id)) == 1


def test_an_unlinked_line_blocks_with_a_reason_until_it_is_linked(session, world):
    _conn(session, world)
    order = _order(session, world, linked=False)
    erp_push.queue_due(session)
    session.commit()
    state = session.get(ErpOrderState, order.id)
    assert state.state == ErpState.BLOCKED and "苹果" in state.blocked_reason
    assert _rows(session, order.id) == []
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    line.erp_sku_id = session.exec(select(ErpSku.id)).first()
    session.add(line)
    assert erp_push.release_blocked(session, [order.id]) == 1
    session.commit()
    assert session.get(ErpOrderState, order.id).state == ErpState.QUEUED
    assert len(_rows(session, order.id)) == 1


def test_done_then_cancelled_sends_a_cancel_and_dead_is_repushable(session, world):
    _conn(session, world)
    order = _order(session, world, linked=True)
    erp_push.queue_due(session)
    session.commit()
    (effect,) = outbox.claim_due(session)
    outbox.mark_done(session, effect=effect, answer="ERP-77")
    session.commit()
    state = session.get(ErpOrderState, order.id)
    assert state.state == ErpState.PUSHED and state.erp_ref == "ERP-77"
    order.status, order.cancel_reason = "cancelled", "顾客取消"
    session.add(order)
    session.commit()
    erp_push.queue_due(session)
    session.commit()
    cancel = _rows(session, order.id)[-1]
    assert cancel.kind == "erp_cancel" and cancel.idempotency_key.endswith(":order.cancelled:v1")
    (effect,) = outbox.claim_due(session)
    assert outbox.mark_failed(session, effect=effect, error="i18n:x", retryable=False)
    session.commit()
    assert session.get(ErpOrderState, order.id).state == ErpState.CANCEL_FAILED
    assert erp_manual.repush(session, actor=world.admin, outbox_id=cancel.id)
    session.commit()
    assert session.get(OutboxMessage, cancel.id).status == "pending"
    assert session.get(ErpOrderState, order.id).state == ErpState.CANCEL_QUEUED


def test_manual_push_takes_old_orders_and_skips_pushed_ones(session, world):
    order = _order(session, world, linked=True, status="awaiting_accept")  # before the connection
    _conn(session, world)
    assert erp_push.queue_due(session) == 0
    assert erp_manual.push_orders(session, actor=world.admin, order_ids=[order.id]) == {"queued": 1}
    assert erp_manual.push_orders(session, actor=world.admin, order_ids=[order.id]) == {"skipped": 1}
    with pytest.raises(erp_manual.ValidationError):
        erp_manual.push_orders(session, actor=world.admin, order_ids=[])


def test_one_virtual_customer_per_buyer_or_the_shops_fixed_one(session, world):
    conn = _conn(session, world, customer_mode="per_shop")
    a = _order(session, world, linked=True, receiver_name="李四")
    b = _order(session, world, linked=True, receiver_name="李四", display_no="x")
    erp_push.queue_due(session)
    codes = {session.get(ErpOrderState, o.id).customer_code for o in (a, b)}
    assert len(codes) == 1  # same buyer, same virtual customer
    erp_connections.set_shop_customer(
        session, actor=world.admin, connection_id=conn.id, shop_id=world.shop_a, code="C-001"
    )
    c = _order(session, world, linked=True, receiver_name="王五")
    erp_push.queue_due(session)
    assert session.get(ErpOrderState, c.id).customer_code == "C-001"
    listed = erp_connections.shop_customers(session, actor=world.admin, connection_id=conn.id)
    assert (world.shop_a, "美团A", "meituan", "C-001") in listed and (world.shop_b, "美团B", "meituan", "") in listed
    with pytest.raises(erp_connections.ValidationError):
        erp_connections.set_shop_customer(
            session, actor=world.admin, connection_id=conn.id, shop_id=world.shop_a, code="<b>"
        )


def test_secret_keys_are_encrypted_and_kept_when_left_empty(session, world):
    view = _conn(session, world)
    assert view.secrets_set == ("secret",) and "s3cret" not in repr(view)
    erp_connections.update_connection(
        session, actor=world.admin, connection_id=view.id, keys={"key": "new-key", "secret": ""}
    )
    conn = erp_connections.connection_keys(session, connection_id=view.id)
    assert conn.keys == {"key": "new-key", "secret": "s3cret"}
    with pytest.raises(erp_connections.ValidationError):
        erp_connections.update_connection(session, actor=world.admin, connection_id=view.id, base_url="ftp://x")
    with pytest.raises(erp_connections.ValidationError):
        erp_connections.create_connection(
            session, actor=world.admin, name="x", erp="nope", base_url="http://a", keys={}
        )


def test_a_blocked_order_cancelled_before_its_link_never_goes(session, world):
    _conn(session, world)
    order = _order(session, world, linked=False)
    erp_push.queue_due(session)
    order.status = "cancelled"
    session.add(order)
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    line.erp_sku_id = session.exec(select(ErpSku.id)).first()
    session.add(line)
    assert erp_push.release_blocked(session, [order.id]) == 0
    session.commit()
    assert session.get(ErpOrderState, order.id) is None and _rows(session, order.id) == []
    assert erp_manual.push_orders(session, actor=world.admin, order_ids=[order.id]) == {"skipped": 1}


def test_the_sweep_looks_at_a_blocked_order_again_only_after_a_while(session, world):
    _conn(session, world)
    order = _order(session, world, linked=False)
    erp_push.queue_due(session)
    session.commit()
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    line.erp_sku_id = session.exec(select(ErpSku.id)).first()
    session.add(line)
    session.commit()
    erp_push.queue_due(session)  # linked a moment ago, but looked at just now: waits (or release_blocked)
    assert session.get(ErpOrderState, order.id).state == ErpState.BLOCKED
    state = session.get(ErpOrderState, order.id)
    state.updated_at = state.updated_at - erp_push.BLOCKED_RECHECK * 2
    session.add(state)
    session.commit()
    erp_push.queue_due(session)
    assert session.get(ErpOrderState, order.id).state == ErpState.QUEUED


def test_linking_the_shop_sku_releases_the_blocked_push_at_once(session, world):
    from qihang_app.models import ShopSku
    from qihang_app.services import sku_links

    _conn(session, world)
    order = _order(session, world, linked=False)
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    line.platform_sku_id = "MT-APPLE"
    session.add(line)
    shop_sku = ShopSku(shop_id=world.shop_a, platform_sku_id="MT-APPLE", name="苹果")
    session.add(shop_sku)
    session.commit()
    erp_push.queue_due(session)
    session.commit()
    assert session.get(ErpOrderState, order.id).state == ErpState.BLOCKED
    sku_id = session.exec(select(ErpSku.id).where(ErpSku.code == "APPLE-1")).one()
    sku_links.link_shop_sku(session, actor=world.admin, shop_sku_id=shop_sku.id, erp_sku_id=sku_id)
    session.commit()
    assert session.get(ErpOrderState, order.id).state == ErpState.QUEUED  # no wait for the sweep
    assert len(_rows(session, order.id)) == 1
