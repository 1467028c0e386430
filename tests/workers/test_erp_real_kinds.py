"""The ERP link with the real ERP kinds (聚水潭, 旺店通, 金蝶云星空) against their sandbox twins:
the outbox relay pushes the order in the ERP's own wire format, the ERP ships it, the shipment
poll cron brings the tracking number back and ships the order; a cancel after the push reaches it."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from integrations import registry
from integrations.jushuitan.spec import TWIN_PREFIX as JST
from integrations.kingdee.spec import TWIN_PREFIX as KINGDEE
from integrations.wdt.spec import TWIN_PREFIX as WDT
from qihang_app.models import ErpOrderState, ErpShipment, Order, OutboxMessage
from qihang_app.services import erp_connections
from tests.erp_support import linked_order
from tests.integrations.erp_support import unique
from workers.tasks.erp import poll_erp_shipments
from workers.tasks.outbox import relay_outbox

pytestmark = pytest.mark.timeout(90)
PREFIX = {"jushuitan": JST, "wdt": WDT, "kingdee": KINGDEE}
IDENTITY = {"jushuitan": "app_key", "wdt": "sid", "kingdee": "app_id"}  # the key an ERP account is known by


def _fresh_account(control, erp: str) -> dict[str, str]:
    """The twin's demo keys with a new identity: a twin account of this test's own (our order
    numbers restart with every test database; another test's QH1 must not be this one's)."""
    keys = dict(registry.erp(erp).twin().demo_keys)
    if erp == "kingdee":  # "<number>_<key>", and a data centre of its own
        keys["app_id"], keys["acct_id"] = unique("3") + "_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", unique("acct-")
    else:
        keys[IDENTITY[erp]] = unique(keys[IDENTITY[erp]][:8])
    response = control.post(f"/erp/{erp}/accounts", json={"id": keys[IDENTITY[erp]], "keys": keys})
    assert response.status_code == 200, response.text
    return keys


@pytest.mark.parametrize("erp", sorted(PREFIX))
async def test_a_real_kind_takes_the_order_ships_it_and_takes_a_cancel(oms, ctx, erp):
    control = oms.sandbox.control
    assert control.post(f"/erp/{erp}/settings", json={"ship_delay": 0.2}).status_code == 200
    pair = oms.add_shop("meituan")
    with Session(oms.engine) as session:
        conn = erp_connections.create_connection(
            session, actor=oms.admin, name=erp, erp=erp, base_url=oms.sandbox.url + PREFIX[erp],
            keys=_fresh_account(control, erp), store_id=oms.store_id,
        )  # fmt: skip
        session.commit()
    shipped = linked_order(oms, pair, no=f"{erp}-1", sku=f"{erp.upper()}-SKU")
    await relay_outbox(ctx)
    with Session(oms.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "erp_order")).all()
        assert [r.status for r in rows] == ["done"], [(r.status, r.last_error) for r in rows]
        assert session.get(ErpOrderState, shipped.id).state == "pushed"
    await asyncio.sleep(0.5)  # the twin ships after its delay
    await poll_erp_shipments(ctx)
    with Session(oms.engine) as session:
        (shipment,) = session.exec(select(ErpShipment).where(ErpShipment.order_id == shipped.id)).all()
        assert shipment.source == "poll" and shipment.tracking_no and shipment.connection_id == conn.id
        assert session.get(Order, shipped.id).status == "shipped"
    # an order cancelled after its push: the cancel goes in the ERP's own way
    control.post(f"/erp/{erp}/settings", json={"ship_delay": -1})
    cancelled = linked_order(oms, pair, no=f"{erp}-2", sku=f"{erp.upper()}-SKU")
    await relay_outbox(ctx)
    with Session(oms.engine) as session:
        order = session.get(Order, cancelled.id)
        order.status, order.cancel_reason = "cancelled", "顾客取消"
        session.add(order)
        session.commit()
    await relay_outbox(ctx)
    with Session(oms.engine) as session:
        cancel = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "erp_cancel")).all()
        assert [r.status for r in cancel] == ["done"], [(r.status, r.last_error) for r in cancel]
        assert session.get(ErpOrderState, cancelled.id).state == "cancel_pushed"
