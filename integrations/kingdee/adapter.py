"""金蝶云星空 as an ERP kind: connection fields, 测试连接, and the adapter the outbox relay calls.

Kingdee does not document what a second Save with the same FBillNo does, so an order is looked
up by FBillNo first and saved only when absent (and looked up again if the save loses a race).
A cancel un-audits and deletes the sales order (refused by Kingdee once an 出库单 exists);
shipments are polled from audited SAL_OUTSTOCK bills by modify date, 2,000 rows a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from integrations.base import PlatformError, RetryPolicy
from integrations.erp_base import CodeWords, check_by_call, local_text, require_keys, shaped
from integrations.erp_contract import AfterSaleResult, ErpField, ErpKeys, Shipment
from integrations.kingdee import mapping
from integrations.kingdee.client import KingdeeClient, refusal, rows_of, status_of, succeeded
from integrations.kingdee.sign import app_data, kd_signature
from integrations.kingdee.spec import (
    BAD_SIGNATURE,
    BAD_TIMESTAMP,
    DEFAULT_LCID,
    DEFAULT_ORG,
    DELETE,
    ERP,
    QUERY,
    QUERY_LIMIT,
    SALE_ORDER,
    SAVE,
    UNAUDIT,
)

KEYS = ("acct_id", "username", "app_id", "app_secret", "sale_org")
WORDS = CodeWords(
    credentials=frozenset({str(BAD_SIGNATURE)}), clock=frozenset({str(BAD_TIMESTAMP)}), rate=frozenset({"http_429"})
)


class KingdeeAdapter:
    code, name_zh, name_en = ERP, "金蝶云星空", "Kingdee K/3 Cloud"

    def __init__(self, conn: ErpKeys, http: httpx.AsyncClient | None = None, retry: RetryPolicy | None = None):
        self.keys = require_keys(ERP, conn.keys, KEYS) | {
            "lcid": str(conn.keys.get("lcid") or DEFAULT_LCID),
            "org_num": str(conn.keys.get("org_num") or DEFAULT_ORG),
            "tax_rate": str(conn.keys.get("tax_rate") or ""),
            "default_customer": str(conn.keys.get("default_customer") or ""),
            "freight_material": str(conn.keys.get("freight_material") or ""),
        }
        if "_" not in self.keys["app_id"]:
            raise PlatformError(ERP, "bad_key", "app_id")
        if not conn.base_url:
            raise PlatformError(ERP, "missing_key", "base_url")
        self.client = KingdeeClient(self.keys, base_url=conn.base_url, http=http, retry=retry)

    async def _operate(self, service: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self.client.call(service, body)
        status = status_of(answer)
        if not succeeded(status):
            raise refusal(status)
        return answer["Result"]

    async def find_order(self, bill_no: str) -> list[Any] | None:
        rows = rows_of(await self.client.call(QUERY, mapping.find_order(bill_no)))
        return rows[0] if rows else None

    async def push_order(self, order: Mapping[str, Any], *, idempotency_key: str) -> str:
        bill_no = str(shaped(ERP, lambda: order["order_no"]))
        body = shaped(ERP, mapping.save_order, order, self.keys)
        if await self.find_order(bill_no) is not None:
            return bill_no  # saved before (a retry of a push whose answer was lost)
        try:
            result = await self._operate(SAVE, body)
        except PlatformError:
            if await self.find_order(bill_no) is not None:  # another push of it won the race
                return bill_no
            raise
        return str(result.get("Number") or bill_no)

    async def cancel_order(
        self, order_ref: str, *, reason: str, idempotency_key: str, order: Mapping[str, Any] | None = None
    ) -> None:
        if await self.find_order(order_ref) is None:
            return  # deleted before
        numbers = {"formid": SALE_ORDER, "data": {"Numbers": [order_ref]}}
        await self._operate(UNAUDIT, numbers)
        await self._operate(DELETE, numbers)

    async def push_after_sale(self, after_sale: Mapping[str, Any], *, idempotency_key: str) -> str:
        # SAL_RETURNNOTICE / SAL_RETURNSTOCK field lists are not public: not sent until confirmed.
        raise PlatformError(ERP, "unsupported", "金蝶云星空连接暂不推送售后单")

    async def fetch_shipments(self, since: datetime) -> list[Shipment]:
        rows: list[list[Any]] = []
        while True:
            page = rows_of(await self.client.call(QUERY, mapping.shipments_query(local_text(since), len(rows))))
            rows += page
            if len(page) < QUERY_LIMIT:  # no total in the answer: a short page is the last
                return mapping.shipments_of(rows)

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> bool:
        return False  # the standard WebAPI does not call us: shipments are polled

    def parse_callback(self, body: bytes) -> list[Shipment | AfterSaleResult]:
        return []


class KingdeeKind:
    code, name_zh, name_en = ERP, "金蝶云星空", "Kingdee K/3 Cloud"
    fields = (
        ErpField("acct_id", "数据中心 ID", "Data centre ID (AcctID)"),
        ErpField("username", "集成用户", "Integration user"),
        ErpField("app_id", "应用 ID", "App ID", hint_zh="第三方系统登录授权里的 AppID（含下划线）", hint_en="The AppID of the third-party login grant"),
        ErpField("app_secret", "应用密钥", "App secret", secret=True),
        ErpField("sale_org", "销售组织编码", "Sales organisation code"),
        ErpField("default_customer", "默认客户编码", "Default customer code", required=False, hint_zh="没有映射客户时使用", hint_en="Used when no customer is mapped"),
        ErpField("lcid", "语言 LCID", "Language (LCID)", required=False, hint_zh="默认 2052", hint_en="2052 by default"),
        ErpField("org_num", "组织编号", "Organisation number", required=False, hint_zh="默认 0", hint_en="0 by default"),
        ErpField("tax_rate", "税率 %", "Tax rate %", required=False, hint_zh="默认 13", hint_en="13 by default"),
        ErpField("freight_material", "运费物料编码", "Freight material code", required=False, hint_zh="填写后运费作为一行推送", hint_en="When set, freight goes as a line"),
    )  # fmt: skip
    default_url = ""  # the merchant's own site, http(s)://host/k3cloud/
    events = frozenset({"order", "cancel"})
    polls_shipments = True
    rate_limit_codes = frozenset({"http_429"})

    def connect(self, conn: ErpKeys, http: Any = None, retry: RetryPolicy | None = None) -> KingdeeAdapter:
        return KingdeeAdapter(conn, http, retry)

    async def check_connection(self, conn: ErpKeys, http: Any = None) -> tuple[str, dict[str, Any]]:
        async def call() -> Any:
            adapter = KingdeeAdapter(conn, http, RetryPolicy(max_attempts=1, attempt_timeout=8, total_timeout=8))
            return await adapter.find_order("QIHANG-CONNECTION-TEST")

        return await check_by_call(self.name_zh, call, WORDS)

    async def ack_shipments(self, conn: ErpKeys, shipments: list[Shipment]) -> None:
        return None  # a query reads; nothing to confirm

    def sign(self, secret: str, params: Mapping[str, Any]) -> str:
        """X-Kd-Signature for params app_id, acct_id, username, lcid?, org_num? (secret = AppSecret)."""
        data = app_data(
            str(params["acct_id"]), str(params["username"]),
            str(params.get("lcid") or DEFAULT_LCID), str(params.get("org_num") or DEFAULT_ORG),
        )  # fmt: skip
        return kd_signature(secret, str(params["app_id"]), data)

    def twin(self):
        from integrations.kingdee.twin import TWIN  # the sandbox is only loaded when asked for

        return TWIN


KIND = KingdeeKind()
