"""Douyin Laike client: cached client_token, `access-token` header, JSON envelope, retries."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from integrations.base import (
    PlatformError,
    RetryPolicy,
    Token,
    TokenCache,
    error_from_status,
    log_call,
    logged_call,
    with_retries,
)
from integrations.douyin_laike import mapping
from integrations.douyin_laike.spec import (
    BASE_URL,
    DELIVERY_BEHAVIOR,
    MAX_PAGE_SIZE,
    MAX_PRODUCT_PAGE,
    PLATFORM,  # noqa: E402
    RETRYABLE_CODES,
    TOKEN_ERROR_CODES,
    TOKEN_GRANT,
    TOKEN_HEADER,
    TOKEN_PATH,
    ErrorCode,
    Path,
)
from integrations.http import get_http_client
from qihang_app.domain.platform_order import DeliveryStatus, PlatformOrder


@dataclass(slots=True)
class OrderPage:
    orders: list[dict]
    total: int
    page_num: int
    page_size: int


class DouyinLaikeClient:
    def __init__(
        self,
        client_key: str,
        client_secret: str,
        account_id: str,
        *,
        base_url: str = BASE_URL,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        token_margin: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_key = client_key
        self._secret = client_secret
        self.account_id = str(account_id)
        self.base_url = base_url.rstrip("/")
        self._http = http
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self.tokens = TokenCache(self._fetch_token, margin=token_margin, clock=clock)

    def __repr__(self) -> str:  # keep the secret out of tracebacks and debug output
        return f"DouyinLaikeClient(client_key={self.client_key!r}, account_id={self.account_id!r})"

    # ---- transport ------------------------------------------------------------------------------

    async def _fetch_token(self) -> Token:
        """client_token lasts 2 h; a new one invalidates the previous after a grace period."""
        body = {"client_key": self.client_key, "client_secret": self._secret, "grant_type": TOKEN_GRANT}
        started = time.monotonic()
        result = "error"
        try:
            response = await self._client().post(
                self.base_url + TOKEN_PATH, json=body, timeout=self.retry.attempt_timeout
            )
            data = _unwrap(response)
            result = "ok"
        except PlatformError as exc:
            result = exc.code
            raise
        finally:
            log_call(PLATFORM, TOKEN_PATH, self.account_id, started, result)
        return Token(str(data["access_token"]), self._clock() + float(data.get("expires_in", 0)))

    def _client(self) -> httpx.AsyncClient:
        return self._http or get_http_client()

    async def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Mapping[str, Any] | None = None
    ) -> dict:
        """Run one API; return its `data`. An expired/invalid token is replaced once."""
        refreshed = False

        async def attempt(timeout: float) -> dict:
            token = await self.tokens.get()
            async with logged_call(PLATFORM, path, self.account_id):
                response = await self._client().request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=body,
                    headers={TOKEN_HEADER: token},
                    timeout=timeout,
                )
                return _unwrap(response)

        async def on_error(error: PlatformError) -> bool:
            nonlocal refreshed
            if error.code.isdigit() and int(error.code) in TOKEN_ERROR_CODES and not refreshed:
                refreshed = True
                self.tokens.invalidate()
                return True
            return False

        return await with_retries(PLATFORM, attempt, self.retry, on_error=on_error)

    # ---- orders ---------------------------------------------------------------------------------

    async def merchant_confirm_order(self, order_id: str) -> None:
        await self.call("POST", Path.CONFIRM, body={"order_id": order_id, "account_id": self.account_id})

    async def query_orders(
        self,
        *,
        page_num: int = 1,
        page_size: int = 50,
        order_id: str | None = None,
        order_status: int | None = None,
        update_time_start: datetime | None = None,
        update_time_end: datetime | None = None,
    ) -> OrderPage:
        params: dict[str, Any] = {
            "account_id": self.account_id,
            "page_num": page_num,
            "page_size": min(page_size, MAX_PAGE_SIZE),
        }
        if order_id:
            params["order_id"] = order_id
        if order_status is not None:
            params["order_status"] = order_status
        if update_time_start:
            params["update_time_start"] = int(update_time_start.timestamp())
        if update_time_end:
            params["update_time_end"] = int(update_time_end.timestamp())
        data = await self.call("GET", Path.ORDER_QUERY, params=params)
        page = data.get("page") or {}
        return OrderPage(
            orders=list(data.get("orders") or []),
            total=int(page.get("total") or 0),
            page_num=page_num,
            page_size=params["page_size"],
        )

    async def orders_updated_between(
        self, start: datetime, end: datetime, *, page_size: int = 50, max_pages: int = 200
    ) -> list[dict]:
        """The sweep: every order updated in [start, end], all pages (bounded by max_pages)."""
        orders: list[dict] = []
        for page_num in range(1, max_pages + 1):
            page = await self.query_orders(
                page_num=page_num, page_size=page_size, update_time_start=start, update_time_end=end
            )
            orders.extend(page.orders)
            if not page.orders or page_num * page.page_size >= page.total:
                break
        return orders

    async def get_order_raw(self, order_id: str) -> dict:
        page = await self.query_orders(order_id=order_id, page_size=1)
        if not page.orders:
            raise PlatformError(PLATFORM, str(ErrorCode.ORDER_NOT_FOUND), f"order {order_id} not found")
        return page.orders[0]

    async def get_order(self, order_id: str) -> PlatformOrder:
        return mapping.order_from_query(await self.get_order_raw(order_id))

    # ---- products -------------------------------------------------------------------------------

    async def query_products(self, *, cursor: str = "", count: int = MAX_PRODUCT_PAGE) -> dict:
        """One page of the online product list: {products, next_cursor, has_more, total}."""
        params = {"account_id": self.account_id, "cursor": cursor, "count": min(count, MAX_PRODUCT_PAGE)}
        data = await self.call("GET", Path.PRODUCT_QUERY, params=params)
        total = data.get("total")
        return {
            "products": list(data.get("products") or []),
            "next_cursor": str(data.get("next_cursor") or ""),
            "has_more": bool(data.get("has_more")),
            "total": None if total is None else int(total),
        }

    # ---- fulfilment and after-sale --------------------------------------------------------------

    async def sync_delivery_status(
        self,
        order_id: str,
        status: DeliveryStatus,
        *,
        rider_name: str = "",
        rider_phone: str = "",
        three_source: str = "",
        accept_time: datetime | None = None,
    ) -> None:
        """Self-delivery rider progress (`behavior` 1–5), for orders the merchant delivers.
        Takes the unified state only: another platform's codes cannot slip through."""
        behavior = DELIVERY_BEHAVIOR[DeliveryStatus(status)]
        body: dict[str, Any] = {
            "order_id": order_id,
            "account_id": self.account_id,
            "behavior": behavior,
            "rider_phone": rider_phone,
            "rider_name": rider_name,
            "three_source": three_source,
        }
        if accept_time is not None:
            body["accept_time"] = int(accept_time.timestamp())
        await self.call("POST", Path.DELIVERY_SYNC, body=body)

    async def audit_after_sale(
        self, after_sale_id: str, *, approve: bool, reject_reason_codes: Sequence[int] = (), reject_desc: str = ""
    ) -> None:
        body: dict[str, Any] = {"after_sale_id": after_sale_id, "account_id": self.account_id, "is_approved": approve}
        if not approve:
            body["reject_reason"] = {"reason_code": list(reject_reason_codes), "desc": reject_desc}
        await self.call("POST", Path.AFTER_SALE_AUDIT, body=body)

    async def refund_agree(self, after_sale_id: str) -> None:
        await self.audit_after_sale(after_sale_id, approve=True)

    async def refund_reject(self, after_sale_id: str, reason: str, reason_codes: Sequence[int] = (1,)) -> None:
        await self.audit_after_sale(after_sale_id, approve=False, reject_reason_codes=reason_codes, reject_desc=reason)

    async def sync_stock(self, stocks: Sequence[tuple[str, str, int]]) -> None:
        """(product id, sku id, quantity) of listed SKUs, in one call."""
        body = {
            "account_id": self.account_id,
            "stocks": [{"product_id": item, "sku_id": sku, "stock_qty": int(qty)} for item, sku, qty in stocks],
        }
        await self.call("POST", Path.STOCK_SYNC, body=body)


def _unwrap(response: httpx.Response) -> dict:
    """Envelope: {"data": {..., "error_code", "description"}, "extra": {"error_code", ...}}."""
    bad_status = error_from_status(PLATFORM, response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise bad_status or PlatformError(PLATFORM, "bad_response", response.text[:200])
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    extra = body.get("extra") if isinstance(body.get("extra"), dict) else {}
    code = int(extra.get("error_code") or data.get("error_code") or 0)
    if code:
        message = str(extra.get("description") or data.get("description") or "")
        retryable = code in RETRYABLE_CODES or bool(bad_status and bad_status.retryable)
        raise PlatformError(PLATFORM, str(code), message, retryable=retryable, http_status=response.status_code)
    if bad_status:
        raise bad_status
    return data
