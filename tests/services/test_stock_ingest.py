"""Stock follows what the platforms report through ingest, in the same transaction: an order the
platform says was confirmed reserves, a cancel releases, a delivered one deducts; a redelivered
push moves nothing twice; lines the platform replaces keep their stock accounted for."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from qihang_app.domain.platform_order import EventKind
from qihang_app.models import ErpSku, StockMove
from qihang_app.services import stock_admin
from qihang_app.services.stock_levels import store_location
from tests.services.ingest_factories import T0, apply, event, line, order, snapshot

from .stock_support import ledger_sums, level


def _shelf(session, world) -> tuple[int, int]:
    sku = ErpSku(code="APPLE-1", name="苹果")
    session.add(sku)
    session.flush()
    loc = store_location(session, world.store_a)
    stock_admin.receive(session, actor=world.admin, location_id=loc, sku_id=sku.id, quantity=10)
    session.commit()
    return loc, sku.id


def _kinds(session, order_id) -> list[str]:
    return list(
        session.execute(
            sa.select(StockMove.kind).where(StockMove.order_id == order_id).order_by(StockMove.id)
        ).scalars()
    )


def test_confirm_reserves_and_cancel_releases_once(session, world):
    loc, sku = _shelf(session, world)
    apply(session, world, snapshot(lines=[line(outer="APPLE-1", qty=3)]))
    assert level(session, loc, sku) == (10, 0)  # waiting to be accepted
    confirm = event(EventKind.CONFIRMED, at=T0 + timedelta(seconds=10), raw_status_code="4")
    apply(session, world, confirm, confirm)  # the push comes twice
    assert level(session, loc, sku) == (10, 3)
    cancel = event(EventKind.CANCEL, at=T0 + timedelta(seconds=20), cancel_reason="不想要了")
    apply(session, world, cancel)
    assert order(session).status == "cancelled"
    assert level(session, loc, sku) == (10, 0)
    assert _kinds(session, order(session).id) == ["reserve", "release"]
    assert ledger_sums(session, loc, sku) == (10, 0)


def test_a_delivered_snapshot_deducts(session, world):
    loc, sku = _shelf(session, world)
    apply(session, world, snapshot(lines=[line(outer="APPLE-1", qty=2)], status="to_ship"))
    assert level(session, loc, sku) == (10, 2)
    apply(
        session,
        world,
        snapshot(lines=[line(outer="APPLE-1", qty=2)], status="completed", at=T0 + timedelta(minutes=30)),
    )
    assert level(session, loc, sku) == (8, 0)
    assert _kinds(session, order(session).id) == ["reserve", "deduct"]


def test_replaced_lines_release_what_they_held(session, world):
    loc, sku = _shelf(session, world)
    two = [line(outer="APPLE-1", qty=2), line("SKU2", outer="APPLE-1", qty=1)]
    apply(session, world, snapshot(lines=two, status="to_ship"))
    assert level(session, loc, sku) == (10, 3)
    # the platform drops the second line, then the buyer cancels: everything held comes back
    apply(session, world, snapshot(lines=two[:1], status="to_ship", at=T0 + timedelta(minutes=1)))
    apply(session, world, snapshot(lines=two[:1], status="cancelled", at=T0 + timedelta(minutes=2)))
    assert level(session, loc, sku) == (10, 0)
    assert ledger_sums(session, loc, sku) == (10, 0)


def test_a_platform_cancel_serves_the_order_waiting_short_and_its_board_hears(session, world):
    loc, sku = _shelf(session, world)
    apply(session, world, snapshot("MT1", lines=[line(outer="APPLE-1", qty=8)], status="to_ship"))
    apply(session, world, snapshot("MT2", lines=[line(outer="APPLE-1", qty=5)], status="to_ship"))
    waiting = order(session, "MT2").id
    assert level(session, loc, sku) == (10, 8)  # MT2 is short by 3
    result = apply(session, world, event(EventKind.CANCEL, "MT1", at=T0 + timedelta(minutes=1)))
    assert level(session, loc, sku) == (10, 5)
    assert {c.order_id for c in result.changes} == {order(session, "MT1").id, waiting}
