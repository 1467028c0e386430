"""One shop of every registered platform — the instant-retail ones pushing, the e-commerce ones
polled — streams into the same order center and board through the real workers, and the first
write-back each platform's orders need (接单 for instant retail, 发货 for e-commerce) reaches that
platform's twin over loopback HTTP. Nothing here names a platform: a new package is covered the
day it is registered."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from integrations import registry
from integrations.sandbox.store import Shop as SandboxShop
from qihang_app.domain.board import Tab
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.partners import WriteBack
from qihang_app.models import Order, OutboxMessage
from qihang_app.services import board as board_service
from qihang_app.services import dispatch, shipments
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

pytestmark = pytest.mark.timeout(120)
ORDERS_PER_SHOP = 2


def _connect(oms, platform: str) -> tuple[int, dict]:
    """A sandbox shop bound to the OMS with what its twin says the shop form stores."""
    made = oms.sandbox.control.post("/shops", json={"platform": platform, "callback_base": oms.api_url}).json()
    fields = {k: made[k] for k in ("shop_id", "name", "app_id", "secret", "lat", "lng")}
    twin = registry.platform(platform).twin()
    credentials = twin.oms_credentials(SandboxShop(platform=platform, **fields), oms.sandbox.url)
    with Session(oms.engine) as session:
        view = store_service.create_shop(
            session,
            actor=oms.admin,
            store_id=oms.store_id,
            platform=platform,
            platform_shop_id=made["shop_id"],
            name=made["name"],
            credentials=credentials,
        )
        session.commit()
        return view.id, made


def _place(oms, platform: str, shop_id: str) -> dict:
    response = oms.sandbox.control.post("/orders", json={"platform": platform, "shop_id": shop_id})
    assert response.status_code == 201, response.text
    return response.json()


async def test_every_platform_streams_into_one_order_center_and_board(oms, ctx):
    platforms = [adapter.profile for adapter in registry.platforms()]
    assert sum(p.instant_retail for p in platforms) >= 2 and sum(not p.instant_retail for p in platforms) >= 3
    shops = {p.code: _connect(oms, p.code) for p in platforms}
    placed = {
        code: [_place(oms, code, made["shop_id"]) for _ in range(ORDERS_PER_SHOP)] for code, (_, made) in shops.items()
    }
    oms.sandbox.wait_pushes()
    for code, (shop_id, _) in shops.items():  # the sweep backs up pushes and is the only way in for the others
        result = await sweep_shop(ctx, shop_id)
        assert result.get("ok"), (code, result)
    await drain_all(ctx)

    with Session(oms.engine) as session:
        stored = {
            code: {o.platform_order_id: o for o in session.exec(select(Order).where(Order.shop_id == shop_id))}
            for code, (shop_id, _) in shops.items()
        }
        board = board_service.load_board(session, actor=oms.admin, store_ids=[oms.store_id])
    on_board = {card.platform_order_id: tab for tab, cards in board.cards.items() for card in cards}
    for profile in platforms:
        mine = stored[profile.code]
        assert set(mine) == {o["order_id"] for o in placed[profile.code]}, profile.code
        for order in placed[profile.code]:
            row = mine[order["order_id"]]
            assert row.paid_fen == order["paid_fen"], (profile.code, row.paid_fen, order["paid_fen"])
            want = OrderStatus.AWAITING_ACCEPT if profile.instant_retail else OrderStatus.TO_SHIP
            assert row.status == want, (profile.code, row.status)
            assert on_board.get(order["order_id"]) == (Tab.NEW if profile.instant_retail else Tab.PICKING), profile.code

    # the first write-back of one order per platform, through the outbox relay
    firsts = {code: stored[code][placed[code][0]["order_id"]] for code in shops}
    with Session(oms.engine) as session:
        for profile in platforms:
            order = firsts[profile.code]
            if profile.supports(WriteBack.ACCEPT):
                dispatch.accept(session, actor=oms.admin, order_id=order.id)
            else:
                assert profile.supports(WriteBack.SHIP), profile.code
                shipments.record(
                    session, order_id=order.id, carrier_code="ZTO", tracking_no=f"ZT{order.id:010d}",
                    source="manual", actor=oms.admin,
                )  # fmt: skip
        session.commit()
    for _ in range(3):
        await relay_outbox(ctx)
    with Session(oms.engine) as session:
        for code, order in firsts.items():
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order.id)).all()
            assert rows and all(r.status == "done" for r in rows), (
                code,
                [(r.kind, r.status, r.last_error) for r in rows],
            )
    for code, order in firsts.items():
        written = oms.sandbox.control.get("/writebacks", params={"order_id": order.platform_order_id}).json()
        assert written, f"{code}: the twin recorded no write-back for {order.platform_order_id}"
