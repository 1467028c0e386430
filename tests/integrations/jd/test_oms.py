"""京东 through the OMS's own workers: the sweep pulls polled orders (decrypted) into the order
center, a recorded shipment is written back through the outbox in JD's carrier ids, and the
refund sweep finds a refund application."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from integrations import registry
from integrations.sandbox.store import Shop as SandboxShop
from qihang_app.models import AfterSale, Order, OutboxMessage
from qihang_app.services import shipments
from qihang_app.services import stores as store_service
from tests.ingest_support import (  # noqa: F401  (fixtures)
    _sandbox_clean,
    arq_redis,
    ctx,
    drain_all,
    oms,
    redis_url,
    sandbox,
)
from workers.tasks.outbox import relay_outbox
from workers.tasks.sweep import sweep_shop

pytestmark = pytest.mark.timeout(60)


def _jd_shop(oms) -> tuple[int, dict]:
    made = oms.sandbox.control.post("/shops", json={"platform": "jd"}).json()
    fields = {k: made[k] for k in ("shop_id", "name", "app_id", "secret", "lat", "lng")}
    credentials = registry.platform("jd").twin().oms_credentials(SandboxShop(platform="jd", **fields), oms.sandbox.url)
    with Session(oms.engine) as session:
        view = store_service.create_shop(
            session,
            actor=oms.admin,
            store_id=oms.store_id,
            platform="jd",
            platform_shop_id=made["shop_id"],
            name=made["name"],
            credentials=credentials,
        )
        session.commit()
        return view.id, made


def _orders(oms, shop_id: int) -> dict[str, Order]:
    with Session(oms.engine) as session:
        return {o.platform_order_id: o for o in session.exec(select(Order).where(Order.shop_id == shop_id))}


async def test_sweep_ship_and_refund_through_the_workers(oms, ctx):
    shop_id, made = _jd_shop(oms)
    placed = [_new(oms, made) for _ in range(3)]
    result = await sweep_shop(ctx, shop_id)
    assert result["ok"], result
    await drain_all(ctx)
    stored = _orders(oms, shop_id)
    assert set(stored) == {p["order_id"] for p in placed}
    first = stored[placed[0]["order_id"]]
    assert first.status == "to_ship" and first.paid_fen == placed[0]["paid_fen"]

    with Session(oms.engine) as session:
        shipments.record(
            session, order_id=first.id, carrier_code="YTO", tracking_no="YT0000000001", source="manual",
            actor=oms.admin,
        )  # fmt: skip
        session.commit()
    await relay_outbox(ctx)
    with Session(oms.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == first.id)).all()
    assert rows and all(r.status == "done" for r in rows), [(r.kind, r.last_error) for r in rows]
    written = oms.sandbox.control.get("/writebacks", params={"order_id": placed[0]["order_id"]}).json()
    assert [(w["api"], w["params"]["logiCoprId"], w["params"]["logiNo"]) for w in written] == [
        ("shipment", "470", "YT0000000001")
    ]

    second = placed[1]["order_id"]
    oms.sandbox.control.post(f"/orders/jd/{second}/refund", json={"reason": "不想要了"})
    assert (await sweep_shop(ctx, shop_id))["ok"]
    await drain_all(ctx)
    with Session(oms.engine) as session:
        (after_sale,) = session.exec(select(AfterSale).where(AfterSale.shop_id == shop_id)).all()
    made_refund = oms.sandbox.control.get(f"/orders/jd/{second}").json()["after_sales"][-1]
    assert after_sale.platform_refund_id == made_refund["after_sale_id"] and after_sale.raw_status_code == "0"
    assert after_sale.amount_fen == made_refund["amount_fen"] and after_sale.deadline_at is not None


def _new(oms, made: dict) -> dict:
    response = oms.sandbox.control.post("/orders", json={"platform": "jd", "shop_id": made["shop_id"]})
    assert response.status_code == 201, response.text
    return response.json()
