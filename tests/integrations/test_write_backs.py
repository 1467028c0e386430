"""Every write-back every registered platform declares, through its adapter, against its sandbox
twin over real HTTP — and what it does not declare is refused before any request."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from integrations import registry
from integrations.base import PlatformError
from integrations.contract import Unsupported, WriteRequest
from qihang_app.domain.partners import WriteBack
from qihang_app.domain.platform_order import DeliveryStatus
from tests.integrations.conftest import FAST_RETRY


@dataclass
class Keys:  # what the worker hands an adapter (services.inbox.ShopAuth has the same shape)
    id: int
    platform: str
    platform_shop_id: str
    app_key: str
    secret: str
    credentials: dict = field(default_factory=dict)


def _keys(shop: dict, sandbox_url: str) -> Keys:
    twin = registry.platform(shop["platform"]).twin()
    from integrations.sandbox.store import Shop

    fields = {k: shop[k] for k in ("shop_id", "name", "app_id", "secret", "lat", "lng")}
    credentials = twin.oms_credentials(Shop(platform=shop["platform"], **fields), sandbox_url)
    return Keys(1, shop["platform"], shop["shop_id"], shop["app_id"], shop["secret"], credentials)


CASES = [(a.profile.code, action) for a in registry.platforms() for action in sorted(a.profile.write_backs)]


@pytest.mark.parametrize(("platform", "action"), CASES)
async def test_declared_write_back_reaches_the_twin(
    platform, action, make_shop, new_order, control, truth, sandbox_url
):
    adapter = registry.platform(platform)
    shop = make_shop(platform)
    keys = _keys(shop, sandbox_url)
    client = adapter.client(keys, retry=FAST_RETRY)
    order = new_order(shop, delivery_type="merchant")
    order_id = order["order_id"]

    def request(act: WriteBack, **extra) -> WriteRequest:
        return WriteRequest(action=act, platform_order_id=order_id, idempotency_key=f"{act}:1", **extra)

    if adapter.profile.instant_retail and action is not WriteBack.ACCEPT and action is not WriteBack.REJECT:
        await adapter.write_back(client, request(WriteBack.ACCEPT))
    extra: dict = {}
    if action is WriteBack.REJECT:
        extra = {"reason_code": adapter.profile.default_reject_reason, "reason": "商品已售完"}
    elif action is WriteBack.DISPATCH_SELF:
        extra = {"delivery_status": DeliveryStatus.DELIVERING, "courier_name": "刘师傅", "courier_phone": "13800000000"}
    elif action is WriteBack.DELIVERED:
        await adapter.write_back(client, request(WriteBack.DISPATCH_SELF, delivery_status=DeliveryStatus.DELIVERING))
        extra = {"delivery_status": DeliveryStatus.DELIVERED}
    elif action in (WriteBack.REFUND_AGREE, WriteBack.REFUND_REJECT):
        made = control.post(f"/orders/{platform}/{order_id}/refund", json={"reason": "少送"})
        extra = {"refund_id": made.json()["after_sales"][-1]["after_sale_id"], "reason": "核实"}
    elif action is WriteBack.PARTIAL_REFUND:
        line = truth(platform, order_id)["lines"][0]
        extra = {"refund_lines": ((line["item_id"], line["sku_id"], 1),), "reason": "缺货"}
    elif action in (WriteBack.RETURN_AGREE, WriteBack.RECEIPT_CONFIRM):
        control.post(f"/orders/{platform}/{order_id}/refund", json={"reason": "质量问题", "return_goods": True})
        if action is WriteBack.RECEIPT_CONFIRM:
            await adapter.write_back(client, request(WriteBack.RETURN_AGREE))
    elif action is WriteBack.STOCK_UPDATE:
        product = control.get(f"/shops/{platform}/{shop['shop_id']}/catalog").json()[0]
        extra = {"stock": ((product["item_id"], product["sku_id"], 7),)}

    before = len(control.get("/writebacks", params={"platform": platform}).json())
    await adapter.write_back(client, request(action, **extra))
    after = control.get("/writebacks", params={"platform": platform}).json()
    assert len(after) == before + 1, f"{platform} {action}: the twin recorded nothing"

    state = truth(platform, order_id)
    expected_stage = {
        WriteBack.ACCEPT: "accepted",
        WriteBack.REJECT: "cancelled",
        WriteBack.DISPATCH_SELF: "delivering",
        WriteBack.DELIVERED: "completed",
        WriteBack.REFUND_AGREE: "closed",
    }
    if action in expected_stage:
        assert state["stage"] == expected_stage[action]
    after_sale_status = {
        WriteBack.REFUND_REJECT: "rejected",
        WriteBack.RETURN_AGREE: "return_agreed",
        WriteBack.RECEIPT_CONFIRM: "refunded",
        WriteBack.PARTIAL_REFUND: "refunded",
    }
    if action in after_sale_status:
        assert state["after_sales"][-1]["status"] == after_sale_status[action]
    if action is WriteBack.STOCK_UPDATE:
        catalog = control.get(f"/shops/{platform}/{shop['shop_id']}/catalog").json()
        assert next(p["stock"] for p in catalog if p["sku_id"] == extra["stock"][0][1]) == 7


UNDECLARED = [
    (a.profile.code, action)
    for a in registry.platforms()
    for action in WriteBack
    if action not in a.profile.write_backs
]


@pytest.mark.parametrize(("platform", "action"), UNDECLARED)
async def test_undeclared_write_back_is_refused_before_any_request(platform, action, make_shop, control, sandbox_url):
    adapter = registry.platform(platform)
    shop = make_shop(platform)
    before = len(control.get("/requests", params={"platform": platform}).json())
    with pytest.raises(Unsupported) as info:
        await adapter.write_back(
            adapter.client(_keys(shop, sandbox_url), retry=FAST_RETRY),
            WriteRequest(action=action, platform_order_id="1", idempotency_key="k"),
        )
    assert info.value.retryable is False and info.value.code == "unsupported"
    assert len(control.get("/requests", params={"platform": platform}).json()) == before


async def test_douyin_twin_refuses_another_platforms_delivery_codes(douyin_shop, douyin_for, new_order):
    """The twin refuses what 抖音来客 refuses: Meituan's logistics code 20 is no `behavior`."""
    order = new_order(douyin_shop, delivery_type="merchant")
    client = douyin_for(douyin_shop)
    await client.merchant_confirm_order(order["order_id"])
    from integrations.douyin_laike.spec import Path

    with pytest.raises(PlatformError):
        await client.call(
            "POST",
            Path.DELIVERY_SYNC,
            body={"order_id": order["order_id"], "account_id": douyin_shop["shop_id"], "behavior": 20},
        )


async def test_the_twin_counts_repeated_write_backs(meituan_shop, new_order, control, sandbox_url):
    adapter = registry.platform("meituan")
    client = adapter.client(_keys(meituan_shop, sandbox_url), retry=FAST_RETRY)
    order = new_order(meituan_shop)
    accept = WriteRequest(action=WriteBack.ACCEPT, platform_order_id=order["order_id"], idempotency_key="accept:1")
    await adapter.write_back(client, accept)
    await adapter.write_back(client, accept)  # an outbox retry after a lost answer
    rows = control.get("/writebacks", params={"order_id": order["order_id"]}).json()
    assert [r["repeat"] for r in rows] == [1, 2]


def test_every_registered_platform_keeps_the_contract():
    from integrations.contract import PlatformAdapter
    from qihang_app.domain import partners

    for adapter in registry.platforms():
        assert isinstance(adapter, PlatformAdapter), adapter
        assert partners.profile(adapter.profile.code) is adapter.profile
        twin = adapter.twin()
        assert twin.platform == adapter.profile.code and twin.routes()
        if adapter.profile.supports(WriteBack.REJECT):
            assert adapter.profile.reject_reasons, "a reject call needs the platform's reasons"
        else:
            assert adapter.profile.elsewhere_zh, "say where staff reject instead"
