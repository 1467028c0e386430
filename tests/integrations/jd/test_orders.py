"""JD order intake against the twin over loopback: windows, paging, mapping, decrypt, errors."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PlatformError
from integrations.contract import PullWindow
from integrations.jd.sign import jd_time
from integrations.jd.spec import MAX_PAGE_SIZE, Method
from integrations.jd.windows import split
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import DeliveryType
from tests.integrations.jd.conftest import collect


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


async def _pull(jd, client, keys, start: datetime, end: datetime) -> tuple[list[dict], int]:
    pages = await collect(jd.pull(client, keys, PullWindow(start, end, sweep=True), None))
    return [o for p in pages for o in p.orders], sum(p.requests for p in pages)


def test_split_keeps_each_window_within_a_month_and_shares_the_boundary_second():
    start = datetime(2026, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC)
    end = datetime(2026, 3, 17, 8, 0, 0, 10, tzinfo=UTC)
    windows = split(start, end)
    assert len(windows) == 3 and all(b - a <= timedelta(days=30) for a, b in windows)
    assert windows[0][0] == start.replace(microsecond=0) and windows[-1][1] == datetime(
        2026, 3, 17, 8, 0, 1, tzinfo=UTC
    )
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))
    assert split(end, start) == [(end.replace(microsecond=0), end.replace(microsecond=0))]


async def test_pull_maps_money_status_and_lines(jd, jd_shop, jd_keys, jd_client, new_order, truth):
    placed = new_order(jd_shop)
    keys = jd_keys(jd_shop)
    found, _ = await _pull(jd, jd_client(jd_shop), keys, _at(placed["created_at"] - 5), _at(placed["updated_at"] + 5))
    (raw,) = [o for o in found if o["orderId"] == placed["order_id"]]
    order = jd.map_order(raw)
    assert order.status == OrderStatus.TO_SHIP and order.raw_status_code == "WAIT_SELLER_STOCK_OUT"
    assert order.delivery_type == DeliveryType.EXPRESS and order.platform_shop_id == jd_shop["shop_id"]
    assert order.goods_fen == placed["goods_fen"] and order.paid_fen == placed["paid_fen"]
    assert order.freight_fen == placed["freight_fen"] + placed["box_fen"] + placed["bag_fen"]
    assert order.merchant_discount_fen == placed["merchant_discount_fen"]
    assert order.platform_discount_fen == placed["platform_discount_fen"]
    assert [(ln.platform_line_id, ln.quantity, ln.outer_sku_code) for ln in order.lines] == [
        (ln["sku_id"], ln["quantity"], ln["outer_code"]) for ln in placed["lines"]
    ]
    assert sum(ln.paid_fen for ln in order.lines) == order.goods_fen - sum(ln.discount_fen for ln in order.lines)
    assert order.placed_at == _at(placed["created_at"]) and order.updated_at == _at(placed["updated_at"])


async def test_decrypt_with_permission_reveals_the_receiver(jd, jd_shop, jd_client, new_order, control):
    placed = new_order(jd_shop)
    order = jd.map_order(await jd.fetch_order(jd_client(jd_shop), placed["order_id"]))
    assert order.receiver_name == placed["receiver_name"] and order.receiver_phone == placed["receiver_phone"]
    assert order.receiver_address == placed["geo_address"] + placed["address"]
    assert control.get("/requests", params={"platform": "jd", "path": Method.DECRYPT, "result": "ok"}).json()


async def test_without_permission_the_masked_receiver_stays(jd, make_shop, jd_client, new_order, control):
    shop = make_shop("jd")
    placed = new_order(shop)
    before = len(control.get("/requests", params={"platform": "jd", "path": Method.DECRYPT}).json())
    order = jd.map_order(await jd.fetch_order(jd_client(shop, decrypt=False), placed["order_id"]))
    assert order.receiver_phone == placed["receiver_phone"][:3] + "****" + placed["receiver_phone"][-4:]
    assert order.receiver_name.startswith(placed["receiver_name"][0]) and "*" in order.receiver_name
    assert len(control.get("/requests", params={"platform": "jd", "path": Method.DECRYPT}).json()) == before


async def test_the_twin_refuses_a_window_over_a_month(jd_shop, jd_client):
    end = datetime.now(UTC)
    with pytest.raises(PlatformError) as info:
        await jd_client(jd_shop).call(
            Method.ORDER_SEARCH,
            {"start_date": jd_time(end - timedelta(days=31)), "end_date": jd_time(end), "page": 1, "page_size": 10},
        )
    assert info.value.code == "61" and not info.value.retryable


async def test_a_long_window_is_split_and_every_order_found(jd, make_shop, jd_keys, jd_client, new_order, control):
    shop = make_shop("jd")
    placed = [new_order(shop) for _ in range(3)]
    end = _at(max(o["updated_at"] for o in placed) + 1)
    before = len(control.get("/requests", params={"platform": "jd", "path": Method.ORDER_SEARCH}).json())
    found, _ = await _pull(jd, jd_client(shop, decrypt=False), jd_keys(shop), end - timedelta(days=75), end)
    assert {o["orderId"] for o in found} == {o["order_id"] for o in placed}
    searches = len(control.get("/requests", params={"platform": "jd", "path": Method.ORDER_SEARCH}).json()) - before
    assert searches == 3  # one per month-long window, all accepted by the twin


async def test_the_boundary_second_is_inside_the_window(jd, make_shop, jd_keys, jd_client, new_order):
    shop = make_shop("jd")
    placed = new_order(shop)
    client, keys, second = jd_client(shop, decrypt=False), jd_keys(shop), _at(placed["updated_at"])
    assert [o["orderId"] for o in (await _pull(jd, client, keys, second - timedelta(hours=1), second))[0]] == [
        placed["order_id"]
    ]
    assert len((await _pull(jd, client, keys, second, second + timedelta(hours=1)))[0]) == 1
    assert (await _pull(jd, client, keys, second - timedelta(hours=1), second - timedelta(seconds=1)))[0] == []


async def test_an_empty_window_is_one_request(jd, jd_shop, jd_keys, jd_client):
    future = datetime.now(UTC) + timedelta(days=2)
    found, requests = await _pull(jd, jd_client(jd_shop), jd_keys(jd_shop), future, future + timedelta(hours=1))
    assert found == [] and requests == 1


async def test_paging_from_the_end_loses_no_row_when_one_moves_out(jd, make_shop, jd_keys, jd_client, new_order, truth):
    shop = make_shop("jd", catalog=5)
    placed = [new_order(shop) for _ in range(MAX_PAGE_SIZE + 20)]
    start, end = _at(min(o["updated_at"] for o in placed)), _at(max(o["updated_at"] for o in placed))
    ordered = sorted(placed, key=lambda o: (o["updated_at"], o["order_id"]))
    mover, first_of_page_two = ordered[0]["order_id"], ordered[MAX_PAGE_SIZE]["order_id"]
    while time.time() < end.timestamp() + 1:  # the edit below must land after the window's last second
        await asyncio.sleep(0.05)
    client = jd_client(shop, decrypt=False)
    original, pages = client.call, []

    async def moving(method, business=None):
        answer = await original(method, business)
        if method == Method.ORDER_SEARCH:
            pages.append(business["page"])
            if len(pages) == 1:  # the seller edits the first row while we page: it leaves the window
                await original(Method.MEMO, {"orderId": mover, "remark": "改备注"})
        return answer

    client.call = moving
    found, requests = await _pull(jd, client, jd_keys(shop), start, end)
    ids = {o["orderId"] for o in found}
    assert pages == [1, 2, 1] and requests == 3
    assert first_of_page_two in ids  # forward paging would have skipped it (it slid onto page 1)
    assert ids == {o["order_id"] for o in placed} - {mover}
    assert truth("jd", mover)["updated_at"] > end.timestamp()  # the next sweep reads it


async def test_rate_limit_is_retried(jd, jd_shop, jd_client, new_order, control):
    placed = new_order(jd_shop)
    control.post("/faults", json={"kind": "rate_limit", "platform": "jd", "count": 1})
    raw = await jd.fetch_order(jd_client(jd_shop, decrypt=False), placed["order_id"])
    assert raw["orderId"] == placed["order_id"]
    results = [
        r["result"] for r in control.get("/requests", params={"platform": "jd", "path": Method.ORDER_GET}).json()
    ]
    assert results[-2:] == ["67", "ok"] and 67 in jd.rate_limit_codes


async def test_expired_token_is_refreshed_once_and_saved(jd, jd_shop, jd_keys, new_order, control):
    from tests.integrations.conftest import FAST_RETRY

    placed = new_order(jd_shop)
    saved = []

    async def on_token(shop_id, token):
        saved.append((shop_id, token))

    keys = jd_keys(jd_shop)
    client = jd.client(keys, on_token=on_token, retry=FAST_RETRY)
    control.post("/faults", json={"kind": "expire_token", "platform": "jd", "count": 1})
    raw = await jd.fetch_order(client, placed["order_id"])
    assert raw["orderId"] == placed["order_id"] and client.refresh_count == 1
    assert saved and saved[0][1].value == client.access_token != keys.credentials["access_token"]
    assert 19 in jd.credential_codes


async def test_a_bad_secret_is_refused_and_not_retried(jd, jd_shop, jd_keys, control):
    from tests.integrations.conftest import FAST_RETRY

    keys = jd_keys(jd_shop)
    keys.secret = "wrong"
    before = len(control.get("/requests", params={"platform": "jd", "result": "7"}).json())
    with pytest.raises(PlatformError) as info:
        await jd.fetch_order(jd.client(keys, retry=FAST_RETRY), "1")
    assert info.value.code == "7" and not info.value.retryable
    assert len(control.get("/requests", params={"platform": "jd", "result": "7"}).json()) == before + 1


async def test_a_refused_decrypt_keeps_the_masked_receiver(jd, make_shop, jd_client, new_order, sandbox_url, control):
    import httpx

    shop = make_shop("jd")
    placed = new_order(shop)
    url = sandbox_url + "/jd/_decrypt_permission"
    httpx.post(url, json={"vender_id": shop["shop_id"], "allowed": False}, trust_env=False)
    order = jd.map_order(await jd.fetch_order(jd_client(shop), placed["order_id"]))  # credentials say decrypt
    assert "****" in order.receiver_phone and order.receiver_name != placed["receiver_name"]
    assert control.get("/requests", params={"platform": "jd", "path": Method.DECRYPT, "result": "65"}).json()


async def test_a_token_past_its_expiry_is_refreshed_before_the_call(jd, jd_shop, jd_keys, new_order, control):
    from tests.integrations.conftest import FAST_RETRY

    placed = new_order(jd_shop)
    keys = jd_keys(jd_shop, access_token_expires=time.time() - 10)
    refused = len(control.get("/requests", params={"platform": "jd", "result": "19"}).json())
    client = jd.client(keys, retry=FAST_RETRY)
    assert (await jd.fetch_order(client, placed["order_id"]))["orderId"] == placed["order_id"]
    assert client.refresh_count == 1 and client.expires_at > time.time()
    assert len(control.get("/requests", params={"platform": "jd", "result": "19"}).json()) == refused
