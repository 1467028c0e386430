"""京东 POP on the platform contract: polled orders (≤ 1 month windows, read from the last page
back), oaid decrypt where the merchant may, ship / refund / return / memo / stock write-backs,
SKU pull, OAuth, refund pull and 无界电子面单. No accept step and no push: nothing to answer."""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from integrations.base import PlatformError, RetryPolicy, Token
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
from integrations.jd import mapping, refunds, spec
from integrations.jd.client import JdClient
from integrations.jd.oauth import JdOAuth, refresh_with
from integrations.jd.sign import base_string, jd_sign, jd_time
from integrations.jd.waybill import JdWaybills
from integrations.jd.windows import split
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.domain.platform_order import PlatformOrder, PlatformRefund

log = logging.getLogger("integrations.jd")

PROFILE = PlatformProfile(
    code=spec.PLATFORM,
    name_zh="京东",
    name_en="JD.com",
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
    splits_shipments=False,  # one shipment per order; several numbers of one carrier go together
    waybill_carriers=tuple(spec.WAYBILL_PROVIDERS),
    memo_flags=spec.MEMO_FLAGS,
    elsewhere_zh="京东订单无需接单；取消订单请在京麦商家后台操作",
    elsewhere_en="JD orders need no accepting; cancel in the JD merchant console (京麦)",
)
MAX_PAGES = 500
OPERATOR = "启航OMS"


class JdAdapter:
    profile = PROFILE
    webhooks = ()
    rate_limit_codes = frozenset({int(spec.ErrorCode.RATE_LIMITED), int(spec.ErrorCode.SYSTEM_BUSY)})
    credential_codes = frozenset(
        {
            int(spec.ErrorCode.TOKEN_INVALID),
            int(spec.ErrorCode.BAD_SIGN),
            int(spec.ErrorCode.BAD_APP),
            spec.OAUTH_BAD_APP,  # a refresh refused: the seller must authorise again
            spec.OAUTH_INVALID_GRANT,
        }
    )
    oauth = JdOAuth()
    refund_pull = refunds.JdRefundPull()
    waybills = JdWaybills()

    def client(
        self, shop: ShopKeys, *, on_token: TokenSaver | None = None, retry: RetryPolicy | None = None
    ) -> JdClient:
        creds = dict(shop.credentials)  # a refresh may rotate the refresh token: keep ours current
        auth_base = str(creds.get("auth_url") or spec.OAUTH_BASE)

        async def refresher() -> Token:
            grant = await refresh_with(auth_base, shop.app_key, shop.secret, str(creds.get("refresh_token") or ""))
            if grant.refresh_token:
                creds["refresh_token"] = grant.refresh_token
            token = grant.token()
            if on_token is not None:
                try:
                    await on_token(shop.id, token)
                except Exception:  # saving is an optimisation; the token works for this client
                    log.exception("could not save the new token of shop %s", shop.id)
            return token

        return JdClient(
            shop.app_key,
            shop.secret,
            str(creds.get("access_token") or ""),
            vender_id=shop.platform_shop_id or str(creds.get("vender_id") or ""),
            base_url=str(creds.get("base_url") or spec.GATEWAY),
            retry=retry,
            refresher=refresher if creds.get("refresh_token") else None,
            decrypt=bool(creds.get("decrypt")),
            expires_at=float(creds.get("access_token_expires") or 0),
        )

    def credentials_fingerprint(self, shop: ShopKeys) -> tuple:
        c = shop.credentials
        return (shop.app_key, shop.secret, c.get("base_url"), c.get("access_token"), bool(c.get("decrypt")))

    def parse_push(self, kind: str, body: str) -> ParsedPush:
        return ParsedPush([], "jd has no push")  # orders are polled

    def map_order(self, raw: dict) -> PlatformOrder:
        return mapping.order_from_wire(raw, raw.get("_receiver"))

    async def fetch_order(self, client: JdClient, order_id: str) -> dict:
        result = await client.call(spec.Method.ORDER_GET, {"order_id": order_id, "order_state": spec.SEARCH_STATES})
        order = (result or {}).get("orderInfo")
        if not order:
            raise PlatformError(spec.PLATFORM, spec.ErrorCode.NOT_FOUND, f"order {order_id} not found")
        await self.decrypt(client, [order])
        return order

    async def decrypt(self, client: JdClient, orders: list[dict]) -> int:
        """Attach the real receiver (`_receiver`) where the merchant holds the decrypt permission.
        Returns the API calls made. Without it the masked values stay."""
        if not client.decrypt:
            return 0
        wanted = [o for o in orders if (o.get("consigneeInfo") or {}).get("oaid")]
        calls = 0
        for i in range(0, len(wanted), spec.DECRYPT_BATCH):
            batch = wanted[i : i + spec.DECRYPT_BATCH]
            infos = [{"orderId": o["orderId"], "oaid": o["consigneeInfo"]["oaid"]} for o in batch]
            request = {"orderInfos": infos, "scenesType": "1003", "appName": OPERATOR}
            try:
                result = await client.call(spec.Method.DECRYPT, {"getReceiverInfoListReqVO": request})
            except PlatformError as exc:
                if exc.code != spec.ErrorCode.NO_PERMISSION:
                    raise
                log.warning("jd vender %s: decrypt refused, receivers stay masked", client.vender_id)
                return calls + 1  # the platform took the permission away: keep the masked values
            calls += 1
            found = {str(r.get("orderId")): r for r in (result or {}).get("data") or []}
            for order in batch:
                if str(order["orderId"]) in found:
                    order["_receiver"] = found[str(order["orderId"])]
        return calls

    async def _search(self, client: JdClient, start: datetime, end: datetime, page: int) -> tuple[list[dict], int]:
        result = await client.call(
            spec.Method.ORDER_SEARCH,
            {
                "start_date": jd_time(start),
                "end_date": jd_time(end),
                "order_state": spec.SEARCH_STATES,
                "page": page,
                "page_size": spec.MAX_PAGE_SIZE,
                "dateType": spec.DATE_TYPE_MODIFIED,
                "sortType": spec.SORT_ASC,
            },
        )
        result = result or {}
        return list(result.get("orderInfoList") or []), int(result.get("orderTotal") or 0)

    def pull(
        self, client: JdClient, shop: ShopKeys, window: PullWindow, lookups: PullLookups
    ) -> AsyncIterator[PullPage]:
        return self._pull(client, window)

    async def _pull(self, client: JdClient, window: PullWindow) -> AsyncIterator[PullPage]:
        """Per ≤ 1-month window: page 1 tells the total; more pages are read from the last back to
        the first, so a row that moves out of the window while we page cannot push an unread row
        onto a page already read."""
        for start, end in split(window.start, window.end):
            orders, total = await self._search(client, start, end, 1)
            pages = max(1, math.ceil(total / spec.MAX_PAGE_SIZE))
            if pages == 1:
                yield PullPage(orders, 1 + await self.decrypt(client, orders))
                continue
            for page in range(min(pages, MAX_PAGES), 0, -1):
                orders, _ = await self._search(client, start, end, page)
                yield PullPage(orders, 1 + await self.decrypt(client, orders) + (page == 1))

    async def pull_products(self, client: JdClient, shop: ShopKeys) -> AsyncIterator[ProductPage]:
        for page in range(1, MAX_PAGES + 1):
            result = await client.call(spec.Method.SKU_LIST, {"page": page, "pageSize": spec.MAX_SKU_PAGE}) or {}
            rows = list(result.get("data") or [])
            total = int(result.get("totalItem") or 0)
            yield ProductPage(mapping.skus_from_wire(shop.platform_shop_id, rows), 1, total)
            if len(rows) < spec.MAX_SKU_PAGE or page * spec.MAX_SKU_PAGE >= total:
                break

    async def write_back(self, client: JdClient, request: WriteRequest) -> None:
        check_declared(self, request)
        order_id, action = request.platform_order_id, request.action
        if action is WriteBack.SHIP:
            await self._ship(client, request)
        elif action in (WriteBack.REFUND_AGREE, WriteBack.REFUND_REJECT):
            refund_id = request.refund_id or await self._open_refund(client, order_id, returns=False)
            agree = action is WriteBack.REFUND_AGREE
            reject_type = request.reason_code if request.reason_code in spec.REFUND_REJECT_REASONS else "5"
            business = {
                "id": refund_id,
                "status": spec.REPLY_AGREE if agree else spec.REPLY_REJECT,
                "checkUserName": OPERATOR,
                "remark": request.reason or ("同意退款" if agree else spec.REFUND_REJECT_REASONS[reject_type][0]),
            }
            if not agree:
                business["rejectType"] = int(reject_type)
            await client.call(spec.Method.REFUND_REPLY, business)
        elif action is WriteBack.RETURN_AGREE:
            service_id = request.refund_id or await self._open_refund(client, order_id, returns=True)
            await client.call(
                spec.Method.SERVICE_AUDIT,
                {
                    "buId": client.vender_id,
                    "operatePin": "qihang",
                    "operateNick": OPERATOR,
                    "serviceId": service_id,
                    "orderId": order_id,
                    "approveNotes": request.reason or "同意退货，请寄回商品",
                },
            )
        elif action is WriteBack.MEMO:
            business = {"orderId": order_id, "remark": request.memo}
            if request.flag:
                business["flag"] = request.flag
            await client.call(spec.Method.MEMO, business)
        elif action is WriteBack.STOCK_UPDATE:
            for _item, sku, quantity in request.stock:  # one SKU per call on JD
                await client.call(spec.Method.STOCK, {"skuId": sku, "stockNum": max(0, quantity)})

    async def _ship(self, client: JdClient, request: WriteRequest) -> None:
        if request.line_ids:
            raise Unsupported(spec.PLATFORM, "split shipment by line (JD ships whole orders)")
        carrier = spec.CARRIER_IDS.get(request.carrier.strip().upper(), spec.CARRIER_IDS["OTHER"])
        numbers = ",".join(n.strip() for n in request.tracking_no.replace("，", ",").split(",") if n.strip())
        await client.call(
            spec.Method.SHIP, {"orderId": request.platform_order_id, "logiCoprId": carrier, "logiNo": numbers}
        )

    async def _open_refund(self, client: JdClient, order_id: str, *, returns: bool) -> str:
        for refund in await refunds.refunds_of_order(client, client.vender_id, order_id):
            is_return = refund.kind.value == "return_goods"
            if is_return == returns and refund.status.value == "applied":
                return refund.platform_refund_id
        raise PlatformError(spec.PLATFORM, spec.ErrorCode.NOT_FOUND, f"order {order_id} has no open request")

    async def fetch_refunds(self, client: JdClient, order_id: str) -> list[PlatformRefund]:
        return await refunds.refunds_of_order(client, client.vender_id, order_id)

    async def check_connection(self, client: JdClient, shop: ShopKeys) -> tuple[str, dict]:
        end = datetime.now(UTC)
        _, total = await self._search(client, end - timedelta(days=1), end, 1)
        return "shops.test.ok_orders", {"n": total}

    def sign(self, secret: str, *, params: dict | None, body: bytes | None, url: str | None) -> tuple[str, str]:
        if params is None:
            raise ValueError("京东 signs the request parameters: pass --params (incl. 360buy_param_json)")
        return jd_sign(secret, params), base_string(secret, params)

    def twin(self):
        from integrations.jd.twin import TWIN

        return TWIN


ADAPTER = JdAdapter()
