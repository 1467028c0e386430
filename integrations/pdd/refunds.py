"""PDD after-sales: the incremental pull (`pdd.refund.list.increment.get`) and one order's list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from integrations.contract import PullWindow, ShopKeys
from integrations.ecommerce_contract import RefundPage
from integrations.pdd import mapping
from integrations.pdd.client import PddClient
from integrations.pdd.paging import backwards, slices
from integrations.pdd.spec import AFTER_SALES_ALL, WINDOW_SECONDS, AfterSalesType, Api
from qihang_app.domain.platform_order import PlatformRefund

LOOKBACK_SLICES = 6  # one order's after-sales: up to 3 hours before its last update


async def refund_rows(client: PddClient, lo: int, hi: int, page: int, size: int) -> tuple[list[dict], int]:
    data = await client.call(
        Api.REFUND_INCREMENT,
        {
            "after_sales_status": AFTER_SALES_ALL,
            "after_sales_type": AfterSalesType.ALL,
            "start_updated_at": lo,
            "end_updated_at": hi,
            "page": page,
            "page_size": size,
        },
    )
    return list(data.get("refund_list") or []), int(data.get("total_count") or 0)


class PddRefundPull:
    async def pull(self, client: PddClient, shop: ShopKeys, window: PullWindow) -> AsyncIterator[RefundPage]:
        seen: set[tuple[str, str]] = set()

        async def fetch(lo: int, hi: int, page: int, size: int) -> tuple[list[dict], int]:
            return await refund_rows(client, lo, hi, page, size)

        for lo, hi in slices(window.start, window.end):
            async for rows, requests in backwards(fetch, lo, hi):
                fresh = []
                for row in rows:
                    key = (str(row.get("id")), str(row.get("updated_time")))
                    if key not in seen:
                        seen.add(key)
                        fresh.append(mapping.refund_from_wire(row, shop.platform_shop_id))
                yield RefundPage(fresh, requests)


async def order_refunds(client: PddClient, order: dict) -> list[PlatformRefund]:
    """The after-sales of one order. PDD lists them by update time only, so read back from the
    order's own last update (an after-sale change touches the order) slice by slice, and stop
    after the newest slice that holds this order's rows (at most LOOKBACK_SLICES)."""
    if int(order.get("refund_status") or 1) == 1:
        return []
    updated = mapping.parse_time(order.get("updated_at")) or datetime.now(UTC)
    end = int(updated.timestamp())
    found: dict[str, PlatformRefund] = {}
    for step in range(LOOKBACK_SLICES):
        hi = end - step * WINDOW_SECONDS
        async for rows, _ in backwards(
            lambda lo_, hi_, p, s: refund_rows(client, lo_, hi_, p, s), hi - WINDOW_SECONDS, hi
        ):
            for row in rows:
                if str(row.get("order_sn")) == str(order["order_sn"]):
                    found.setdefault(str(row["id"]), mapping.refund_from_wire(row, client.mall_id))
        if found:
            break
    return list(found.values())
