"""JD refunds (`adapter.refund_pull` and `fetch_refunds`): 退款审核单 by apply time and by check
time (the list has no modified time, so both windows are read and merged), and 售后服务单
(returns) by update time. Windows longer than a month are split like the order pull."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from integrations.contract import PullWindow, ShopKeys
from integrations.ecommerce_contract import RefundPage
from integrations.jd import mapping
from integrations.jd.client import JdClient
from integrations.jd.sign import jd_time
from integrations.jd.spec import MAX_REFUND_PAGE, Method
from integrations.jd.windows import split
from qihang_app.domain.platform_order import PlatformRefund

MAX_PAGES = 200


async def _pages(client: JdClient, method: str, business: dict[str, Any], index: str, size: str):
    """Every page of one list query: (rows, total) per page until a short page."""
    for page in range(1, MAX_PAGES + 1):
        result = await client.call(method, {**business, index: page, size: MAX_REFUND_PAGE}) or {}
        rows = list(result.get("result") or result.get("data") or [])
        yield rows
        if len(rows) < MAX_REFUND_PAGE or page * MAX_REFUND_PAGE >= int(result.get("totalCount") or 0):
            return


async def applications(client: JdClient, business: dict[str, Any]) -> AsyncIterator[list[dict]]:
    async for rows in _pages(client, Method.REFUND_LIST, business, "pageIndex", "pageSize"):
        yield rows


async def services(client: JdClient, business: dict[str, Any]) -> AsyncIterator[list[dict]]:
    base = {"buId": client.vender_id, "operatePin": "qihang", "operateNick": "启航OMS", **business}
    async for rows in _pages(client, Method.SERVICE_LIST, base, "pageNumber", "pageSize"):
        yield rows


def _stamp(start: datetime, end: datetime, first: str, last: str) -> dict[str, str]:
    return {first: jd_time(start), last: jd_time(end)}


class JdRefundPull:
    def pull(self, client: JdClient, shop: ShopKeys, window: PullWindow) -> AsyncIterator[RefundPage]:
        return self._pull(client, shop, window)

    async def _pull(self, client: JdClient, shop: ShopKeys, window: PullWindow) -> AsyncIterator[RefundPage]:
        vender = shop.platform_shop_id
        for start, end in split(window.start, window.end):
            seen: set[str] = set()
            for names in (("applyTimeStart", "applyTimeEnd"), ("checkTimeStart", "checkTimeEnd")):
                async for rows in applications(client, _stamp(start, end, *names)):
                    fresh = [r for r in rows if str(r.get("id")) not in seen]
                    seen.update(str(r.get("id")) for r in fresh)
                    yield RefundPage([mapping.refund_from_apply(vender, r) for r in fresh])
            async for rows in services(client, _stamp(start, end, "updateTimeBegin", "updateTimeEnd")):
                yield RefundPage([mapping.refund_from_service(vender, r) for r in rows])


async def refunds_of_order(client: JdClient, vender: str, order_id: str) -> list[PlatformRefund]:
    found: list[PlatformRefund] = []
    async for rows in applications(client, {"orderId": order_id}):
        found += [mapping.refund_from_apply(vender, r) for r in rows]
    async for rows in services(client, {"orderId": order_id}):
        found += [mapping.refund_from_service(vender, r) for r in rows]
    return found
