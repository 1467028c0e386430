"""QiHang's own signed ERP API as an ErpKind: what an in-house ERP implements from /api/docs.

Outbound: POST {url} with {"event", "idempotency_key", "data"} and the Idempotency-Key header,
signed (see sign.py). The ERP answers 2xx to accept (optionally {"erp_order_no": "..."});
anything else is retried by the outbox. Shipments come back on our inbound API, not by polling.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from integrations.base import PlatformError
from integrations.erp_contract import AfterSaleResult, ErpField, ErpKeys, Shipment, ShipmentLine
from integrations.http import get_http_client
from integrations.qihang_erp import sign

CODE = "qihang"
EVENTS = ("order.created", "order.cancelled", "aftersale.created")
PING = "ping"  # 测试连接 sends this event; an ERP answers 2xx like for any other


def _body(event: str, idempotency_key: str, data: Mapping[str, Any]) -> bytes:
    payload = {"event": event, "idempotency_key": idempotency_key, "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_iso).encode()


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _their_words(response: httpx.Response) -> str:
    """The ERP's own reason: our documented {"error": {"code", "message"}} when it sends one."""
    try:
        error = response.json().get("error")
        if isinstance(error, dict) and (error.get("code") or error.get("message")):
            return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")[:200]
    except (ValueError, AttributeError):
        pass
    return " ".join(response.text.split())[:200]


class QihangAdapter:
    code = CODE
    name_zh = "启航开放接口"
    name_en = "QiHang signed API"

    def __init__(self, conn: ErpKeys, http: httpx.AsyncClient | None = None) -> None:
        self.conn = conn
        self.key = str(conn.keys.get("key", ""))
        self.secret = str(conn.keys.get("secret", ""))
        self._http = http

    def __repr__(self) -> str:  # keep the secret out of logs
        return f"QihangAdapter(connection={self.conn.id})"

    async def send(self, event: str, data: Mapping[str, Any], *, idempotency_key: str) -> dict:
        """One signed POST; the ERP's JSON answer (or {}) on 2xx, else PlatformError (retryable)."""
        body = _body(event, idempotency_key, data)
        headers = sign.signed_headers(self.key, self.secret, body)
        headers[sign.IDEMPOTENCY_HEADER] = idempotency_key
        client = self._http or get_http_client()
        try:
            response = await client.post(self.conn.base_url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise PlatformError(CODE, "timeout", "the ERP did not answer in time", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise PlatformError(CODE, "network", f"cannot reach the ERP: {type(exc).__name__}", retryable=True) from exc
        if not 200 <= response.status_code < 300:
            words = _their_words(response)
            raise PlatformError(
                CODE, f"http_{response.status_code}", words, retryable=True, http_status=response.status_code
            )
        try:
            answer = response.json()
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}

    async def push_order(self, order: Mapping[str, Any], *, idempotency_key: str) -> str:
        answer = await self.send("order.created", order, idempotency_key=idempotency_key)
        return str(answer.get("erp_order_no") or "")

    async def cancel_order(
        self, order_ref: str, *, reason: str, idempotency_key: str, order: Mapping[str, Any] | None = None
    ) -> None:
        await self.send("order.cancelled", {"order_no": order_ref, "reason": reason}, idempotency_key=idempotency_key)

    async def push_after_sale(self, after_sale: Mapping[str, Any], *, idempotency_key: str) -> str:
        answer = await self.send("aftersale.created", after_sale, idempotency_key=idempotency_key)
        return str(answer.get("erp_aftersale_no") or "")

    async def fetch_shipments(self, since: datetime) -> list[Shipment]:
        return []  # shipments arrive on our inbound API

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> bool:
        try:
            sign.verify(headers, body, self.secret)
        except sign.SignatureRefused:
            return False
        return True

    def parse_callback(self, body: bytes) -> list[Shipment | AfterSaleResult]:
        data = json.loads(body)
        if "tracking_no" in data:
            lines = tuple(ShipmentLine(str(x["sku"]), int(x["quantity"])) for x in data.get("lines") or ())
            return [Shipment(str(data["order_no"]), str(data["carrier_code"]), str(data["tracking_no"]), lines=lines)]
        return [
            AfterSaleResult(
                str(data["aftersale_no"]),
                str(data["outcome"]),
                str(data.get("tracking_no") or ""),
                str(data.get("note") or ""),
            )
        ]


class QihangKind:
    code = CODE
    name_zh = QihangAdapter.name_zh
    name_en = QihangAdapter.name_en
    fields = (
        ErpField(
            "key", "接口 Key", "API key", hint_zh="ERP 调用我们时放在 X-QiHang-Key", hint_en="sent as X-QiHang-Key"
        ),
        ErpField(
            "secret", "接口密钥", "API secret", secret=True, hint_zh="双方签名用", hint_en="both sides sign with it"
        ),
    )
    default_url = ""
    events = frozenset({"order", "cancel", "after_sale"})
    polls_shipments = False
    rate_limit_codes = frozenset({"http_429"})

    def connect(self, conn: ErpKeys, http: Any = None) -> QihangAdapter:
        return QihangAdapter(conn, http)

    async def check_connection(self, conn: ErpKeys) -> tuple[str, dict[str, Any]]:
        if not conn.base_url.startswith(("http://", "https://")):
            return "erp.test.bad_url", {}
        try:
            await self.connect(conn).send(PING, {}, idempotency_key=f"ping:{conn.id}:{datetime.now().timestamp():.0f}")
        except PlatformError as exc:
            return "erp.test.failed", {"said": f"{exc.code} {exc.message}".strip()}
        return "erp.test.ok", {}

    async def ack_shipments(self, conn: ErpKeys, shipments: list[Shipment]) -> None:
        return None

    def sign(self, secret: str, params: Mapping[str, Any]) -> str:
        """params: {"timestamp": unix seconds, "body": the raw JSON body as text}."""
        return sign.signature(secret, str(params["timestamp"]), str(params.get("body", "")).encode())

    def twin(self):
        from integrations.qihang_erp.twin import TWIN

        return TWIN


KIND = QihangKind()
