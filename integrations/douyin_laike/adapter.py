"""抖音来客 on the platform contract. It has no reject and no "packed" call: those are not
declared, so the board does not offer them as platform actions and says where they are done."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from integrations.base import RetryPolicy, Token
from integrations.contract import (
    ProductPage,
    PullLookups,
    PullPage,
    PullWindow,
    ShopKeys,
    TokenSaver,
    Unsupported,
    WriteRequest,
    check_declared,
)
from integrations.douyin_laike import mapping, spec
from integrations.douyin_laike.client import DouyinLaikeClient
from integrations.douyin_laike.receiver import DouyinReceiver, parse_push
from integrations.douyin_laike.webhook import douyin_signature
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.domain.platform_order import DeliveryStatus, PlatformOrder, PlatformRefund

log = logging.getLogger("integrations.douyin_laike")

PROFILE = PlatformProfile(
    code="douyin_laike",
    name_zh="抖音来客",
    name_en="Douyin Laike",
    write_backs=frozenset(
        {
            WriteBack.ACCEPT,
            WriteBack.DISPATCH_SELF,
            WriteBack.DELIVERED,
            WriteBack.SHIP,
            WriteBack.REFUND_AGREE,
            WriteBack.REFUND_REJECT,
            WriteBack.STOCK_UPDATE,
        }
    ),
    refund_reject_reasons=spec.REFUND_REJECT_REASONS,
    elsewhere_zh="拒单请在抖音来客商家后台操作",
    elsewhere_en="Reject in the Douyin Laike merchant console",
    products_pullable=True,
)
MAX_PAGES = 500


class PersistingDouyinClient(DouyinLaikeClient):
    """Starts from the stored token and saves every new one (encrypted, by the worker), so
    restarts and other workers reuse it."""

    def __init__(
        self, *args, stored: Token | None = None, shop_id: int = 0, on_token: TokenSaver | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self._stored = stored
        self._shop_id = shop_id
        self._on_token = on_token

    async def _fetch_token(self) -> Token:
        stored, self._stored = self._stored, None
        if stored is not None and self._clock() < stored.expires_at - 300:
            return stored
        token = await super()._fetch_token()
        if self._on_token is not None:
            try:
                await self._on_token(self._shop_id, token)
            except Exception:  # persisting is an optimisation; the token still works
                log.exception("could not save the new token of shop %s", self._shop_id)
        return token


class DouyinLaikeAdapter:
    profile = PROFILE
    webhooks = (DouyinReceiver(),)
    rate_limit_codes = frozenset({spec.ErrorCode.BUSY})
    credential_codes = frozenset(
        {
            *spec.TOKEN_ERROR_CODES,
            spec.ErrorCode.NO_PERMISSION,
            spec.TokenErrorCode.NO_CLIENT_KEY,
            spec.TokenErrorCode.BAD_SECRET,
        }
    )

    def client(
        self, shop: ShopKeys, *, on_token: TokenSaver | None = None, retry: RetryPolicy | None = None
    ) -> PersistingDouyinClient:
        c = shop.credentials
        stored = None
        if c.get("access_token") and c.get("access_token_expires"):
            stored = Token(str(c["access_token"]), float(c["access_token_expires"]))
        return PersistingDouyinClient(
            shop.app_key,
            shop.secret,
            shop.platform_shop_id,
            base_url=c.get("base_url") or spec.BASE_URL,
            retry=retry,
            stored=stored,
            shop_id=shop.id,
            on_token=on_token,
        )

    def credentials_fingerprint(self, shop: ShopKeys) -> tuple:
        c = shop.credentials
        return (shop.app_key, shop.secret, c.get("base_url"), c.get("access_token"))

    def parse_push(self, kind: str, body: str):
        return parse_push(kind, body)

    def map_order(self, raw: dict) -> PlatformOrder:
        return mapping.order_from_query(raw)

    async def fetch_order(self, client: DouyinLaikeClient, order_id: str) -> dict:
        return await client.get_order_raw(order_id)

    async def pull(
        self, client: DouyinLaikeClient, shop: ShopKeys, window: PullWindow, lookups: PullLookups
    ) -> AsyncIterator[PullPage]:
        """trade/order/query by update time over the window, page by page."""
        await client.tokens.get()  # refreshes (and saves) the token before it expires
        for page_num in range(1, MAX_PAGES + 1):
            page = await client.query_orders(
                page_num=page_num,
                page_size=spec.MAX_PAGE_SIZE,
                update_time_start=window.start,
                update_time_end=window.end,
            )
            yield PullPage(list(page.orders), 1)
            if not page.orders or page_num * page.page_size >= page.total:
                break

    async def pull_products(self, client: DouyinLaikeClient, shop: ShopKeys) -> AsyncIterator[ProductPage]:
        """The product list by cursor until `has_more` is false."""
        cursor = ""
        for _ in range(MAX_PAGES):
            page = await client.query_products(cursor=cursor)
            yield ProductPage(mapping.skus_from_products(shop.platform_shop_id, page["products"]), 1, page["total"])
            cursor = page["next_cursor"]
            if not page["has_more"] or not cursor:
                break

    async def write_back(self, client: DouyinLaikeClient, request: WriteRequest) -> None:
        check_declared(self, request)
        order_id, action = request.platform_order_id, request.action
        if action is WriteBack.ACCEPT:
            await client.merchant_confirm_order(order_id)
        elif action in (WriteBack.DISPATCH_SELF, WriteBack.DELIVERED):
            status = request.delivery_status or (
                DeliveryStatus.DELIVERING if action is WriteBack.DISPATCH_SELF else DeliveryStatus.DELIVERED
            )
            if status not in spec.DELIVERY_BEHAVIOR:
                return  # 来客 has no code for it (待接单, 异常): nothing to tell
            await client.sync_delivery_status(
                order_id, status, rider_name=request.courier_name, rider_phone=request.courier_phone
            )
        elif action is WriteBack.SHIP:  # an ERP's shipment: delivering, by the carrier, with its number
            await client.sync_delivery_status(
                order_id,
                DeliveryStatus.DELIVERING,
                rider_name=f"{request.carrier} {request.tracking_no}",
                three_source=request.carrier,
            )
        elif action is WriteBack.REFUND_AGREE:
            await client.refund_agree(request.refund_id or order_id)
        elif action is WriteBack.REFUND_REJECT:
            codes = [int(request.reason_code)] if request.reason_code.isdigit() else [1]
            await client.refund_reject(request.refund_id or order_id, request.reason, codes)
        elif action is WriteBack.STOCK_UPDATE and request.stock:
            await client.sync_stock(request.stock)  # zero is 售罄 there: no sell-status call

    async def fetch_refunds(self, client: DouyinLaikeClient, order_id: str) -> list[PlatformRefund]:
        """No after-sale query is published for Laike takeout (platform-apis.md §3): its
        after-sale pushes and the order query's status are all there is."""
        raise Unsupported(PROFILE.code, "refund query")

    async def check_connection(self, client: DouyinLaikeClient, shop: ShopKeys) -> tuple[str, dict]:
        page = await client.query_orders(page_num=1, page_size=1)
        return "shops.test.ok_orders", {"n": getattr(page, "total", "?")}

    def sign(self, secret: str, *, params: dict | None, body: bytes | None, url: str | None) -> tuple[str, str]:
        if body is None:
            raise ValueError("抖音来客 signs the raw body: pass --body (or --params)")
        return douyin_signature(secret, body), "<secret>" + body.decode("utf-8", "replace")

    def twin(self):
        from integrations.douyin_laike.twin import TWIN

        return TWIN


ADAPTER = DouyinLaikeAdapter()
