"""聚水潭 as an ERP kind: connection fields, 测试连接, and the adapter the outbox relay calls.

Orders go up by so_id (JST upserts: the same so_id again returns the same o_id), cancels go by the
o_ids JST gave the so_id, shipments are polled from the order query (status Sent) in ≤7-day
windows; orders JST made for a 补发 / 换货 after-sale (as_id set) come back as after-sale results.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy
from integrations.erp_base import CodeWords, check_by_call, local_text, require_keys, shaped
from integrations.erp_contract import AfterSaleResult, ErpField, ErpKeys, Shipment
from integrations.jushuitan import mapping
from integrations.jushuitan.client import JstClient
from integrations.jushuitan.sign import jst_sign
from integrations.jushuitan.spec import (
    BAD_SIGN,
    BAD_TIMESTAMP,
    BAD_TOKEN,
    CANCEL_BY_OID,
    DEFAULT_URL,
    ERP,
    IP_DENIED,
    MAX_CANCEL_OIDS,
    MAX_LOOKBACK_DAYS,
    MAX_WINDOW_DAYS,
    NO_PERMISSION,
    ORDERS_PAGE,
    QUERY_ORDERS,
    QUERY_SHOPS,
    RATE_LIMIT_CODES,
    TOKEN_TTL,
    UPLOAD_AFTERSALE,
    UPLOAD_ORDERS,
)

KEYS = ("app_key", "app_secret", "access_token", "shop_id")
WORDS = CodeWords(
    credentials=frozenset({str(BAD_SIGN), str(BAD_TOKEN)}),
    ip=frozenset({str(IP_DENIED)}),
    permission=frozenset({str(NO_PERMISSION)}),
    clock=frozenset({str(BAD_TIMESTAMP)}),
    rate=RATE_LIMIT_CODES,
)


class JstAdapter:
    code, name_zh, name_en = ERP, "聚水潭", "Jushuitan"

    def __init__(self, conn: ErpKeys, http: httpx.AsyncClient | None = None, retry: RetryPolicy | None = None):
        keys = require_keys(ERP, conn.keys, KEYS)
        self.shop_id = keys["shop_id"]
        self.client = JstClient(
            keys["app_key"], keys["app_secret"], keys["access_token"],
            base_url=conn.base_url or DEFAULT_URL, http=http, retry=retry,
        )  # fmt: skip

    @staticmethod
    def _first(data: Any) -> dict[str, Any]:
        rows = (data or {}).get("datas") or []
        if not rows:
            raise PlatformError(ERP, "bad_response", "no datas in the answer")
        row = rows[0]
        if not row.get("issuccess"):
            raise PlatformError(ERP, "rejected", str(row.get("msg") or "rejected"))
        return row

    async def push_order(self, order: Mapping[str, Any], *, idempotency_key: str) -> str:
        data = await self.client.call(UPLOAD_ORDERS, [shaped(ERP, mapping.order_biz, order, self.shop_id)])
        return str(self._first(data)["o_id"])

    async def find_orders(self, so_id: str) -> list[dict[str, Any]]:
        biz = {"so_ids": [so_id], "shop_id": mapping._shop(self.shop_id), "page_index": 1, "page_size": 20}
        data = await self.client.call(QUERY_ORDERS, biz)
        return list((data or {}).get("orders") or [])

    async def cancel_order(
        self, order_ref: str, *, reason: str, idempotency_key: str, order: Mapping[str, Any] | None = None
    ) -> None:
        found = [o for o in await self.find_orders(order_ref) if not o.get("as_id")]  # not its 补发 orders
        if not found:
            raise PlatformError(ERP, "not_found", f"聚水潭没有订单 {order_ref}")
        if any(o.get("status") == "Sent" for o in found):
            raise PlatformError(ERP, "shipped", f"订单 {order_ref} 已发货，不能取消")
        o_ids = [int(o["o_id"]) for o in found if o.get("status") != "Cancelled"]
        for start in range(0, len(o_ids), MAX_CANCEL_OIDS):  # already cancelled: nothing to send
            chunk = o_ids[start : start + MAX_CANCEL_OIDS]
            await self.client.call(CANCEL_BY_OID, {"o_ids": chunk, "cancel_type": "其他", "remark": reason[:200]})

    async def push_after_sale(self, after_sale: Mapping[str, Any], *, idempotency_key: str) -> str:
        data = await self.client.call(UPLOAD_AFTERSALE, [shaped(ERP, mapping.after_sale_biz, after_sale, self.shop_id)])
        return str(self._first(data)["as_id"])

    async def fetch_shipments(self, since: datetime, until: datetime | None = None) -> list[Shipment]:
        """Every parcel of our orders sent since `since` (a split so_id gives several). Orders JST
        made for a 补发 / 换货 carry the same so_id: they are after-sale results, not shipments."""
        rows = await self._sent(since, until)
        return [s for s in map(mapping.shipment_of, rows) if s and not mapping.spawned_by_after_sale(rows, s)]

    async def fetch_after_sale_results(self, since: datetime, until: datetime | None = None) -> list[AfterSaleResult]:
        """The replacement parcels of 补发 / 换货 after-sales (by the as_id push_after_sale returned)."""
        return [r for r in map(mapping.after_sale_result_of, await self._sent(since, until)) if r]

    async def _sent(self, since: datetime, until: datetime | None) -> list[dict[str, Any]]:
        """Sent orders modified in [since, until], window by window (≤7 days each), page by page."""
        # JST's times are whole seconds: round the end up so this second's parcels are inside
        until = until or (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0)
        rows: list[dict[str, Any]] = []
        begin = max(since, until - timedelta(days=MAX_LOOKBACK_DAYS))
        while begin < until:
            end = min(until, begin + timedelta(days=MAX_WINDOW_DAYS))
            page = 1
            while True:
                biz = {
                    "shop_id": mapping._shop(self.shop_id),
                    "modified_begin": local_text(begin),
                    "modified_end": local_text(end),
                    "status": "Sent",
                    "page_index": page,
                    "page_size": ORDERS_PAGE,
                }
                data = await self.client.call(QUERY_ORDERS, biz) or {}
                rows += data.get("orders") or []
                if not data.get("has_next"):
                    break
                page += 1
            begin = end
        return rows

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> bool:
        return False  # JST does not call us: shipments are polled

    def parse_callback(self, body: bytes) -> list[Shipment | AfterSaleResult]:
        return []


class JstKind:
    code, name_zh, name_en = ERP, "聚水潭", "Jushuitan"
    fields = (
        ErpField("app_key", "AppKey", "App key", hint_zh="聚水潭开放平台应用的 app_key", hint_en="Your JST open-platform app key"),
        ErpField("app_secret", "AppSecret", "App secret", secret=True),
        ErpField("access_token", "访问令牌", "Access token", secret=True, hint_zh="自研应用 getInitToken 所得，30 天有效", hint_en="From getInitToken; valid 30 days"),
        ErpField("refresh_token", "刷新令牌", "Refresh token", secret=True, required=False, hint_zh="用于到期前换新访问令牌", hint_en="Renews the access token before it expires"),
        ErpField("shop_id", "店铺编号", "Shop number", hint_zh="聚水潭里“自有商城”店铺的编号", hint_en="The number of the self-run shop in JST"),
    )  # fmt: skip
    default_url = DEFAULT_URL
    events = frozenset({"order", "cancel", "after_sale"})
    polls_shipments = True
    rate_limit_codes = RATE_LIMIT_CODES

    def connect(self, conn: ErpKeys, http: Any = None, retry: RetryPolicy | None = None) -> JstAdapter:
        return JstAdapter(conn, http, retry)

    async def check_connection(self, conn: ErpKeys, http: Any = None) -> tuple[str, dict[str, Any]]:
        shops: list[str] = []

        async def call() -> Any:
            adapter = JstAdapter(conn, http, RetryPolicy(max_attempts=1, attempt_timeout=8, total_timeout=8))
            data = await adapter.client.call(QUERY_SHOPS, {"page_index": 1, "page_size": 100})
            shops.extend(str(s.get("shop_id")) for s in (data or {}).get("datas") or [])

        answer = await check_by_call(self.name_zh, call, WORDS)
        shop = str(conn.keys.get("shop_id") or "").strip()
        if answer[0] == "erp_check.ok" and shop not in shops:  # the keys work, the shop number does not
            return "erp_check.shop_unknown", {"shop": shop}
        return answer

    async def ack_shipments(self, conn: ErpKeys, shipments: list[Shipment]) -> None:
        return None  # the logistic query is a plain read: nothing to confirm

    async def refresh_token(self, conn: ErpKeys, http: Any = None) -> dict[str, str]:
        """New access_token / refresh_token (and when it expires, unix seconds) for the connection
        to save: the access token lives 30 days; refresh it well before (code 100 = expired)."""
        keys = require_keys(ERP, conn.keys, ("app_key", "app_secret", "refresh_token"))
        client = JstClient(keys["app_key"], keys["app_secret"], "", base_url=conn.base_url or DEFAULT_URL, http=http)
        data = await client.refresh(keys["refresh_token"]) or {}
        if not data.get("access_token"):
            raise PlatformError(ERP, "bad_response", "no access_token in the answer")
        expires_at = int(time.time()) + int(data.get("expires_in") or TOKEN_TTL)
        return {
            "access_token": str(data["access_token"]),
            "refresh_token": str(data.get("refresh_token") or keys["refresh_token"]),
            "expires_at": str(expires_at),
        }

    def sign(self, secret: str, params: Mapping[str, Any]) -> str:
        return jst_sign(secret, params)

    def twin(self):
        from integrations.jushuitan.twin import TWIN  # the sandbox is only loaded when asked for

        return TWIN


KIND = JstKind()
