"""电子面单 end to end over real HTTP: a batch of ticked orders gets numbers through the worker
job (asking twice gives the same number, one refused order leaves the others), labels list the
numbers, 标记发货 ships through the outbox to the platform, cancel returns a number."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from qihang_app.models import Order, OrderLine, Store, Waybill, utcnow
from qihang_app.services import erp_manual, waybill_views, waybills
from qihang_app.services import stores as store_service
from tests.services.factories import make_actor
from tests.waybill_support import kite_order, kite_platform, kite_shop
from workers.tasks.outbox import relay_outbox
from workers.tasks.waybills import cancel_waybill, issue_waybills

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def kite():
    with kite_platform() as platform:
        yield platform


@pytest.fixture
def world(engine, kite):
    with Session(engine, expire_on_commit=False) as session:
        admin = make_actor(session, "root", "admin")
        store = store_service.create_store(session, actor=admin, name="纸鸢仓")
        shop_id = kite_shop(session, admin=admin, store_id=store.id, base_url=kite.url)
        ids = [
            kite_order(session, shop_id=shop_id, store_id=store.id, no="KT-1"),
            kite_order(session, shop_id=shop_id, store_id=store.id, no="KT-2", receiver="拒收"),
            kite_order(session, shop_id=shop_id, store_id=store.id, no="KT-3", lines=1),
        ]
        session.commit()
    return admin, ids


def _rows(engine, order_id) -> list[Waybill]:
    with Session(engine) as session:
        return list(session.exec(select(Waybill).where(Waybill.order_id == order_id).order_by(Waybill.id)))


async def test_a_batch_gets_numbers_once_and_a_refused_order_leaves_the_others(engine, ctx, kite, world):
    admin, (good, refused, other) = world
    with Session(engine) as session:
        ok, refusals = waybills.check_batch(session, actor=admin, order_ids=[good, refused, other], carrier_code="zto")
    assert (ok, refusals) == ([good, refused, other], {})

    first = await issue_waybills(ctx, ok, "ZTO", f"user:{admin.user_id}")
    by_order = {r["order_id"]: r for r in first["results"]}
    assert by_order[good]["ok"] and by_order[other]["ok"]
    assert not by_order[refused]["ok"] and by_order[refused]["message"]
    assert _rows(engine, refused) == []
    row = _rows(engine, good)[0]
    assert (row.parcel_no, row.carrier, row.status, row.sort_code) == (1, "ZTO", "issued", "571-A12 03")
    assert kite.numbers[f"{good}-1"] == row.tracking_no

    calls = kite.issue_calls
    again = await issue_waybills(ctx, [good], "ZTO", "worker")
    assert again["results"][0] == {"order_id": good, "ok": True, "tracking_no": row.tracking_no, "again": True}
    assert kite.issue_calls == calls  # the stored number stands: no second call
    assert len(_rows(engine, good)) == 1


async def test_a_lost_answer_is_asked_again_with_the_same_key(engine, ctx, kite, world):
    """The platform issued, the worker died before storing: the next ask gets the same number."""
    admin, (good, _, _) = world
    await issue_waybills(ctx, [good], "ZTO", "worker")
    number = _rows(engine, good)[0].tracking_no
    with Session(engine) as session:
        session.delete(session.exec(select(Waybill).where(Waybill.order_id == good)).one())
        session.commit()
    await issue_waybills(ctx, [good], "ZTO", "worker")
    assert [r.tracking_no for r in _rows(engine, good)] == [number]


async def test_carriers_the_platform_does_not_issue_and_stores_without_sender_are_refused(engine, world):
    admin, (good, _, other) = world
    with Session(engine) as session:
        assert waybills.check_batch(session, actor=admin, order_ids=[good], carrier_code="SF") == (
            [],
            {good: "waybill.err.carrier_not_offered"},
        )
        order = session.get(Order, other)
        store = session.get(Store, order.store_id)
        store.phone = ""
        session.add(store)
        session.flush()
        assert waybills.check_batch(session, actor=admin, order_ids=[other], carrier_code="ZTO")[1] == {
            other: "waybill.err.no_sender"
        }


async def test_print_then_ship_queues_ship_and_the_platform_hears_it(engine, ctx, kite, world):
    admin, (good, refused, other) = world
    await issue_waybills(ctx, [good, other], "YTO", "worker")
    with Session(engine, expire_on_commit=False) as session:
        labels = waybills.printable(session, actor=admin, order_ids=[good, refused, other])
        assert [o.id for o, _ in labels] == [good, other]
        assert waybills.mark_printed(session, actor=admin, waybill_ids=[w.id for _, w in labels]) == 2
        shipped, refusals = waybills.ship(session, actor=admin, order_ids=[good, refused, other])
        session.commit()
    assert (shipped, refusals) == (2, {refused: "waybill.err.no_number"})
    with Session(engine) as session:
        assert {session.get(Order, i).status for i in (good, other)} == {"shipped"}
    assert {r.status for r in _rows(engine, good) + _rows(engine, other)} == {"shipped"}
    await relay_outbox(ctx)
    sent = {w["order"]: w for w in kite.writes if w["action"] == "ship"}
    assert sent["KT-1"]["tracking_no"] == _rows(engine, good)[0].tracking_no
    assert sent["KT-1"]["carrier"] == "YTO" and sent["KT-1"]["line_ids"] == []


async def test_cancel_returns_the_number_and_the_next_one_is_a_new_parcel(engine, ctx, kite, world):
    admin, (good, _, _) = world
    await issue_waybills(ctx, [good], "ZTO", "worker")
    first = _rows(engine, good)[0]
    with Session(engine) as session:
        assert waybills.cancel_target(session, actor=admin, waybill_id=first.id).id == first.id
    assert (await cancel_waybill(ctx, first.id, f"user:{admin.user_id}")) == {"ok": True}
    assert kite.cancelled == [first.tracking_no]
    await issue_waybills(ctx, [good], "ZTO", "worker")
    rows = _rows(engine, good)
    assert [(r.parcel_no, r.status) for r in rows] == [(1, "cancelled"), (2, "issued")]
    assert rows[1].tracking_no != first.tracking_no
    assert (await cancel_waybill(ctx, first.id, "worker"))["ok"] is False  # once only


async def test_labels_and_the_drawer_views(engine, ctx, kite, world):
    admin, (good, _, _) = world
    await issue_waybills(ctx, [good], "ZTO", "worker")
    with Session(engine, expire_on_commit=False) as session:
        erp_manual.enter_shipment(
            session, actor=admin, order_id=good, carrier_code="ZTO", tracking_no="ZT9", line_nos=[2]
        )
        [label] = waybill_views.labels(session, actor=admin, order_ids=[good], now=utcnow())
        order = session.get(Order, good)
        lines = list(session.exec(select(OrderLine).where(OrderLine.order_id == good).order_by(OrderLine.line_no)))
        extras = waybill_views.drawer_extras(session, order, lines)
        session.commit()
    assert label["tracking"] == _rows(engine, good)[0].tracking_no and label["sort_code"] == "571-A12 03"
    assert label["barcode"].startswith("data:image/svg+xml") and "风筝2 ×2" in label["items"]
    assert label["sender_address"] and label["receiver_address"] == "上海市徐汇区衡山路 8 号"
    assert _rows(engine, good)[0].status == "printed"
    assert extras["splits"] and extras["partial"] == "1/3"
    assert extras["per_line"] == {1: "", 2: "ZTO ZT9", 3: ""}
    assert [w["status"] for w in extras["waybills"]] == ["printed"] and extras["waybills"][0]["cancellable"] == "1"
    assert extras["takes_memo"] and {f["code"] for f in extras["flags"]} == {"1", "4"}
