"""Shop product lists through the platform contract, against the sandbox twins over loopback."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from integrations import registry
from integrations.base import PlatformError
from integrations.douyin_laike.spec import ErrorCode


def _keys(shop: dict) -> SimpleNamespace:
    return SimpleNamespace(platform_shop_id=shop["shop_id"])


async def _all_pages(platform: str, client, shop: dict) -> list:
    return [page async for page in registry.platform(platform).pull_products(client, _keys(shop))]


async def test_meituan_pull_products_reads_every_page(make_shop, meituan_for, control):
    shop = make_shop("meituan", catalog=20)
    control.post(f"/shops/meituan/{shop['shop_id']}/catalog", json={"count": 30})  # 50 = one full page
    control.post(f"/shops/meituan/{shop['shop_id']}/catalog", json={"count": 7})
    pages = await _all_pages("meituan", meituan_for(shop), shop)
    skus = [s for page in pages for s in page.skus]
    truth = control.get(f"/shops/meituan/{shop['shop_id']}/catalog").json()
    assert len(pages) == 2 and len(skus) == len(truth) == 57
    by_id = {p["sku_id"]: p for p in truth}
    for sku in skus:
        product = by_id[sku.platform_sku_id]
        assert sku.outer_sku_code == product["outer_code"] and sku.barcode == product["barcode"]
        assert sku.price_fen == product["price_fen"] and sku.name == product["name"]


async def test_laike_pull_products_by_cursor_with_total(make_shop, douyin_for, control):
    shop = make_shop("douyin_laike", catalog=30)
    control.post(f"/shops/douyin_laike/{shop['shop_id']}/catalog", json={"count": 30})
    pages = await _all_pages("douyin_laike", douyin_for(shop), shop)
    skus = [s for page in pages for s in page.skus]
    truth = control.get(f"/shops/douyin_laike/{shop['shop_id']}/catalog").json()
    assert [p.total for p in pages] == [60, 60] and len(skus) == 60
    assert {s.platform_sku_id for s in skus} == {p["sku_id"] for p in truth}
    first = next(p for p in truth if p["sku_id"] == skus[0].platform_sku_id)
    # Laike's sku id is the platform's own; the merchant's code travels as out_sku_id
    assert skus[0].platform_sku_id != first["outer_code"] and skus[0].outer_sku_code == first["outer_code"]
    assert skus[0].price_fen == first["price_fen"]


async def test_laike_product_list_refuses_an_absurd_page(make_shop, douyin_for):
    shop = make_shop("douyin_laike", catalog=3)
    client = douyin_for(shop)
    with pytest.raises(PlatformError) as info:
        await client.call("GET", "/goodlife/v1/goods/product/online/query/", params={
            "account_id": shop["shop_id"], "count": 10_000})  # fmt: skip
    assert info.value.code == str(ErrorCode.PARAM)
