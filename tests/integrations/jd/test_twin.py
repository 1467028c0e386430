"""The JD twin's gateway checks and the demo: streamed orders are pullable, nothing is pushed."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PlatformError
from integrations.contract import PullWindow
from integrations.jd.client import JdClient
from integrations.jd.spec import Method
from tests.integrations.conftest import FAST_RETRY
from tests.integrations.jd.conftest import collect


async def test_a_stale_timestamp_is_refused(jd_shop, jd_keys, sandbox_url):
    keys = jd_keys(jd_shop)
    stale = JdClient(
        keys.app_key,
        keys.secret,
        keys.credentials["access_token"],
        base_url=keys.credentials["base_url"],
        retry=FAST_RETRY,
        clock=lambda: time.time() - 3600,
    )
    with pytest.raises(PlatformError) as info:
        await stale.call(Method.ORDER_GET, {"order_id": "1"})
    assert info.value.code == "9"


async def test_an_unknown_method_is_a_param_error(jd_shop, jd_client):
    client = jd_client(jd_shop)
    with pytest.raises(PlatformError) as info:
        await client.call("jingdong.nothing.here", {})
    assert info.value.code == "61"


async def test_streamed_demo_orders_are_pullable_and_not_pushed(jd, make_shop, jd_keys, jd_client, control):
    shop = make_shop("jd", rate=40.0)
    start = datetime.now(UTC) - timedelta(seconds=2)
    control.post("/stream/start")
    try:
        await asyncio.sleep(0.4)
    finally:
        control.post("/rate", json={"rate": 0, "platform": "jd", "shop_id": shop["shop_id"]})
        control.post("/stream/stop")
    made = control.get("/orders", params={"platform": "jd", "shop_id": shop["shop_id"]}).json()
    assert len(made) >= 3
    window = PullWindow(start, datetime.now(UTC) + timedelta(seconds=2), sweep=True)
    pages = await collect(jd.pull(jd_client(shop), jd_keys(shop), window, None))
    pulled = {o["orderId"]: jd.map_order(o) for p in pages for o in p.orders}
    assert {o["order_id"] for o in made} <= set(pulled)
    assert {o.status.value for o in pulled.values()} <= {"to_ship", "cancelled"}  # buyers may cancel
    assert control.get("/pushes", params={"platform": "jd", "shop_id": shop["shop_id"]}).json() == []


@pytest.mark.parametrize(
    ("code", "key"),
    [("19", "platform_err.credentials"), ("10003", "platform_err.credentials"), ("67", "platform_err.rate_limited")],
)
def test_jd_codes_read_as_plain_words(code, key):
    from integrations.errors import plain_error

    assert key in plain_error(PlatformError("jd", code, "…"))
