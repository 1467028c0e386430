"""拼多多 on the platform contract, with OAuth, refund pull and 电子面单 (no message stream).

PDD has no accept step and no pushes here: orders come from the increment pull (≤ 30-minute
windows by update time), refunds from the after-sale increment pull.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from integrations.base import PlatformError, RetryPolicy
from integrations.contract import (
    ParsedPush,
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
from integrations.pdd import mapping, spec
from integrations.pdd.client import PddClient
from integrations.pdd.decrypt import decrypt_receivers
from integrations.pdd.oauth import PddOAuth
from integrations.pdd.paging import MAX_PAGES, backwards, slices
from integrations.pdd.refunds import PddRefundPull, order_refunds
from integrations.pdd.sign import pdd_sign, sign_base
from integrations.pdd.waybill import PddWaybills
from qihang_app.domain.express_carriers import carrier_by_name
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.domain.platform_order import PlatformOrder, PlatformRefund, RefundStatus

PROFILE = PlatformProfile(
    code=spec.PLATFORM,
    name_zh="拼多多",
    name_en="Pinduoduo",
    write_backs=frozenset(
        {
            WriteBack.SHIP,
            WriteBack.REFUND_AGREE,
            WriteBack.REFUND_REJECT,
            WriteBack.RETURN_AGREE,
            WriteBack.MEMO,
            WriteBack.STOCK_UPDATE,
        }
    ),
    instant_retail=False,
    pullable=True,
    products_pullable=True,
    refund_reject_reasons=spec.REFUND_REJECT_REASONS,
    authorizes=True,
    refunds_pullable=True,
    splits_shipments=False,  # pdd.logistics.online.send ships the whole order with one number
    waybill_carriers=tuple(spec.WAYBILL_WP_CODES),
    memo_flags=spec.MEMO_FLAGS,
    elsewhere_zh="拼多多无接单/拒单：取消请在拼多多商家后台处理",
    elsewhere_en="Pinduoduo has no accept/reject: cancel in the Pinduoduo merchant console",
)


class PddAdapter:
    profile = PROFILE
    webhooks = ()
    rate_limit_codes = frozenset(int(c) for c in spec.RATE_LIMIT_CODES)
    credential_codes = frozenset(
        int(c) for c in (*spec.TOKEN_CODES, spec.ErrorCode.SIGN, spec.ErrorCode.CLIENT, spec.ErrorCode.REFRESH_INVALID)
    )
    oauth = PddOAuth()
    refund_pull = PddRefundPull()
    waybills = PddWaybills()

    def client(
        self, shop: ShopKeys, *, on_token: TokenSaver | None = None, retry: RetryPolicy | None = None
    ) -> PddClient:
        c = shop.credentials
        return PddClient(
            shop.app_key,
            shop.secret,
            access_token=str(c.get("access_token") or ""),
            token_expires=float(c.get("access_token_expires") or 0),
            refresh_token=str(c.get("refresh_token") or ""),
            base_url=c.get("base_url") or spec.GATEWAY,
            mall_id=shop.platform_shop_id,
            shop_id=shop.id,
            decrypt=bool(c.get("decrypt")),
            on_token=on_token,
            retry=retry,
        )

    def credentials_fingerprint(self, shop: ShopKeys) -> tuple:
        c = shop.credentials
        return (shop.app_key, shop.secret, c.get("base_url"), c.get("access_token"), bool(c.get("decrypt")))

    def parse_push(self, kind: str, body: str) -> ParsedPush:
        return ParsedPush([], f"pdd {kind}: no pushes")  # orders and refunds are pulled

    def map_order(self, raw: dict) -> PlatformOrder:
        return mapping.order_from_wire(raw, str(raw.get("_mall_id") or ""))

    async def _annotate(self, client: PddClient, orders: list[dict]) -> list[dict]:
        for order in orders:
            order["_mall_id"] = client.mall_id
        if client.decrypt and orders:
            await decrypt_receivers(client, orders)
        return orders

    async def fetch_order(self, client: PddClient, order_id: str) -> dict:
        data = await client.call(spec.Api.ORDER_INFO, {"order_sn": order_id})
        return (await self._annotate(client, [dict(data["order_info"])]))[0]

    async def _order_rows(self, client: PddClient, lo: int, hi: int, page: int, size: int) -> tuple[list[dict], int]:
        data = await client.call(
            spec.Api.ORDER_INCREMENT,
            {
                "is_lucky_flag": spec.LUCKY_ALL,
                "order_status": spec.ALL,
                "refund_status": spec.ALL,
                "start_updated_at": lo,
                "end_updated_at": hi,
                "page": page,
                "page_size": size,
            },
        )
        return list(data.get("order_sn_list") or []), int(data.get("total_count") or 0)

    async def pull(
        self, client: PddClient, shop: ShopKeys, window: PullWindow, lookups: PullLookups
    ) -> AsyncIterator[PullPage]:
        """Orders updated in the window: 30-minute slices, each read from its last page back;
        a row seen twice (same order, same update) is passed on once."""
        seen: set[tuple[str, str]] = set()
        for lo, hi in slices(window.start, window.end):
            async for rows, requests in backwards(
                lambda a, b, p, s: self._order_rows(client, a, b, p, s), lo, hi, spec.MAX_PAGE_SIZE
            ):
                fresh = []
                for row in rows:
                    key = (str(row.get("order_sn")), str(row.get("updated_at")))
                    if key not in seen:
                        seen.add(key)
                        fresh.append(row)
                yield PullPage(await self._annotate(client, fresh), requests)

    async def pull_products(self, client: PddClient, shop: ShopKeys) -> AsyncIterator[ProductPage]:
        """pdd.goods.list.get page by page, each item's SKU prices from pdd.goods.detail.get."""
        for page in range(1, MAX_PAGES + 1):
            data = await client.call(spec.Api.GOODS_LIST, {"page": page, "page_size": spec.GOODS_PAGE_SIZE})
            goods = list(data.get("goods_list") or [])
            skus = []
            for item in goods:
                detail = await client.call(spec.Api.GOODS_DETAIL, {"goods_id": item["goods_id"]})
                skus.extend(mapping.skus_from_goods(shop.platform_shop_id, item, detail))
            total = int(data.get("total_count") or 0)
            yield ProductPage(skus, 1 + len(goods), None)
            if not goods or page * spec.GOODS_PAGE_SIZE >= total:
                break

    async def write_back(self, client: PddClient, request: WriteRequest) -> None:
        check_declared(self, request)
        order_sn, action = request.platform_order_id, request.action
        if action is WriteBack.SHIP:
            if request.line_ids:
                raise Unsupported(spec.PLATFORM, "split shipment (ships the whole order)")
            await client.call(
                spec.Api.SHIP,
                {
                    "order_sn": order_sn,
                    "logistics_id": await self._logistics_id(client, request.carrier),
                    "tracking_number": request.tracking_no,
                },
            )
        elif action in (WriteBack.REFUND_AGREE, WriteBack.REFUND_REJECT, WriteBack.RETURN_AGREE):
            after_sales_id = request.refund_id or await self._open_after_sale(client, order_sn)
            body = {"after_sales_id": after_sales_id, "order_sn": order_sn, "operate_desc": request.reason}
            if action is WriteBack.REFUND_REJECT:
                code = request.reason_code if request.reason_code in spec.REFUND_REJECT_REASONS else "5"
                await client.call(spec.Api.REFUND_REFUSE, {**body, "refuse_reason": code})
            else:
                api = spec.Api.REFUND_AGREE if action is WriteBack.REFUND_AGREE else spec.Api.RETURN_AGREE
                await client.call(api, body)
        elif action is WriteBack.MEMO:
            note: dict = {"order_sn": order_sn, "note": request.memo}
            if request.flag in spec.MEMO_FLAGS:
                note.update(tag=int(request.flag), tag_name=spec.MEMO_FLAGS[request.flag][0])
            await client.call(spec.Api.NOTE, note)
        elif action is WriteBack.STOCK_UPDATE:
            for goods_id, sku_id, quantity in request.stock:  # one SKU per call; update_type 1 = 全量
                await client.call(
                    spec.Api.STOCK,
                    {"goods_id": goods_id, "sku_id": sku_id, "quantity": int(quantity), "update_type": 1},
                )

    async def _logistics_id(self, client: PddClient, carrier: str) -> int:
        for name, logistics_id in (await client.logistics_companies()).items():
            if carrier and carrier_by_name(name).code == carrier.upper():
                return logistics_id
        raise PlatformError(spec.PLATFORM, "unknown_carrier", f"carrier {carrier!r} is not in PDD's company table")

    async def _open_after_sale(self, client: PddClient, order_sn: str) -> str:
        """The after-sale waiting for the merchant when the request did not name one."""
        for refund in await self.fetch_refunds(client, order_sn):
            if refund.status is RefundStatus.APPLIED:
                return refund.platform_refund_id
        raise PlatformError(spec.PLATFORM, str(spec.ErrorCode.BUSINESS), f"order {order_sn} has no open after-sale")

    async def fetch_refunds(self, client: PddClient, order_id: str) -> list[PlatformRefund]:
        data = await client.call(spec.Api.ORDER_INFO, {"order_sn": order_id})
        return await order_refunds(client, data["order_info"])

    async def check_connection(self, client: PddClient, shop: ShopKeys) -> tuple[str, dict]:
        data = await client.call(spec.Api.GOODS_LIST, {"page": 1, "page_size": 1})
        return "shops.test.ok_products", {"n": data.get("total_count", "?")}

    def sign(self, secret: str, *, params: dict | None, body: bytes | None, url: str | None) -> tuple[str, str]:
        if params is None:
            raise ValueError("拼多多 signs the request parameters: pass --params")
        return pdd_sign(secret, params), sign_base(secret, params)

    def twin(self):
        from integrations.pdd.twin import TWIN

        return TWIN


ADAPTER = PddAdapter()
