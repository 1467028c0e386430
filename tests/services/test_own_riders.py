"""Own riders: the list per store, assigning one (the platform hears the rider's name and phone,
not the clerk's), 自配送出发 and 已送达 on the board, and the rider's page by a secret link only."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from qihang_app.models import Delivery, Order, OutboxMessage
from qihang_app.services import dispatch, own_riders
from qihang_app.services.errors import ConflictError, NotFoundError, ValidationError
from qihang_app.services.scope import ScopeError
from tests.services.factories import build_world


@pytest.fixture
def world(session):
    w = build_world(session)
    order = session.get(Order, w.order_a)
    order.delivery_type, order.status = "self", "to_ship"
    session.add(order)
    session.flush()
    return w


def _payloads(session, order_id):
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.order_id == order_id).order_by(OutboxMessage.id)
    ).all()
    return [json.loads(r.payload) for r in rows]


@pytest.mark.parametrize("name, phone, key", [("", "13800000000", "delivery.err.rider_name"),
                                              ("张三", "", "delivery.err.rider_phone"),
                                              ("<b>x</b>", "13800000000", None),
                                              ("张三" * 2000, "13800000000", None),
                                              ("🚴", "13800000000", None)])  # fmt: skip
def test_bad_rider_input_is_refused_at_its_field(session, world, name, phone, key):
    with pytest.raises(ValidationError) as refused:
        own_riders.save_rider(session, actor=world.admin, store_id=world.store_a, name=name, phone=phone)
    if key:
        assert refused.value.key == key


def test_assign_then_board_then_rider_page(session, world):
    rider = own_riders.save_rider(
        session, actor=world.admin, store_id=world.store_a, name="王师傅", phone="13900001111"
    )
    token = own_riders.new_link(session, actor=world.admin, rider_id=rider.id)
    own_riders.assign(session, actor=world.admin, order_id=world.order_a, rider_id=rider.id)
    dispatch.dispatch_self(session, actor=world.admin, order_id=world.order_a)
    order = session.get(Order, world.order_a)
    assert (order.status, order.rider_name, order.rider_phone) == ("shipped", "王师傅", "13900001111")
    ((ride, _),) = own_riders.rides_of(session, rider=own_riders.rider_by_link(session, token=token))
    own_riders.rider_step(session, token=token, delivery_id=ride.id, step="delivered")
    assert session.get(Order, world.order_a).status == "completed"
    sent = [(p["delivery_status"], p["courier_name"], p["courier_phone"]) for p in _payloads(session, world.order_a)]
    assert sent == [
        ("awaiting_rider", "王师傅", "13900001111"),
        ("rider_accepted", "王师傅", "13900001111"),
        ("delivering", "王师傅", "13900001111"),
        ("delivered", "王师傅", "13900001111"),
    ]
    with pytest.raises(ConflictError):  # a finished ride takes no more steps
        own_riders.rider_step(session, token=token, delivery_id=ride.id, step="at_store")


def test_the_rider_page_needs_the_current_link(session, world):
    rider = own_riders.save_rider(session, actor=world.admin, store_id=world.store_a, name="李", phone="13900002222")
    old = own_riders.new_link(session, actor=world.admin, rider_id=rider.id)
    new = own_riders.new_link(session, actor=world.admin, rider_id=rider.id)
    for bad in (old, "", "x" * 500, "not-a-token"):
        with pytest.raises(NotFoundError):
            own_riders.rider_by_link(session, token=bad)
    assert own_riders.rider_by_link(session, token=new).id == rider.id
    assert rider.link_hash != new  # only a hash is stored


def test_another_riders_ride_and_another_store_are_refused(session, world):
    mine = own_riders.save_rider(session, actor=world.admin, store_id=world.store_a, name="甲", phone="13900003333")
    other = own_riders.save_rider(session, actor=world.admin, store_id=world.store_a, name="乙", phone="13900004444")
    token = own_riders.new_link(session, actor=world.admin, rider_id=other.id)
    ride = own_riders.assign(session, actor=world.admin, order_id=world.order_a, rider_id=mine.id)
    with pytest.raises(NotFoundError):
        own_riders.rider_step(session, token=token, delivery_id=ride.id, step="at_store")
    with pytest.raises(ScopeError):
        own_riders.list_riders(session, actor=world.staff_a, store_id=world.store_b)
    assert session.exec(select(Delivery)).all() == [ride]


def test_self_dispatch_names_the_stores_rider(session, world):
    """自配送出发 with one rider on the list sends that rider; with several, staff must pick."""
    only = own_riders.save_rider(session, actor=world.admin, store_id=world.store_a, name="赵", phone="13900005555")
    dispatch.dispatch_self(session, actor=world.staff_a, order_id=world.order_a)
    order = session.get(Order, world.order_a)
    assert (order.rider_name, order.rider_phone, order.status) == (only.name, only.phone, "shipped")


def test_self_dispatch_with_several_riders_asks_which(session, world):
    for name, phone in (("钱", "13900006666"), ("孙", "13900007777")):
        own_riders.save_rider(session, actor=world.admin, store_id=world.store_a, name=name, phone=phone)
    with pytest.raises(ValidationError) as refused:
        dispatch.dispatch_self(session, actor=world.staff_a, order_id=world.order_a)
    assert refused.value.key == "delivery.err.rider_required"
    assert session.get(Order, world.order_a).status == "to_ship"
