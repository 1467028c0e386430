"""Meituan open-platform client: signed GET/POST calls with retries, one method per API used."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from integrations.base import (
    PlatformError,
    RetryPolicy,
    error_from_status,
    logged_call,
    with_retries,
)
from integrations.http import get_http_client
from integrations.meituan import mapping
from integrations.meituan.sign import meituan_sig
from integrations.meituan.spec import BASE_URL, GET_PATHS, RETRYABLE_CODES, Path
from qihang_app.domain.platform_order import DeliveryStatus, PlatformOrder, PlatformSku

PLATFORM = "meituan"


class MeituanClient:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        base_url: str = BASE_URL,
        access_token: str | None = None,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        shop: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = str(app_id)
        self._secret = app_secret
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._access_token = access_token  # only ISV apps have one (§1.3)
        self._http = http
        self.retry = retry or RetryPolicy()
        self.shop = shop  # app_poi_code used in log lines when a call names none
        self._clock = clock

    def __repr__(self) -> str:  # keep the secret out of tracebacks and debug output
        return f"MeituanClient(app_id={self.app_id!r}, base_url={self.base_url!r})"

    # ---- transport ------------------------------------------------------------------------------

    def signed_params(self, path: str, params: Mapping[str, object]) -> tuple[dict, dict]:
        """(query, form) for one attempt. System params and sig travel in the query (§1.1)."""
        system: dict[str, str] = {"app_id": self.app_id, "timestamp": str(int(self._clock()))}
        if self._access_token:
            system["access_token"] = self._access_token
        business = {k: _wire(v) for k, v in params.items() if v is not None}
        sig = meituan_sig(self.base_url + path, {**system, **business}, self._secret)
        if path in GET_PATHS:
            return {**system, **business, "sig": sig}, {}
        return {**system, "sig": sig}, business

    async def call(self, path: str, params: Mapping[str, object] | None = None) -> Any:
        """Run one API; return its `data`. Raises PlatformError with Meituan's code and message."""
        params = params or {}
        shop = str(params.get("app_poi_code") or self.shop)

        async def attempt(timeout: float) -> Any:
            query, form = self.signed_params(path, params)
            http = self._http or get_http_client()
            async with logged_call(PLATFORM, path, shop):
                if path in GET_PATHS:
                    response = await http.get(self.base_url + path, params=query, timeout=timeout)
                else:
                    response = await http.post(self.base_url + path, params=query, data=form, timeout=timeout)
                return _unwrap(response)

        return await with_retries(PLATFORM, attempt, self.retry)

    # ---- orders ---------------------------------------------------------------------------------

    async def confirm_order(self, order_id: str) -> None:
        await self.call(Path.CONFIRM, {"order_id": order_id})

    async def cancel_order(self, order_id: str, reason_code: int | str, reason: str) -> None:
        await self.call(Path.CANCEL, {"order_id": order_id, "reason_code": reason_code, "reason": reason})

    async def get_order_detail(self, order_id: str, *, is_mt_logistics: bool = True) -> dict:
        """The raw detail (store it raw first); `mapping.order_from_detail` normalises it."""
        return await self.call(Path.DETAIL, {"order_id": order_id, "is_mt_logistics": 1 if is_mt_logistics else 0})

    async def get_order(self, order_id: str) -> PlatformOrder:
        return mapping.order_from_detail(await self.get_order_detail(order_id))

    async def preparation_meal_complete(self, order_id: str) -> None:
        await self.call(Path.PREPARED, {"order_id": order_id})

    async def logistics_sync(
        self,
        order_id: str,
        logistics_status: int | DeliveryStatus,
        *,
        courier_name: str = "",
        courier_phone: str = "",
        logistics_provider_code: str = "",
        third_carrier_order_id: str = "",
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> None:
        """Self-delivery rider status back to Meituan (codes 0/1/5/10/15/20/40/100, §1.5)."""
        if isinstance(logistics_status, DeliveryStatus):
            logistics_status = mapping.LOGISTICS_SYNC_CODE[logistics_status]
        await self.call(
            Path.LOGISTICS_SYNC,
            {
                "order_id": order_id,
                "logistics_status": logistics_status,
                "courier_name": courier_name or None,
                "courier_phone": courier_phone or None,
                "logistics_provider_code": logistics_provider_code or None,
                "third_carrier_order_id": third_carrier_order_id or None,
                "latitude": latitude,
                "longitude": longitude,
            },
        )

    async def refund_agree(self, order_id: str, reason: str) -> None:
        await self.call(Path.REFUND_AGREE, {"order_id": order_id, "reason": reason})

    async def refund_reject(self, order_id: str, reason: str, reason_code: str = "") -> None:
        params = {"order_id": order_id, "reason": reason, "reject_reason_code": reason_code or None}
        await self.call(Path.REFUND_REJECT, params)

    async def refund_detail(self, order_id: str) -> list[dict]:
        """getOrderRefundDetail: every refund of the order (raw rows, refunds.refunds_from_detail)."""
        return list(await self.call(Path.REFUND_DETAIL, {"wm_order_id_view": order_id}) or [])

    async def review_after_sales(self, order_id: str, review_type: int, reject_reason_code: str = "") -> None:
        params = {
            "wm_order_id_view": order_id,
            "review_type": review_type,
            "reject_reason_code": reject_reason_code or None,
        }
        await self.call(Path.REVIEW_AFTER_SALES, params)

    async def apply_part_refund(self, order_id: str, reason: str, food_data: Sequence[Mapping[str, Any]]) -> None:
        """缺货退款: food_data [{"app_food_code", "sku_id", "count"}]."""
        foods = json.dumps(list(food_data), ensure_ascii=False, separators=(",", ":"))
        await self.call(Path.PART_REFUND, {"order_id": order_id, "reason": reason, "food_data": foods})

    # ---- recovery sweep: find orders whose push never arrived (§0.2) ----------------------------

    async def get_order_day_seq(self, app_poi_code: str) -> int:
        """Latest daily sequence number issued today for the store (0 when none yet)."""
        data = await self.call(Path.DAY_SEQ, {"app_poi_code": app_poi_code})
        return int(data.get("day_seq") or 0)

    async def get_order_id_by_day_seq(self, app_poi_code: str, date_yyyymmdd: int | str, day_seq: int) -> str:
        data = await self.call(
            Path.ID_BY_DAY_SEQ, {"app_poi_code": app_poi_code, "date_time": date_yyyymmdd, "day_seq": day_seq}
        )
        return str(data["order_id"])

    # ---- products and stock ---------------------------------------------------------------------

    async def retail_list(self, app_poi_code: str, offset: int = 0, limit: int = 50) -> list[dict]:
        data = await self.call(Path.RETAIL_LIST, {"app_poi_code": app_poi_code, "offset": offset, "limit": limit})
        return list(data or [])

    async def list_skus(self, app_poi_code: str, page_size: int = 50, max_pages: int = 1000) -> list[PlatformSku]:
        """Every SKU of the store, page by page (stops at a short page)."""
        skus: list[PlatformSku] = []
        for page in range(max_pages):
            items = await self.retail_list(app_poi_code, page * page_size, page_size)
            skus.extend(mapping.skus_from_retail_list(app_poi_code, items))
            if len(items) < page_size:
                break
        return skus

    async def sku_stock(self, app_poi_code: str, food_data: Sequence[Mapping[str, Any]]) -> None:
        """food_data: [{"app_food_code": ..., "skus": [{"sku_id": ..., "stock": "12"}]}]."""
        await self.call(
            Path.SKU_STOCK,
            {
                "app_poi_code": app_poi_code,
                "food_data": json.dumps(list(food_data), ensure_ascii=False, separators=(",", ":")),
            },
        )

    async def sell_status(self, app_poi_code: str, food_data: Sequence[Mapping[str, Any]], *, on_sale: bool) -> None:
        """sell_status 0 = 上架, 1 = 下架; food_data: [{"app_food_code": ..., "skus": [{"sku_id": ...}]}]."""
        await self.call(
            Path.SELL_STATUS,
            {
                "app_poi_code": app_poi_code,
                "food_data": json.dumps(list(food_data), ensure_ascii=False, separators=(",", ":")),
                "sell_status": 0 if on_sale else 1,
            },
        )


def _wire(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _unwrap(response: httpx.Response) -> Any:
    bad_status = error_from_status(PLATFORM, response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        err = body["error"]
        code = int(err.get("code") or 0)
        raise PlatformError(
            PLATFORM,
            str(code),
            str(err.get("msg") or ""),
            retryable=code in RETRYABLE_CODES or bool(bad_status and bad_status.retryable),
            http_status=response.status_code,
        )
    if bad_status:
        raise bad_status
    if not isinstance(body, dict) or "data" not in body:
        raise PlatformError(PLATFORM, "bad_response", response.text[:200])
    if body["data"] == "ng":
        raise PlatformError(PLATFORM, "ng", "request refused without an error object")
    return body["data"]
