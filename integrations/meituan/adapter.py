"""美团闪购 on the platform contract: profile, client, pushes, pulls, write-backs, signing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from integrations.base import PlatformError, RetryPolicy
from integrations.contract import (
    ProductPage,
    PullLookups,
    PullPage,
    PullWindow,
    ShopKeys,
    TokenSaver,
    WriteRequest,
    check_declared,
)
from integrations.meituan import mapping
from integrations.meituan.client import MeituanClient
from integrations.meituan.receiver import MeituanReceiver, parse_push
from integrations.meituan.refunds import refunds_from_detail
from integrations.meituan.sign import canonical_string, meituan_sig
from integrations.meituan.spec import (
    BASE_URL,
    REFUND_REJECT_REASONS,
    REVIEW_AGREE_RETURN,
    REVIEW_CONFIRM_RECEIPT,
    ErrorCode,
)
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.domain.platform_order import DeliveryStatus, PlatformOrder, PlatformRefund

# Meituan's order/cancel reason codes (the platform's list; shown to staff when rejecting).
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "2007": ("商品已售完", "Sold out"),
    "2008": ("店铺已打烊", "Store closed"),
    "2009": ("超出配送范围", "Out of delivery range"),
    "2010": ("店铺太忙", "Store too busy"),
    "2011": ("联系不上顾客", "Cannot reach the customer"),
    "1001": ("其他原因", "Other"),
}

PROFILE = PlatformProfile(
    code="meituan",
    name_zh="美团闪购",
    name_en="Meituan",
    write_backs=frozenset(
        {
            WriteBack.ACCEPT,
            WriteBack.REJECT,
            WriteBack.READY,
            WriteBack.DISPATCH_SELF,
            WriteBack.DELIVERED,
            WriteBack.SHIP,
            WriteBack.REFUND_AGREE,
            WriteBack.REFUND_REJECT,
            WriteBack.RETURN_AGREE,
            WriteBack.RECEIPT_CONFIRM,
            WriteBack.PARTIAL_REFUND,
            WriteBack.STOCK_UPDATE,
        }
    ),
    reject_reasons=REJECT_REASONS,
    refund_reject_reasons=REFUND_REJECT_REASONS,
    products_pullable=True,
)

OPEN_LOOKBACK = timedelta(hours=12)  # sweeps re-read orders still in fulfilment this far back
OPEN_LIMIT = 200
DETAIL_CONCURRENCY = 8
PAGE_ORDERS = 50  # details handed to the OMS per page
PRODUCT_PAGE = 50  # retail/list items per call
MAX_PRODUCT_PAGES = 2000


class MeituanAdapter:
    profile = PROFILE
    webhooks = (MeituanReceiver(),)
    rate_limit_codes = frozenset({ErrorCode.RATE_LIMITED})
    credential_codes = frozenset({ErrorCode.BAD_APP_ID, ErrorCode.BAD_SIG})

    def client(
        self, shop: ShopKeys, *, on_token: TokenSaver | None = None, retry: RetryPolicy | None = None
    ) -> MeituanClient:
        c = shop.credentials
        return MeituanClient(
            shop.app_key,
            shop.secret,
            base_url=c.get("base_url") or BASE_URL,
            access_token=c.get("isv_access_token") or None,
            shop=shop.platform_shop_id,
            retry=retry,
        )

    def credentials_fingerprint(self, shop: ShopKeys) -> tuple:
        c = shop.credentials
        return (shop.app_key, shop.secret, c.get("base_url"), c.get("isv_access_token"))

    def parse_push(self, kind: str, body: str):
        return parse_push(kind, body)

    def map_order(self, raw: dict) -> PlatformOrder:
        return mapping.order_from_detail(raw)

    async def fetch_order(self, client: MeituanClient, order_id: str) -> dict:
        return await client.get_order_detail(order_id)

    async def pull(
        self, client: MeituanClient, shop: ShopKeys, window: PullWindow, lookups: PullLookups
    ) -> AsyncIterator[PullPage]:
        """Meituan has no "orders updated since": getOrderDaySeq says how many orders the shop
        got today and getOrderIdByDaySeq + getOrderDetail fetch each number we lack (a dropped
        paid push); a sweep also re-reads orders still in fulfilment (dropped status pushes).
        A manual pull re-reads every order of the chosen days."""
        poi = shop.platform_shop_id
        today = datetime.now(UTC).astimezone(SHANGHAI).date()
        fetched: set[str] = set()
        page = PullPage([], 0)
        for midnight in _days(window.start, window.end):
            date = int(midnight.strftime("%Y%m%d"))
            known = await lookups.known_day_seqs(midnight, midnight + timedelta(days=1))
            top = await client.get_order_day_seq(poi) if midnight.date() == today else None
            page.requests += 1
            seq = 0
            while True:
                seq += 1
                if top is not None and seq > top:
                    break
                if window.sweep and seq in known:
                    continue
                try:
                    order_id = await client.get_order_id_by_day_seq(poi, date, seq)
                except PlatformError as exc:
                    if exc.code == str(ErrorCode.NO_SUCH_ORDER):
                        if top is None and seq > max(known, default=0):
                            break  # past the day's last order
                        continue
                    raise
                page.orders.append(await client.get_order_detail(order_id))
                page.requests += 2
                fetched.add(str(order_id))
                if len(page.orders) >= PAGE_ORDERS:
                    yield page
                    page = PullPage([], 0)
        if window.sweep:
            open_ids = [
                i
                for i in await lookups.open_order_ids(datetime.now(UTC) - OPEN_LOOKBACK, OPEN_LIMIT)
                if i not in fetched
            ]
            gate = asyncio.Semaphore(DETAIL_CONCURRENCY)

            async def detail(order_id: str):
                async with gate:
                    return await client.get_order_detail(order_id)

            results = await asyncio.gather(*(detail(i) for i in open_ids), return_exceptions=True)
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors and len(errors) == len(results):
                raise errors[0]
            page.orders.extend(r for r in results if not isinstance(r, BaseException))
            page.requests += len(open_ids)
        yield page

    async def pull_products(self, client: MeituanClient, shop: ShopKeys) -> AsyncIterator[ProductPage]:
        """retail/list by offset until a short page (it gives no total)."""
        poi = shop.platform_shop_id
        for page in range(MAX_PRODUCT_PAGES):
            items = await client.retail_list(poi, page * PRODUCT_PAGE, PRODUCT_PAGE)
            yield ProductPage(mapping.skus_from_retail_list(poi, items))
            if len(items) < PRODUCT_PAGE:
                break

    async def write_back(self, client: MeituanClient, request: WriteRequest) -> None:
        check_declared(self, request)
        order_id, action = request.platform_order_id, request.action
        if action is WriteBack.ACCEPT:
            await client.confirm_order(order_id)
        elif action is WriteBack.REJECT:
            await client.cancel_order(order_id, request.reason_code or "1001", request.reason)
        elif action is WriteBack.READY:
            await client.preparation_meal_complete(order_id)
        elif action in (WriteBack.DISPATCH_SELF, WriteBack.DELIVERED):
            status = request.delivery_status or (
                DeliveryStatus.DELIVERING if action is WriteBack.DISPATCH_SELF else DeliveryStatus.DELIVERED
            )
            provider = mapping.LOGISTICS_PROVIDER.get(request.carrier, "")
            await client.logistics_sync(
                order_id,
                mapping.LOGISTICS_SYNC_CODE[status],
                courier_name=request.courier_name,
                courier_phone=request.courier_phone,
                logistics_provider_code=provider,
                third_carrier_order_id=request.tracking_no if provider else "",
                latitude=request.latitude,
                longitude=request.longitude,
            )
        elif action is WriteBack.SHIP:  # an ERP's shipment: the carrier's tracking number as the delivery
            await client.logistics_sync(
                order_id,
                DeliveryStatus.DELIVERING,
                logistics_provider_code=mapping.LOGISTICS_PROVIDER.get(request.carrier, ""),
                third_carrier_order_id=request.tracking_no,
            )
        elif action is WriteBack.REFUND_AGREE:
            await client.refund_agree(order_id, request.reason or "同意退款")
        elif action is WriteBack.REFUND_REJECT:
            await client.refund_reject(order_id, request.reason, request.reason_code)
        elif action is WriteBack.RETURN_AGREE:
            await client.review_after_sales(order_id, REVIEW_AGREE_RETURN)
        elif action is WriteBack.RECEIPT_CONFIRM:
            await client.review_after_sales(order_id, REVIEW_CONFIRM_RECEIPT)
        elif action is WriteBack.PARTIAL_REFUND:
            foods = [{"app_food_code": i, "sku_id": s, "count": q} for i, s, q in request.refund_lines]
            await client.apply_part_refund(order_id, request.reason or "缺货", foods)
        elif action is WriteBack.STOCK_UPDATE:
            foods: dict[str, list[dict]] = {}
            for item_id, sku_id, quantity in request.stock:
                foods.setdefault(item_id, []).append({"sku_id": sku_id, "stock": str(quantity)})
            if foods:
                await client.sku_stock(client.shop, _food_data(foods))
            for pairs, on_sale in ((request.sold_out, False), (request.on_sale, True)):
                if pairs:
                    await client.sell_status(client.shop, _food_data(_by_item(pairs)), on_sale=on_sale)

    async def fetch_refunds(self, client: MeituanClient, order_id: str) -> list[PlatformRefund]:
        """The order detail shows a refunded order as cancelled: ask the refund query instead."""
        return refunds_from_detail(client.shop or "", order_id, await client.refund_detail(order_id))

    async def check_connection(self, client: MeituanClient, shop: ShopKeys) -> tuple[str, dict]:
        items = await client.retail_list(shop.platform_shop_id, 0, 1)
        return "shops.test.ok_products", {"n": len(items)}

    def sign(self, secret: str, *, params: dict | None, body: bytes | None, url: str | None) -> tuple[str, str]:
        if params is None:
            raise ValueError("美团 signs parameters: pass --params (and --url)")
        target = url or BASE_URL
        return meituan_sig(target, params, secret), canonical_string(target, params, secret)

    def twin(self):
        from integrations.meituan.twin import TWIN

        return TWIN


def _by_item(pairs) -> dict[str, list[dict]]:
    foods: dict[str, list[dict]] = {}
    for item_id, sku_id in pairs:
        foods.setdefault(item_id, []).append({"sku_id": sku_id})
    return foods


def _food_data(foods: dict[str, list[dict]]) -> list[dict]:
    return [{"app_food_code": item, "skus": skus} for item, skus in foods.items()]


def _days(start: datetime, end: datetime) -> list[datetime]:
    """Shanghai midnights of every day touched by [start, end]."""
    day = start.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    last = end.astimezone(SHANGHAI)
    days = []
    while day <= last:
        days.append(day)
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)  # DST-proof step
    return days


ADAPTER = MeituanAdapter()
