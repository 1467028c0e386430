"""旺店通 企业版 as an ERP kind: connection fields, 测试连接, and the adapter the outbox relay calls.

Orders go by tid (WDT upserts the 原始单: new_count / chg_count), a cancel pushes the same tid
again closed (80 after payment, 90 before), shipments come from the logistics sync queue and stay
there until acknowledged (logistics_sync_ack), so every record is delivered at least once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy
from integrations.erp_base import CodeWords, check_by_call, require_keys, shaped
from integrations.erp_contract import AfterSaleResult, ErpField, ErpKeys, Shipment
from integrations.wdt import mapping
from integrations.wdt.client import WdtClient
from integrations.wdt.sign import wdt_sign
from integrations.wdt.spec import (
    BAD_AUTH,
    BAD_TIMESTAMP,
    DEFAULT_URL,
    ERP,
    MAX_ACKS,
    MAX_SYNC,
    NOT_WAITING,
    RATE_LIMIT_CODES,
    REFUND_PUSH,
    SHOP_UNKNOWN,
    SYNC_ACK,
    SYNC_QUERY,
    TRADE_PUSH,
)

KEYS = ("sid", "appkey", "appsecret", "shop_no")
WORDS = CodeWords(
    credentials=frozenset({str(BAD_AUTH), str(SHOP_UNKNOWN)}),
    clock=frozenset({str(BAD_TIMESTAMP)}),
    rate=RATE_LIMIT_CODES,
)


class WdtAdapter:
    code, name_zh, name_en = ERP, "旺店通企业版", "Wangdiantong (enterprise)"

    def __init__(self, conn: ErpKeys, http: httpx.AsyncClient | None = None, retry: RetryPolicy | None = None):
        keys = require_keys(ERP, conn.keys, KEYS)
        self.shop_no = keys["shop_no"]
        self.client = WdtClient(
            keys["sid"],
            keys["appkey"],
            keys["appsecret"],
            base_url=conn.base_url or DEFAULT_URL,
            http=http,
            retry=retry,
        )

    async def _push_trade(self, trade: dict[str, Any]) -> None:
        await self.client.call(TRADE_PUSH, {"shop_no": self.shop_no, "switch": 0, "trade_list": [trade]})

    async def push_order(self, order: Mapping[str, Any], *, idempotency_key: str) -> str:
        await self._push_trade(shaped(ERP, mapping.trade, order))
        return str(order["order_no"])  # WDT answers counts only; the tid is the document's key

    async def cancel_order(
        self, order_ref: str, *, reason: str, idempotency_key: str, order: Mapping[str, Any] | None = None
    ) -> None:
        closed = shaped(ERP, lambda: mapping.trade(order, cancelled=True)) if order is not None else None
        trade = closed or mapping.closing_trade(order_ref)
        await self._push_trade(trade)

    async def push_after_sale(self, after_sale: Mapping[str, Any], *, idempotency_key: str) -> str:
        row = shaped(ERP, mapping.refund, after_sale, self.shop_no)
        await self.client.call(REFUND_PUSH, {"api_refund_list": [row]})
        return row["refund_no"]

    async def fetch_shipments(self, since: datetime | None = None) -> list[Shipment]:
        """The waiting records of the sync queue (up to 100; `since` does not apply: a record
        stays until acknowledged, so call ack_shipments and poll again while it returns 100)."""
        body = await self.client.call(SYNC_QUERY, {"shop_no": self.shop_no, "limit": MAX_SYNC, "is_part_sync_able": 1})
        return [s for s in map(mapping.shipment_of, body.get("trades") or []) if s]

    async def ack(self, shipments: list[Shipment]) -> None:
        refs = [s.ack_ref for s in shipments if s.ack_ref]
        for start in range(0, len(refs), MAX_ACKS):
            rows = [{"rec_id": ref, "status": 0, "message": ""} for ref in refs[start : start + MAX_ACKS]]
            body = await self.client.call(SYNC_ACK, {"logistics_list": rows})
            # Acked before (a repeated poll, a retry after a lost answer): done already.
            failed = [e for e in body.get("errors") or [] if NOT_WAITING not in str(e.get("error"))]
            if failed:
                raise PlatformError(
                    ERP, "ack_failed", "; ".join(f"{e.get('rec_id')}: {e.get('error')}" for e in failed)
                )

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> bool:
        return False  # WDT does not call us: shipments are pulled from its queue

    def parse_callback(self, body: bytes) -> list[Shipment | AfterSaleResult]:
        return []


class WdtKind:
    code, name_zh, name_en = ERP, "旺店通企业版", "Wangdiantong (enterprise)"
    fields = (
        ErpField("sid", "卖家账号 sid", "Seller account (sid)", hint_zh="旺店通分配给 ERP 买家的 sid", hint_en="The sid WDT issued"),
        ErpField("appkey", "接口账号 appkey", "App key"),
        ErpField("appsecret", "接口密钥 appsecret", "App secret", secret=True),
        ErpField("shop_no", "店铺编号", "Shop number", hint_zh="旺店通里“自有平台”店铺的编号", hint_en="The self-run shop's number in WDT"),
    )  # fmt: skip
    default_url = DEFAULT_URL
    events = frozenset({"order", "cancel", "after_sale"})
    polls_shipments = True
    rate_limit_codes = RATE_LIMIT_CODES

    def connect(self, conn: ErpKeys, http: Any = None, retry: RetryPolicy | None = None) -> WdtAdapter:
        return WdtAdapter(conn, http, retry)

    async def check_connection(self, conn: ErpKeys, http: Any = None) -> tuple[str, dict[str, Any]]:
        async def call() -> Any:  # a read of the sync queue: it changes nothing
            adapter = WdtAdapter(conn, http, RetryPolicy(max_attempts=1, attempt_timeout=8, total_timeout=8))
            return await adapter.client.call(SYNC_QUERY, {"shop_no": adapter.shop_no, "limit": 1})

        return await check_by_call(self.name_zh, call, WORDS)

    async def ack_shipments(self, conn: ErpKeys, shipments: list[Shipment], http: Any = None) -> None:
        await WdtAdapter(conn, http).ack(shipments)

    def sign(self, secret: str, params: Mapping[str, Any]) -> str:
        return wdt_sign(secret, params)

    def twin(self):
        from integrations.wdt.twin import TWIN  # the sandbox is only loaded when asked for

        return TWIN


KIND = WdtKind()
