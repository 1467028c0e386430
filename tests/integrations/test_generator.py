"""The scenario generator: streaming rate, realistic and self-consistent orders, later moves."""

from __future__ import annotations

import asyncio
import math
import re

from integrations.meituan.spec import PushType


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    d_lat = (lat2 - lat1) * 111_320
    d_lng = (lng2 - lng1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(d_lat, d_lng)


async def wait_until(check, timeout: float = 8.0):
    for _ in range(int(timeout / 0.05)):
        value = check()
        if value:
            return value
        await asyncio.sleep(0.05)
    return check()


async def test_streaming_creates_orders_at_the_rate_and_stops(control, make_shop):
    shop = make_shop("meituan", rate=0)
    control.post("/rate", json={"platform": "meituan", "shop_id": shop["shop_id"], "rate": 20})
    control.post("/stream/start")
    try:
        await asyncio.sleep(1.0)
    finally:
        control.post("/stream/stop")
        control.post("/rate", json={"platform": "meituan", "shop_id": shop["shop_id"], "rate": 0})
    made = control.get("/orders", params={"shop_id": shop["shop_id"]}).json()
    assert 10 <= len(made) <= 30
    await asyncio.sleep(0.3)
    assert len(control.get("/orders", params={"shop_id": shop["shop_id"]}).json()) == len(made)


async def test_orders_look_real_and_add_up(control, make_shop, new_order):
    shop = make_shop("meituan", lat=39.9087, lng=116.3975)
    orders = [new_order(shop) for _ in range(40)]
    phone = re.compile(r"^1[3578]\d{9}_\d{4}$")
    for order in orders:
        assert re.search(r"[\u4e00-\u9fff]", order["receiver_name"])
        assert phone.match(order["receiver_phone"]), order["receiver_phone"]
        assert distance_m(shop["lat"], shop["lng"], order["lat"], order["lng"]) <= 3100
        discount = order["platform_discount_fen"] + order["merchant_discount_fen"]
        assert sum(line["discount_fen"] for line in order["lines"]) == discount
        assert (
            order["paid_fen"]
            == (order["goods_fen"] + order["box_fen"] + order["bag_fen"] + order["freight_fen"] - discount)
            > 0
        )
        assert 1 <= len(order["lines"]) <= 4
    assert len({o["day_seq"] for o in orders}) == 40
    assert any(o["platform_discount_fen"] or o["merchant_discount_fen"] for o in orders)
    kinds = {o["delivery_type"] for o in orders}
    assert "platform" in kinds and "merchant" in kinds


async def test_douyin_phones_are_masked(make_shop, new_order):
    shop = make_shop("douyin_laike")
    assert re.match(r"^1[3578]\d\*{4}\d{4}$", new_order(shop)["receiver_phone"])


async def test_scheduled_orders(make_shop, new_order):
    shop = make_shop("meituan")
    order = new_order(shop, scheduled=True)
    assert order["scheduled_at"] >= order["created_at"] + 3600


async def test_platform_riders_progress_after_confirm(control, receiver, make_shop, new_order, meituan_for, truth):
    control.post("/timing", json={"time_scale": 0.01})
    try:
        shop = make_shop("meituan")
        order = new_order(shop, delivery_type="platform")
        await meituan_for(shop).confirm_order(order["order_id"])
        done = await wait_until(lambda: truth("meituan", order["order_id"])["stage"] == "completed")
    finally:
        control.post("/timing", json={"time_scale": 1})
    assert done
    steps = [s["step"] for s in truth("meituan", order["order_id"])["logistics"]]
    assert steps == ["rider_accepted", "at_store", "delivering", "delivered"]
    pushes = await receiver.wait_for(
        lambda p: p.path.endswith(PushType.LOGISTICS.value) and p.form.get("order_id") == order["order_id"], count=4
    )
    assert [p.form["logistics_status"] for p in pushes] == ["10", "15", "20", "40"]


async def test_buyers_cancel_while_streaming(control, make_shop):
    control.post("/timing", json={"time_scale": 0.01, "ratios": {"cancel": 1.0, "refund": 0}})
    shop = make_shop("meituan", rate=0)
    try:
        control.post("/rate", json={"shop_id": shop["shop_id"], "rate": 30, "platform": "meituan"})
        control.post("/stream/start")
        await asyncio.sleep(0.4)
        control.post("/rate", json={"shop_id": shop["shop_id"], "rate": 0, "platform": "meituan"})

        def all_cancelled():
            found = control.get("/orders", params={"shop_id": shop["shop_id"]}).json()
            return len(found) >= 5 and all(o["stage"] == "cancelled" for o in found)

        assert await wait_until(all_cancelled)
    finally:
        control.post("/stream/stop")
        control.post("/timing", json={"time_scale": 1, "ratios": {"cancel": 0.05, "refund": 0.05}})


async def test_control_api_reports_bad_input(control):
    assert control.post("/shops", json={"platform": "no_such_platform"}).status_code == 400
    assert control.post("/orders", json={"platform": "meituan", "shop_id": "none"}).status_code == 404
    assert control.post("/faults", json={"kind": "gremlins"}).status_code == 400
    assert control.get("/stats").json()["shops"] >= 0


async def test_repush_sends_the_paid_push_again(control, receiver, make_shop, new_order):
    shop = make_shop("meituan")
    order = new_order(shop)
    control.post(f"/orders/meituan/{order['order_id']}/repush", json={"event": "paid"})
    pushes = await receiver.wait_for(
        lambda p: p.path.endswith(PushType.PAID.value) and p.form.get("order_id") == order["order_id"], count=2
    )
    assert len(pushes) == 2
    assert control.get("/timing").json()["time_scale"] == 1
