"""The worker's sweep over a PDD shop, end to end: the twin's orders land in the order center
(待发货, money in fen, receivers decrypted), and a token refreshed on the way is saved."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from integrations import registry
from integrations.sandbox.store import Shop as SandboxShop
from qihang_app.models import Order
from qihang_app.services import stores as store_service
from qihang_app.services.stores import get_shop_credentials
from tests.ingest_support import arq_redis, ctx, oms, redis_url, sandbox  # noqa: F401  (fixtures)
from workers.tasks.sweep import sweep_shop

pytestmark = pytest.mark.timeout(60)


def _bind(oms) -> tuple[int, dict]:  # noqa: F811
    made = oms.sandbox.control.post("/shops", json={"platform": "pdd"}).json()
    fields = {k: made[k] for k in ("shop_id", "name", "app_id", "secret", "lat", "lng")}
    credentials = (
        registry.platform("pdd").twin().oms_credentials(SandboxShop(platform="pdd", **fields), oms.sandbox.url)
    )
    with Session(oms.engine) as session:
        view = store_service.create_shop(
            session,
            actor=oms.admin,
            store_id=oms.store_id,
            platform="pdd",
            platform_shop_id=made["shop_id"],
            name=made["name"],
            credentials=credentials,
        )
        session.commit()
    return view.id, made


async def test_a_sweep_brings_pdd_orders_in_and_saves_a_refreshed_token(oms, ctx):  # noqa: F811
    shop_id, made = _bind(oms)
    placed = {
        o["order_id"]: o
        for o in (
            oms.sandbox.control.post("/orders", json={"platform": "pdd", "shop_id": made["shop_id"]}).json()
            for _ in range(3)
        )
    }
    oms.sandbox.control.post("/faults", json={"kind": "expire_token", "platform": "pdd", "shop_id": made["shop_id"]})
    result = await sweep_shop(ctx, shop_id)
    assert result["ok"] and result["orders"] == 3, result
    with Session(oms.engine) as session:
        orders = session.exec(select(Order).where(Order.shop_id == shop_id)).all()
        saved = get_shop_credentials(session, shop_id=shop_id)
    assert {o.platform_order_id for o in orders} == set(placed)
    for order in orders:
        truth = placed[order.platform_order_id]
        assert order.status == "to_ship" and order.paid_fen == truth["paid_fen"]
        assert (order.receiver_name, order.receiver_phone) == (truth["receiver_name"], truth["receiver_phone"])
    assert saved["access_token"].startswith("pdda.") and saved["refresh_token"].startswith("pddr.")
