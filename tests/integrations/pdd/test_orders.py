"""PDD orders, receivers, refunds and products, as the adapter maps them from the twin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.contract import PullWindow, WriteRequest
from integrations.ecommerce_contract import capability
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.partners import WriteBack
from qihang_app.domain.platform_order import DeliveryType, RefundKind, RefundStatus


def _items(control, shop, n=2):
    catalog = control.get(f"/shops/pdd/{shop['shop_id']}/catalog").json()
    return [{"sku_id": p["sku_id"], "quantity": q} for p, q in zip(catalog[:n], (2, 1), strict=False)], catalog


async def test_map_order_money_status_and_lines(adapter, pdd_shop, client_for, new_order, truth, control):
    items, catalog = _items(control, pdd_shop)
    made = new_order(pdd_shop, items=items)
    client = client_for(pdd_shop, decrypt=False)
    order = adapter.map_order(await adapter.fetch_order(client, made["order_id"]))
    sim = truth("pdd", made["order_id"])
    assert order.platform is Platform.PDD and order.platform_shop_id == pdd_shop["shop_id"]
    assert order.status is OrderStatus.TO_SHIP and order.raw_status_code == "1/1"
    assert order.delivery_type is DeliveryType.EXPRESS and order.ship_deadline_at > order.placed_at
    assert order.goods_fen == sim["goods_fen"] and order.paid_fen == sim["paid_fen"]
    assert order.freight_fen == sim["freight_fen"] + sim["box_fen"] + sim["bag_fen"]
    assert order.merchant_discount_fen == sim["merchant_discount_fen"]
    assert order.platform_discount_fen == sim["platform_discount_fen"]
    assert (
        order.goods_fen + order.freight_fen - order.merchant_discount_fen - order.platform_discount_fen
        == order.paid_fen
    )
    assert [(ln.platform_sku_id, ln.quantity) for ln in order.lines] == [(i["sku_id"], i["quantity"]) for i in items]
    assert [ln.platform_line_id for ln in order.lines] == [i["sku_id"] for i in items]
    assert [ln.unit_price_fen for ln in order.lines] == [catalog[0]["price_fen"], catalog[1]["price_fen"]]
    assert sum(ln.discount_fen for ln in order.lines) == order.merchant_discount_fen + order.platform_discount_fen
    assert sum(ln.paid_fen for ln in order.lines) == order.goods_fen - sum(ln.discount_fen for ln in order.lines)
    assert all(ln.outer_sku_code.startswith("SKU") and ln.refund_status == "" for ln in order.lines)
    assert order.placed_at.tzinfo is not None and abs(order.placed_at.timestamp() - sim["created_at"]) < 1


async def test_statuses_follow_the_twin(adapter, pdd_shop, client_for, new_order, control):
    client = client_for(pdd_shop)
    cancelled, refunded = new_order(pdd_shop)["order_id"], new_order(pdd_shop)["order_id"]
    control.post(f"/orders/pdd/{cancelled}/cancel", json={})
    made = control.post(f"/orders/pdd/{refunded}/refund", json={"reason": "不想要了"}).json()
    after_sale = made["after_sales"][-1]["after_sale_id"]
    in_progress = adapter.map_order(await adapter.fetch_order(client, refunded))
    assert in_progress.status is OrderStatus.TO_SHIP and in_progress.raw_status_code == "1/2"
    assert in_progress.raw_status_text == "待发货·售后处理中"
    assert {ln.refund_status for ln in in_progress.lines} == {"2"}
    await adapter.write_back(client, WriteRequest(WriteBack.REFUND_AGREE, refunded, "k", refund_id=after_sale))
    assert adapter.map_order(await adapter.fetch_order(client, refunded)).status is OrderStatus.CLOSED
    assert adapter.map_order(await adapter.fetch_order(client, cancelled)).status is OrderStatus.CANCELLED


async def test_receivers_are_decrypted_only_with_the_permission(
    adapter, pdd_shop, client_for, new_order, truth, control, twin_state
):
    made = new_order(pdd_shop)
    sim = truth("pdd", made["order_id"])
    masked = adapter.map_order(await adapter.fetch_order(client_for(pdd_shop, decrypt=False), made["order_id"]))
    assert masked.receiver_phone == sim["receiver_phone"][:3] + "****" + sim["receiver_phone"][-4:]
    assert "*" in masked.receiver_name and sim["address"] not in masked.receiver_address
    plain = adapter.map_order(await adapter.fetch_order(client_for(pdd_shop), made["order_id"]))
    assert (plain.receiver_name, plain.receiver_phone) == (sim["receiver_name"], sim["receiver_phone"])
    assert plain.receiver_address == sim["geo_address"] + sim["address"]
    # the merchant's permission was withdrawn on PDD's side: the masks stay, the order still maps
    twin_state(pdd_shop, decrypt=False)
    refused = adapter.map_order(await adapter.fetch_order(client_for(pdd_shop), made["order_id"]))
    assert refused.receiver_phone == masked.receiver_phone
    assert control.get("/requests", params={"platform": "pdd", "result": "20000"}).json()


async def test_pulled_orders_carry_decrypted_receivers(adapter, pdd_shop, keys_for, client_for, new_order, truth):
    made = new_order(pdd_shop)
    now = datetime.now(UTC)
    keys, client = keys_for(pdd_shop), client_for(pdd_shop)
    pages = [p async for p in adapter.pull(client, keys, PullWindow(now - timedelta(minutes=5), now, True), None)]
    (raw,) = [o for p in pages for o in p.orders]
    assert adapter.map_order(raw).receiver_name == truth("pdd", made["order_id"])["receiver_name"]


async def test_refund_pull_and_one_orders_refunds(adapter, pdd_shop, keys_for, client_for, new_order, control):
    order_id = new_order(pdd_shop)["order_id"]
    control.post(
        f"/orders/pdd/{order_id}/refund",
        json={"reason": "质量问题", "return_goods": True, "pictures": ["https://img/x.jpg"]},
    )
    keys, client = keys_for(pdd_shop), client_for(pdd_shop)
    pull = capability(adapter, "refund_pull")
    now = datetime.now(UTC)
    pages = [
        p
        async for p in pull.pull(
            client, keys, PullWindow(now - timedelta(minutes=40), now + timedelta(seconds=5), True)
        )
    ]
    (refund,) = [r for p in pages for r in p.refunds]
    assert sum(p.requests for p in pages) == 2  # two 30-minute slices
    assert refund.platform_order_id == order_id and refund.kind is RefundKind.RETURN_GOODS
    assert refund.status is RefundStatus.APPLIED and refund.raw_status_code == "3"
    assert refund.amount_fen > 0 and refund.deadline_at > now and refund.pictures == ("https://img/x.jpg",)
    assert refund.lines and refund.lines[0].platform_sku_id
    assert [r.platform_refund_id for r in await adapter.fetch_refunds(client, order_id)] == [refund.platform_refund_id]
    assert await adapter.fetch_refunds(client, new_order(pdd_shop)["order_id"]) == []


async def test_products_pull_with_prices_from_the_detail(adapter, pdd_shop, keys_for, client_for, control):
    catalog = control.get(f"/shops/pdd/{pdd_shop['shop_id']}/catalog").json()
    pages = [p async for p in adapter.pull_products(client_for(pdd_shop), keys_for(pdd_shop))]
    skus = [s for p in pages for s in p.skus]
    assert len(skus) == len(catalog) == 20 and pages[0].requests == 21
    by_sku = {s.platform_sku_id: s for s in skus}
    for product in catalog:
        sku = by_sku[product["sku_id"]]
        assert (sku.platform_item_id, sku.outer_sku_code, sku.barcode) == (
            product["item_id"],
            product["outer_code"],
            product["barcode"],
        )
        assert (sku.price_fen, sku.stock, sku.name) == (product["price_fen"], product["stock"], product["name"])


async def test_check_connection(adapter, pdd_shop, keys_for, client_for):
    assert await adapter.check_connection(client_for(pdd_shop), keys_for(pdd_shop)) == (
        "shops.test.ok_products",
        {"n": 20},
    )


async def test_the_demo_shop_works_with_its_pre_issued_token(adapter, make_shop, keys_for, client_for, new_order):
    demo = adapter.twin().demo_shop
    shop = make_shop("pdd", **{k: demo[k] for k in ("shop_id", "name", "app_id", "secret")})
    keys = keys_for(shop)
    assert keys.credentials["access_token"].startswith("pdds.") and keys.credentials["decrypt"] is True
    made = new_order(shop)  # the shared generator's order, as the demo streams them
    now = datetime.now(UTC)
    pages = [
        p async for p in adapter.pull(client_for(shop), keys, PullWindow(now - timedelta(hours=2), now, True), None)
    ]
    assert made["order_id"] in {o["order_sn"] for p in pages for o in p.orders}
    assert adapter.map_order(pages[-1].orders[-1]).status is OrderStatus.TO_SHIP
