"""Each injected sandbox fault produces the documented adapter behaviour, with no hangs:
retry then succeed, replace the token, or give up with a clear PlatformError after bounded attempts.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PlatformError, RetryPolicy
from integrations.meituan.client import MeituanClient
from integrations.meituan.spec import PushType
from qihang_app.domain.clock import SHANGHAI

from .conftest import FAST_RETRY


def fault(control, kind: str, **options) -> None:
    response = control.post("/faults", json={"kind": kind, **options})
    assert response.status_code == 201, response.text


def results(control, platform: str, path: str) -> list[str]:
    return [r["result"] for r in control.get("/requests", params={"platform": platform, "path": path}).json()]


# ---- Meituan -----------------------------------------------------------------------------------


async def test_meituan_5xx_then_success(control, meituan_shop, meituan_for, new_order, truth):
    order = new_order(meituan_shop)
    fault(control, "5xx", platform="meituan", path_contains="order/confirm", count=2, status=503)
    before = len(results(control, "meituan", "order/confirm"))
    await meituan_for(meituan_shop).confirm_order(order["order_id"])
    assert results(control, "meituan", "order/confirm")[before:] == ["http_503", "http_503", "ok"]
    assert truth("meituan", order["order_id"])["stage"] == "accepted"


async def test_meituan_rate_limit_711_is_retried(control, meituan_shop, meituan_for, new_order):
    order = new_order(meituan_shop)
    fault(control, "rate_limit", platform="meituan", path_contains="getOrderDetail")
    detail = await meituan_for(meituan_shop).get_order_detail(order["order_id"])
    assert str(detail["order_id"]) == order["order_id"]
    assert results(control, "meituan", "order/getOrderDetail")[-2:] == ["711", "ok"]


async def test_meituan_slow_answer_times_out_then_retry_succeeds(control, meituan_shop, meituan_for, new_order):
    order = new_order(meituan_shop)
    fault(control, "slow", platform="meituan", path_contains="getOrderDetail", delay_ms=1500)
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, attempt_timeout=0.3, total_timeout=5)
    started = time.monotonic()
    detail = await meituan_for(meituan_shop, retry=policy).get_order_detail(order["order_id"])
    assert str(detail["order_id"]) == order["order_id"]
    assert time.monotonic() - started < 1.5  # did not wait for the slow answer


async def test_meituan_gives_up_after_bounded_attempts(control, meituan_shop, meituan_for, new_order):
    order = new_order(meituan_shop)
    fault(control, "5xx", platform="meituan", path_contains="order/confirm", count=50)
    started = time.monotonic()
    with pytest.raises(PlatformError) as info:
        await meituan_for(meituan_shop).confirm_order(order["order_id"])
    error = info.value
    assert (error.platform, error.code, error.http_status, error.retryable) == ("meituan", "http_500", 500, True)
    assert f"after {FAST_RETRY.max_attempts} attempts" in str(error)
    assert time.monotonic() - started < FAST_RETRY.total_timeout


async def test_meituan_persistent_rate_limit_surfaces_711(control, meituan_shop, meituan_for):
    fault(control, "rate_limit", platform="meituan", path_contains="retail/list", count=50)
    with pytest.raises(PlatformError) as info:
        await meituan_for(meituan_shop).retail_list(meituan_shop["shop_id"])
    assert info.value.code == "711" and info.value.retryable


async def test_meituan_unreachable_platform_gives_up(http):
    client = MeituanClient("1", "s", base_url="http://127.0.0.1:9/meituan/api/v1/", http=http, retry=FAST_RETRY)
    with pytest.raises(PlatformError) as info:
        await client.confirm_order("1")
    assert info.value.code == "network" and info.value.retryable


# ---- Douyin Laike ------------------------------------------------------------------------------


async def test_douyin_expired_token_is_replaced_once(control, douyin_shop, douyin_for, new_order, truth):
    order = new_order(douyin_shop)
    client = douyin_for(douyin_shop)
    await client.query_orders()
    fault(control, "expire_token", platform="douyin_laike")
    await client.merchant_confirm_order(order["order_id"])
    assert client.tokens.refresh_count == 2
    assert truth("douyin_laike", order["order_id"])["stage"] == "accepted"


async def test_douyin_tokens_expired_by_the_platform(control, douyin_shop, douyin_for):
    client = douyin_for(douyin_shop)
    await client.query_orders()
    control.post("/tokens/expire", json={"client_key": douyin_shop["app_id"]})
    await client.query_orders()
    assert client.tokens.refresh_count == 2


async def test_douyin_token_refreshed_before_expiry(make_shop, douyin_for):
    shop = make_shop("douyin_laike", token_ttl=400)
    now = [time.time()]
    client = douyin_for(shop, token_margin=300, clock=lambda: now[0])
    await client.query_orders()
    now[0] += 50
    await client.query_orders()
    assert client.tokens.refresh_count == 1
    now[0] += 60  # 110 s in: inside the 300 s margin of a 400 s token
    await client.query_orders()
    assert client.tokens.refresh_count == 2


async def test_douyin_busy_and_5xx_are_retried(control, douyin_shop, douyin_for):
    fault(control, "rate_limit", platform="douyin_laike", path_contains="order/query")
    fault(control, "5xx", platform="douyin_laike", path_contains="order/query", status=502)
    page = await douyin_for(douyin_shop).query_orders()
    assert page.page_num == 1
    assert results(control, "douyin_laike", "/goodlife/v1/trade/order/query")[-3:] == ["2100004", "http_502", "ok"]


async def test_douyin_gives_up_when_the_token_endpoint_stays_down(control, douyin_shop, douyin_for):
    fault(control, "5xx", platform="douyin_laike", path_contains="client_token", count=50)
    with pytest.raises(PlatformError) as info:
        await douyin_for(douyin_shop).query_orders()
    assert info.value.code == "http_500" and "attempts" in str(info.value)


# ---- push faults -------------------------------------------------------------------------------


def meituan_paid(order_id: str):
    path = f"/api/webhooks/meituan/{PushType.PAID.value}"
    return lambda p: p.path == path and p.form.get("order_id") == order_id


async def test_duplicate_push_arrives_twice_identically(control, receiver, make_shop, new_order):
    shop = make_shop("meituan")
    fault(control, "duplicate_push", shop_id=shop["shop_id"])
    order = new_order(shop)
    pushes = await receiver.wait_for(meituan_paid(order["order_id"]), count=2)
    assert len(pushes) == 2 and pushes[0].body == pushes[1].body


async def test_reordered_push_arrives_after_its_successor(control, receiver, make_shop, new_order):
    shop = make_shop("meituan")
    fault(control, "reorder_push", shop_id=shop["shop_id"])
    first, second = new_order(shop), new_order(shop)
    await receiver.wait_for(meituan_paid(first["order_id"]))
    arrived = [p.form["order_id"] for p in receiver.matching(lambda p: p.form.get("app_poi_code") == shop["shop_id"])]
    assert arrived.index(second["order_id"]) < arrived.index(first["order_id"])


async def test_dropped_meituan_push_is_found_by_the_day_seq_sweep(control, receiver, make_shop, new_order, meituan_for):
    shop = make_shop("meituan")
    fault(control, "drop_push", shop_id=shop["shop_id"])
    lost, seen = new_order(shop), new_order(shop)
    await receiver.wait_for(meituan_paid(seen["order_id"]))
    assert not receiver.matching(meituan_paid(lost["order_id"]))
    outcomes = control.get("/pushes", params={"order_id": lost["order_id"]}).json()
    assert [p["outcome"] for p in outcomes] == ["dropped"]
    client = meituan_for(shop)
    today = int(datetime.now(SHANGHAI).strftime("%Y%m%d"))
    swept = [
        await client.get_order_id_by_day_seq(shop["shop_id"], today, seq)
        for seq in range(1, await client.get_order_day_seq(shop["shop_id"]) + 1)
    ]
    assert lost["order_id"] in swept


async def test_dropped_douyin_push_is_found_by_the_update_time_sweep(
    control, receiver, make_shop, new_order, douyin_for
):
    shop = make_shop("douyin_laike")
    fault(control, "drop_push", shop_id=shop["shop_id"])
    start = datetime.now(UTC) - timedelta(seconds=5)
    lost = new_order(shop)
    swept = await douyin_for(shop).orders_updated_between(start, datetime.now(UTC) + timedelta(seconds=5))
    assert lost["order_id"] in [o["order_id"] for o in swept]


async def test_failing_receiver_is_retried_then_marked_failed(control, make_shop, new_order):
    shop = make_shop("meituan", callback_base="http://127.0.0.1:9")  # nothing listens there
    order = new_order(shop)
    for _ in range(100):
        outcomes = control.get("/pushes", params={"order_id": order["order_id"]}).json()
        if outcomes:
            break
        await asyncio.sleep(0.05)
    assert outcomes[0]["outcome"] == "failed" and outcomes[0]["attempts"] == 3
