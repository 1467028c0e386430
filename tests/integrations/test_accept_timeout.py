"""The platforms cancel an order the store has not accepted in time; so does the sandbox, with
the push the platform sends (by the system, with its reason). An accepted order stays."""

from __future__ import annotations

import asyncio
import json

from integrations.meituan.spec import PushType
from integrations.sandbox.lifecycle import ACCEPT_TIMEOUT_SECONDS, TIMEOUT_REASON


async def _wait(check, timeout: float = 8.0):
    for _ in range(int(timeout / 0.05)):
        if value := check():
            return value
        await asyncio.sleep(0.05)
    return check()


async def test_unaccepted_orders_are_cancelled_by_the_platform_in_time(
    control, receiver, make_shop, new_order, truth, meituan_for
):
    assert ACCEPT_TIMEOUT_SECONDS == 300  # docs/platforms.md: five minutes on both platforms
    control.post("/timing", json={"time_scale": 0.005})  # 300 s → 1.5 s
    try:
        shop = make_shop("meituan")
        late, kept = new_order(shop), new_order(shop)
        await meituan_for(shop).confirm_order(kept["order_id"])
        cancelled = await _wait(lambda: truth("meituan", late["order_id"])["stage"] == "cancelled")
        await asyncio.sleep(0.3)
    finally:
        control.post("/timing", json={"time_scale": 1})
    assert cancelled
    assert truth("meituan", late["order_id"])["cancel"]["by"] == "system"
    assert truth("meituan", late["order_id"])["cancel"]["reason"] == TIMEOUT_REASON
    assert truth("meituan", kept["order_id"])["stage"] != "cancelled"
    [push] = await receiver.wait_for(
        lambda p: p.path.endswith(PushType.CANCEL.value) and p.form.get("order_id") == late["order_id"]
    )
    assert push.form["deal_op_type"] == "5"  # the system
    assert not receiver.matching(
        lambda p: p.path.endswith(PushType.CANCEL.value) and p.form.get("order_id") == kept["order_id"]
    )


async def test_douyin_cancels_too(control, receiver, make_shop, new_order, truth):
    control.post("/timing", json={"time_scale": 0.005})
    try:
        shop = make_shop("douyin_laike")
        order = new_order(shop)
        cancelled = await _wait(lambda: truth("douyin_laike", order["order_id"])["stage"] == "cancelled")
    finally:
        control.post("/timing", json={"time_scale": 1})
    assert cancelled

    def cancel_notice(p):
        if not p.path.endswith("douyin_laike"):
            return False
        content = json.loads(json.loads(p.body).get("content", "{}"))
        return content.get("action") == "cancel" and str(content.get("order", {}).get("order_id")) == order["order_id"]

    [push] = await receiver.wait_for(cancel_notice)
    content = json.loads(json.loads(push.body)["content"])
    assert content["order"]["cancel_by"] == "system"
