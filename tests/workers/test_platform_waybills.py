"""电子面单 and split parcels against every registered platform that offers them, over loopback HTTP
to each platform's twin: an order pulled by the sweep gets a number from the platform's e-waybill
service (asking twice: the same number), 标记发货 writes that number back through the outbox, a
cancelled number is returned; a platform that splits shipments takes one line per parcel."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from integrations import registry
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import Order, OrderLine, OutboxMessage, Store, Waybill
from qihang_app.services import shipments, waybills
from tests.ingest_support import (  # noqa: F401  (fixtures)
    _sandbox_clean,
    arq_redis,
    ctx,
    drain_all,
    oms,
    redis_url,
    sandbox,
)
from tests.workers.test_all_platforms import _connect, _place
from workers.tasks.outbox import relay_outbox
from workers.tasks.sweep import sweep_shop
from workers.tasks.waybills import cancel_waybill, issue_waybills

pytestmark = pytest.mark.timeout(120)

WAYBILL_PLATFORMS = [a.profile.code for a in registry.platforms() if a.profile.waybill_carriers]
SPLITTING = [a.profile.code for a in registry.platforms() if a.profile.splits_shipments]


async def _pulled_orders(oms, ctx, platform: str, count: int) -> list[Order]:
    shop_id, made = _connect(oms, platform)
    placed = {_place(oms, platform, made["shop_id"])["order_id"] for _ in range(count)}
    assert (await sweep_shop(ctx, shop_id)).get("ok")
    await drain_all(ctx)
    with Session(oms.engine, expire_on_commit=False) as session:
        store = session.get(Store, oms.store_id)
        store.address, store.phone = "杭州市西湖区文三路 90 号", "057188886666"  # the sender on the label
        session.add(store)
        session.commit()
        rows = list(session.exec(select(Order).where(Order.shop_id == shop_id)))
    assert {o.platform_order_id for o in rows} == placed
    return rows


def _written(oms, order: Order) -> str:
    return json.dumps(oms.sandbox.control.get("/writebacks", params={"order_id": order.platform_order_id}).json())


@pytest.mark.parametrize("platform", WAYBILL_PLATFORMS)
async def test_a_waybill_number_is_issued_once_shipped_and_a_cancelled_one_returned(platform, oms, ctx):
    assert WAYBILL_PLATFORMS, "no registered platform offers 电子面单"
    carrier = registry.platform(platform).profile.waybill_carriers[0]
    first, second = await _pulled_orders(oms, ctx, platform, 2)

    issued = await issue_waybills(ctx, [first.id, second.id], carrier, "worker")
    by_order = {r["order_id"]: r for r in issued["results"]}
    assert by_order[first.id]["ok"] and by_order[second.id]["ok"], issued
    number = by_order[first.id]["tracking_no"]
    again = await issue_waybills(ctx, [first.id], carrier, "worker")
    assert again["results"][0]["tracking_no"] == number

    with Session(oms.engine) as session:
        shipped, refused = waybills.ship(session, actor=oms.admin, order_ids=[first.id])
        session.commit()
    assert (shipped, refused) == (1, {})
    for _ in range(3):
        await relay_outbox(ctx)
    with Session(oms.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == first.id)).all()
        assert rows and all(r.status == "done" for r in rows), [(r.kind, r.last_error) for r in rows]
        assert session.get(Order, first.id).status == OrderStatus.SHIPPED
    assert number in _written(oms, first)

    with Session(oms.engine) as session:
        (row,) = session.exec(select(Waybill).where(Waybill.order_id == second.id)).all()
    result = await cancel_waybill(ctx, row.id, "worker")
    assert result.get("ok"), result
    with Session(oms.engine) as session:
        assert session.get(Waybill, row.id).status == "cancelled"


@pytest.mark.parametrize("platform", SPLITTING)
async def test_a_splitting_platform_takes_one_line_per_parcel(platform, oms, ctx):
    orders = await _pulled_orders(oms, ctx, platform, 4)
    with Session(oms.engine) as session:
        lines_of = {o.id: list(session.exec(select(OrderLine).where(OrderLine.order_id == o.id))) for o in orders}
    order = next((o for o in orders if len(lines_of[o.id]) >= 2), None)
    if order is None:
        pytest.skip("the generator made no order with two lines this time")  # four orders: very rare
    first, rest = lines_of[order.id][0], lines_of[order.id][1:]
    assert all(line.platform_line_id for line in lines_of[order.id])
    with Session(oms.engine) as session:
        shipments.record(
            session, order_id=order.id, carrier_code="ZTO", tracking_no="ZT5000000001",
            line_nos=[first.line_no], source="manual", actor=oms.admin,
        )  # fmt: skip
        session.commit()
        assert session.get(Order, order.id).status == OrderStatus.TO_SHIP  # partly shipped
        shipments.record(
            session, order_id=order.id, carrier_code="YTO", tracking_no="YT5000000002",
            source="manual", actor=oms.admin,
        )  # fmt: skip
        session.commit()
        assert session.get(Order, order.id).status == OrderStatus.SHIPPED
    for _ in range(3):
        await relay_outbox(ctx)
    written = _written(oms, order)
    assert "ZT5000000001" in written and "YT5000000002" in written
    assert first.platform_line_id in written and all(line.platform_line_id in written for line in rest)
