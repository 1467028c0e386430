"""Helpers for the after-sale flows against the sandbox twins: an accepted order on both sides, the
buyer's moves in the sandbox, the OMS's records and the twin's recorded answers."""

from __future__ import annotations

from sqlmodel import Session, select

from qihang_app.models import AfterSale, AfterSaleEvent, Order, OutboxMessage
from qihang_app.services import dispatch
from tests.ingest_support import drain_all
from workers.tasks.outbox import relay_outbox


async def accepted_order(oms, ctx, pair) -> tuple[dict, Order]:
    placed = oms.new_order(pair, delivery_type="merchant")
    oms.sandbox.wait_pushes()
    await drain_all(ctx)
    (order,) = oms.orders(pair)
    with Session(oms.engine) as session:
        dispatch.accept(session, actor=oms.admin, order_id=order.id)
        session.commit()
    await relay_outbox(ctx)
    await settle(oms, ctx)
    return placed, order


async def settle(oms, ctx) -> None:
    """Let the twin's pushes arrive and ingest them."""
    oms.sandbox.wait_pushes()
    await drain_all(ctx)


def buyer(oms, pair, placed: dict, action: str, **body) -> dict:
    response = oms.sandbox.control.post(f"/orders/{pair.platform}/{placed['order_id']}/{action}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def records(oms, order_id: int) -> list[AfterSale]:
    with Session(oms.engine) as session:
        return list(session.exec(select(AfterSale).where(AfterSale.order_id == order_id).order_by(AfterSale.id)))


def record(oms, order_id: int) -> AfterSale:
    (only,) = records(oms, order_id)
    return only


def kinds(oms, after_sale_id: int) -> list[str]:
    with Session(oms.engine) as session:
        rows = session.exec(
            select(AfterSaleEvent).where(AfterSaleEvent.after_sale_id == after_sale_id).order_by(AfterSaleEvent.id)
        )
        return [e.kind for e in rows]


def order(oms, order_id: int) -> Order:
    with Session(oms.engine) as session:
        return session.get(Order, order_id)


def outbox(oms, order_id: int) -> list[OutboxMessage]:
    with Session(oms.engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order_id)))


def written(oms, placed: dict, api: str) -> list[dict]:
    rows = oms.sandbox.control.get("/writebacks", params={"order_id": placed["order_id"]}).json()
    return [w for w in rows if w["api"] == api]


def act(oms, fn, **kw):
    with Session(oms.engine, expire_on_commit=False) as session:
        result = fn(session, actor=oms.admin, **kw)
        session.commit()
        return result
