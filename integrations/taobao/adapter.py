"""淘宝天猫 on the platform contract: no accept step (a paid trade is ready to ship), per-line
shipping (sub_tid), refunds agreed / refused / returns agreed, memo flags, stock, 菜鸟电子面单,
OAuth sessions and the TMC message stream."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

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
from integrations.ecommerce_contract import RefundPage
from integrations.taobao import mapping, pulls, spec
from integrations.taobao.client import TaobaoClient
from integrations.taobao.oauth import OAUTH
from integrations.taobao.sign import top_sign
from integrations.taobao.spec import Method
from integrations.taobao.tmc import STREAM, parse_push
from integrations.taobao.waybill import WAYBILLS
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.domain.platform_order import PlatformOrder, PlatformRefund

log = logging.getLogger("integrations.taobao")

PROFILE = PlatformProfile(
    code=spec.PLATFORM,
    name_zh="淘宝天猫",
    name_en="Taobao / Tmall",
    write_backs=frozenset(
        {
            WriteBack.SHIP,
            WriteBack.REFUND_AGREE,
            WriteBack.REFUND_REJECT,
            WriteBack.RETURN_AGREE,
            WriteBack.RECEIPT_CONFIRM,
            WriteBack.MEMO,
            WriteBack.STOCK_UPDATE,
        }
    ),
    instant_retail=False,
    pullable=True,
    products_pullable=True,
    refund_reject_reasons=spec.REFUND_REJECT_REASONS,
    authorizes=True,
    streams=True,
    refunds_pullable=True,
    splits_shipments=True,
    waybill_carriers=spec.WAYBILL_CARRIERS,
    memo_flags=spec.MEMO_FLAGS,
    elsewhere_zh="淘宝没有拒单：无法发货请与买家协商，由买家申请退款",
    elsewhere_en="Taobao has no order rejection: agree with the buyer and let them ask for a refund",
)
# action → (refund statuses it acts on, statuses that mean it was already done)
DECISIONS: dict[WriteBack, tuple[frozenset[str], frozenset[str]]] = {
    WriteBack.REFUND_AGREE: (
        frozenset({"WAIT_SELLER_AGREE", "WAIT_SELLER_CONFIRM_GOODS"}),
        frozenset({"SUCCESS", "WAIT_BUYER_RETURN_GOODS"}),
    ),
    WriteBack.REFUND_REJECT: (frozenset({"WAIT_SELLER_AGREE"}), frozenset({"SELLER_REFUSE_BUYER"})),
    WriteBack.RETURN_AGREE: (
        frozenset({"WAIT_SELLER_AGREE"}),
        frozenset({"WAIT_BUYER_RETURN_GOODS", "WAIT_SELLER_CONFIRM_GOODS", "SUCCESS"}),
    ),
    WriteBack.RECEIPT_CONFIRM: (
        frozenset({"WAIT_SELLER_CONFIRM_GOODS", "WAIT_BUYER_RETURN_GOODS"}),
        frozenset({"SUCCESS"}),
    ),
}
ITEM_PAGE_SIZE = 100
MAX_PAGES = 500


class TaobaoRefundPull:
    async def pull(self, client: TaobaoClient, shop: ShopKeys, window: PullWindow) -> AsyncIterator[RefundPage]:
        for start, end in pulls.slices(window.start, window.end):
            async for rows, requests in pulls.refunds_in_window(client, start, end):
                yield RefundPage([mapping.refund_from_wire(r, shop.platform_shop_id) for r in rows], requests)


class TaobaoAdapter:
    profile = PROFILE
    webhooks = ()  # TMC is a stream the workers consume (adapter.stream), not a webhook
    rate_limit_codes = spec.RATE_LIMIT_CODES
    credential_codes = spec.CREDENTIAL_CODES
    oauth = OAUTH
    stream = STREAM
    refund_pull = TaobaoRefundPull()
    waybills = WAYBILLS

    def client(
        self, shop: ShopKeys, *, on_token: TokenSaver | None = None, retry: RetryPolicy | None = None
    ) -> TaobaoClient:
        c = shop.credentials

        async def refresher() -> tuple[str, float]:
            grant = await OAUTH.refresh(shop)
            expires = grant.expires_at.timestamp()
            if on_token is not None:
                try:
                    await on_token(shop.id, grant.token())
                except Exception:  # saving is an optimisation; the new session still works
                    log.exception("could not save the new session of shop %s", shop.id)
            return grant.access_token, expires

        return TaobaoClient(
            shop.app_key,
            shop.secret,
            session=str(c.get("access_token") or ""),
            session_expires=float(c.get("access_token_expires") or 0),
            nick=shop.platform_shop_id,
            base_url=c.get("base_url") or spec.GATEWAY,
            retry=retry,
            sign_method=str(c.get("sign_method") or spec.DEFAULT_SIGN_METHOD),
            refresher=refresher if c.get("refresh_token") else None,
            decrypt=bool(c.get("decrypt")),
        )

    def credentials_fingerprint(self, shop: ShopKeys) -> tuple:
        c = shop.credentials
        return (shop.app_key, shop.secret, c.get("base_url"), c.get("access_token"), c.get("decrypt"))

    def parse_push(self, kind: str, body: str):
        return parse_push(kind, body)

    def map_order(self, raw: dict) -> PlatformOrder:
        return mapping.order_from_trade(raw)

    async def fetch_order(self, client: TaobaoClient, order_id: str) -> dict:
        data = await client.call(Method.TRADE_FULLINFO, {"tid": order_id, "fields": spec.TRADE_FIELDS})
        trade = data.get("trade")
        if not isinstance(trade, dict):
            raise PlatformError(spec.PLATFORM, "bad_response", f"no trade {order_id}")
        await pulls.decrypt_receivers(client, [trade])
        return trade

    async def pull(
        self, client: TaobaoClient, shop: ShopKeys, window: PullWindow, lookups: PullLookups
    ) -> AsyncIterator[PullPage]:
        """trades.sold.increment.get over ≤ 1-day slices, each read from its last page back."""
        for start, end in pulls.slices(window.start, window.end):
            async for trades, requests in pulls.trades_in_window(client, start, end):
                requests += await pulls.decrypt_receivers(client, trades)
                yield PullPage(trades, requests)

    async def pull_products(self, client: TaobaoClient, shop: ShopKeys) -> AsyncIterator[ProductPage]:
        """items.onsale.get for the list, item.seller.get per item for its SKUs."""
        for page_no in range(1, MAX_PAGES + 1):
            data = await client.call(
                Method.ITEMS_ONSALE,
                {"fields": "num_iid,title,num,outer_id", "page_no": page_no, "page_size": ITEM_PAGE_SIZE},
            )
            items = mapping.listed(data.get("items"), "item")
            skus = []
            for item in items:
                detail = await client.call(
                    Method.ITEM_SELLER_GET,
                    {"num_iid": item["num_iid"], "fields": "num_iid,title,price,num,outer_id,barcode,sku"},
                )
                skus.extend(mapping.skus_from_item(shop.platform_shop_id, detail.get("item") or {}))
            yield ProductPage(skus, 1 + len(items), None)
            if page_no * ITEM_PAGE_SIZE >= int(data.get("total_results") or 0) or not items:
                break

    async def write_back(self, client: TaobaoClient, request: WriteRequest) -> None:
        check_declared(self, request)
        tid, action = request.platform_order_id, request.action
        if action is WriteBack.SHIP:
            await self._ship(client, request)
        elif action in DECISIONS:
            await self._decide(client, request)
        elif action is WriteBack.MEMO:
            params = {"tid": tid, "memo": request.memo}
            if request.flag:
                if request.flag not in spec.MEMO_FLAGS:
                    raise PlatformError(spec.PLATFORM, "41", f"memo flag {request.flag!r} is not 0-5")
                params["flag"] = request.flag
            await client.call(Method.MEMO_UPDATE, params)
        elif action is WriteBack.STOCK_UPDATE:
            for item_id, sku_id, quantity in request.stock:
                params = {"num_iid": item_id, "quantity": max(0, quantity), "type": 1}
                if sku_id:
                    params["sku_id"] = sku_id
                await client.call(Method.QUANTITY_UPDATE, params)

    async def _ship(self, client: TaobaoClient, request: WriteRequest) -> None:
        """A retried send whose first answer was lost finds the lines shipped: fine when they
        carry this very tracking number (the outbox's effect happened once)."""
        params = ship_params(request)
        try:
            await client.call(Method.OFFLINE_SEND, params)
        except PlatformError as exc:
            if "logistics-repeat-send" not in exc.message:
                raise
            trade = (await client.call(Method.TRADE_FULLINFO, {"tid": params["tid"], "fields": "tid,orders"})).get(
                "trade"
            )
            lines = mapping.listed((trade or {}).get("orders"), "order")
            mine = [
                o for o in lines if not request.line_ids or str(o.get("oid_str") or o.get("oid")) in request.line_ids
            ]
            if not mine or any(str(o.get("invoice_no") or "") != request.tracking_no for o in mine):
                raise

    async def _decide(self, client: TaobaoClient, request: WriteRequest) -> None:
        """Agree / refuse / agree the return / pay after the goods came back. The refund is read
        first: its version and phase go with the decision, and a retry whose first answer was
        lost finds the decision already made (done, nothing sent again)."""
        waiting, done = DECISIONS[request.action]
        refund = await self._refund(client, request, waiting | done)
        status = str(refund.get("status") or "")
        if status in done:
            return
        if status not in waiting:
            raise PlatformError(spec.PLATFORM, "15", f"refund {refund.get('refund_id')} is {status}: cannot decide")
        phase, version = refund.get("refund_phase", "onsale"), refund.get("refund_version", "")
        if request.action is WriteBack.REFUND_REJECT:
            reason_id = request.reason_code or next(iter(spec.REFUND_REJECT_REASONS))
            message = request.reason or spec.REFUND_REJECT_REASONS.get(reason_id, ("", ""))[0]
            params = {"refuse_message": message, "refuse_reason_id": reason_id}
            await client.call(
                Method.REFUND_REFUSE,
                {"refund_id": refund["refund_id"], **params, "refund_phase": phase, "refund_version": version},
            )
        elif request.action is WriteBack.RETURN_AGREE:
            await client.call(Method.RETURN_AGREE, {"refund_id": refund["refund_id"], "refund_phase": phase})
        else:  # REFUND_AGREE / RECEIPT_CONFIRM: the money goes back (amount in fen on this API)
            amount = request.amount_fen or mapping.wire_yuan_to_fen(refund.get("refund_fee"))
            await client.call(
                Method.REFUND_AGREE, {"refund_infos": f"{refund['refund_id']}|{amount}|{version}|{phase}"}
            )

    async def _refund(self, client: TaobaoClient, request: WriteRequest, statuses: frozenset[str]) -> dict:
        """The refund by id, else the order's refund in one of `statuses`."""
        if request.refund_id:
            data = await client.call(Method.REFUND_GET, {"refund_id": request.refund_id, "fields": pulls.REFUND_FIELDS})
            return data.get("refund") or {}
        for refund in await self._raw_refunds(client, request.platform_order_id):
            if refund.get("status") in statuses:
                return refund
        raise PlatformError(spec.PLATFORM, "15", f"no refund to decide on trade {request.platform_order_id}")

    async def _raw_refunds(self, client: TaobaoClient, order_id: str) -> list[dict]:
        trade = (await client.call(Method.TRADE_FULLINFO, {"tid": order_id, "fields": "tid,orders"})).get("trade") or {}
        ids = {str(o.get("refund_id")) for o in mapping.listed(trade.get("orders"), "order") if o.get("refund_id")}
        found = []
        for refund_id in sorted(ids):
            data = await client.call(Method.REFUND_GET, {"refund_id": refund_id, "fields": pulls.REFUND_FIELDS})
            found.append(data.get("refund") or {})
        return found

    async def fetch_refunds(self, client: TaobaoClient, order_id: str) -> list[PlatformRefund]:
        return [mapping.refund_from_wire(r, client.nick) for r in await self._raw_refunds(client, order_id)]

    async def check_connection(self, client: TaobaoClient, shop: ShopKeys) -> tuple[str, dict]:
        """One cheap read that needs the seller's session: a sample of the items on sale."""
        data = await client.call(Method.ITEMS_ONSALE, {"fields": "num_iid", "page_no": 1, "page_size": 10})
        return "shops.test.ok_products", {"n": len(mapping.listed(data.get("items"), "item"))}

    def sign(self, secret: str, *, params: dict | None, body: bytes | None, url: str | None) -> tuple[str, str]:
        """TOP signs the parameters (sign_method among them); a body given with --params is the
        same parameters again and is not appended."""
        if params is None:
            raise ValueError("淘宝 signs the request parameters: pass --params (and --sign-method)")
        return top_sign(secret, params)

    def twin(self):
        from integrations.taobao.twin import TWIN

        return TWIN


def ship_params(request: WriteRequest) -> dict:
    """Our carrier code → TOP's company code; `line_ids` ship part of the trade (sub_tid)."""
    company = spec.COMPANY_CODE.get(request.carrier.upper(), "")
    if not company or not request.tracking_no:
        raise PlatformError(spec.PLATFORM, "41", f"carrier {request.carrier!r} / tracking number missing or unknown")
    params: dict = {"tid": request.platform_order_id, "out_sid": request.tracking_no, "company_code": company}
    if request.line_ids:
        params.update(sub_tid=",".join(request.line_ids), is_split=1)
    return params


ADAPTER = TaobaoAdapter()
