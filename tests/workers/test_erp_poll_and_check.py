"""测试连接 of an ERP connection against the QiHang twin (ok, down, wrong secret) in plain words, and
the shipment poll cron for kinds that poll: fetch_shipments → shipments recorded once → ack.

The polling kind here is a small ERP of the test's own, registered on the ERP contract the way the
real polling kinds (聚水潭 / 旺店通 / 金蝶) plug in; it serves shipments from a list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlmodel import Session, select

from integrations import registry
from integrations.erp_contract import AfterSaleResult, ErpField, Shipment, ShipmentLine
from integrations.qihang_erp.kind import KIND as QIHANG
from qihang_app.domain.messages import decode
from qihang_app.models import ErpConnection, ErpResult, ErpShipment, Order
from qihang_app.services import erp_connections
from tests.erp_support import connect_twin, linked_order, new_keys, twin, twin_reset
from workers.tasks.erp import poll_erp_shipments
from workers.tasks.erp import test_erp_connection as check_connection

pytestmark = pytest.mark.timeout(60)


async def test_connection_check_says_ok_down_or_refused(oms, ctx):
    twin_reset(oms)
    key, secret = new_keys()
    conn_id = connect_twin(oms, key=key, secret=secret)
    assert decode(await check_connection(ctx, conn_id))[0] == "erp.test.ok"
    twin(oms, mode="down")
    key_, params = decode(await check_connection(ctx, conn_id))
    assert key_ == "erp.test.failed" and "http_503" in params["said"]
    twin(oms, mode="ok")
    with Session(oms.engine) as session:
        erp_connections.update_connection(
            session, actor=oms.admin, connection_id=conn_id, keys={"key": key, "secret": "wrong"}
        )
        session.commit()
    key_, params = decode(await check_connection(ctx, conn_id))
    assert key_ == "erp.test.failed" and "bad_signature" in params["said"]
    with Session(oms.engine) as session:
        assert "bad_signature" in session.get(ErpConnection, conn_id).last_check_message  # shown on the screen


@dataclass
class ListAdapter:
    code = "listerp"
    name_zh = name_en = "List ERP"
    shipments: list[Shipment]
    asked: list[datetime] = field(default_factory=list)

    async def fetch_shipments(self, since: datetime) -> list[Shipment]:
        self.asked.append(since)
        return list(self.shipments)

    async def fetch_after_sale_results(self, since: datetime) -> list[AfterSaleResult]:
        return [AfterSaleResult("AS-9", "resend", tracking_no="ZT200", carrier="ZTO")]


@dataclass
class ListKind:
    adapter: ListAdapter
    acked: list[list[Shipment]] = field(default_factory=list)
    code = "listerp"
    name_zh = name_en = "List ERP"
    fields = (ErpField("key", "Key", "Key"), ErpField("secret", "密钥", "Secret", secret=True))
    default_url = ""
    events = frozenset({"order"})
    polls_shipments = True
    rate_limit_codes = frozenset()

    def connect(self, conn, http=None):
        return self.adapter

    async def ack_shipments(self, conn, shipments):
        self.acked.append(list(shipments))

    async def check_connection(self, conn):
        return "erp.test.ok", {}

    def sign(self, secret, params):
        return ""

    def twin(self):
        return QIHANG.twin()


@pytest.fixture
def list_kind():
    kind = ListKind(ListAdapter([]))
    registry.register_erp(kind)
    yield kind
    registry.unregister_erp(kind.code)


async def test_polled_shipments_ship_the_order_once_and_are_acked(oms, ctx, list_kind):
    pair = oms.add_shop("meituan")
    with Session(oms.engine) as session:
        conn = erp_connections.create_connection(
            session, actor=oms.admin, name="轮询 ERP", erp="listerp", base_url="http://127.0.0.1:9/",
            keys={"key": "poll-key", "secret": "x"}, store_id=oms.store_id,
        )  # fmt: skip
        session.commit()
    order = linked_order(oms, pair, no="POLL-1", sku="SKU-P")
    list_kind.adapter.shipments = [
        Shipment(f"QH{order.id}", "ZTO", "ZT100", lines=(ShipmentLine("SKU-P", 2),)),
        Shipment("QH2147483000", "ZTO", "ZT404"),  # not ours: recorded nowhere, not acked
    ]
    await poll_erp_shipments(ctx)
    await poll_erp_shipments(ctx)  # the ERP repeats it until acked: still one shipment
    with Session(oms.engine) as session:
        assert session.get(Order, order.id).status == "shipped"
        rows = session.exec(select(ErpShipment).where(ErpShipment.order_id == order.id)).all()
        assert [(r.source, r.carrier_code, r.tracking_no, r.connection_id) for r in rows] == [
            ("poll", "ZTO", "ZT100", conn.id)
        ]
        assert session.get(ErpConnection, conn.id).last_poll_at is not None
    assert [[s.tracking_no for s in batch] for batch in list_kind.acked] == [["ZT100"], ["ZT100"]]
    with Session(oms.engine) as session:  # the 补发 parcel kept once for the after-sales center
        (kept,) = session.exec(select(ErpResult).where(ErpResult.kind == "aftersale")).all()
        assert (kept.ref, kept.outcome) == ("AS-9", "resend") and "ZT200" in kept.body
    assert list_kind.adapter.asked[1] > list_kind.adapter.asked[0]  # the next poll starts where the last one did
