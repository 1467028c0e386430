"""The refund part of a shop's sweep: ask the platform's refund query about recent orders, so a
refund whose push was lost still reaches the after-sale center (same ingest as pushes)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from integrations import registry
from integrations.contract import Unsupported
from qihang_app.domain.platform_order import EventKind, PlatformEvent
from qihang_app.models import utcnow
from qihang_app.services.aftersale_sweep import refund_sweep_order_ids
from qihang_app.services.inbox import RawMessage
from qihang_app.services.ingest import IngestItem
from qihang_app.services.shop_auth import ShopAuth
from workers.tasks.ingest import apply_items, client_for, run_db

log = logging.getLogger("workers.refund_sweep")
LOOKBACK = timedelta(hours=12)
LIMIT = 100


async def sweep_refunds(ctx: dict[str, Any], auth: ShopAuth) -> dict:
    """Returns {"orders": asked, "after_sales": new or moved}; a platform without a refund
    query is skipped quietly."""
    adapter = registry.platform(auth.platform)
    if getattr(adapter, "fetch_refunds", None) is None:  # an adapter from before the refund query
        return {"orders": 0, "after_sales": 0}
    since = utcnow() - LOOKBACK
    order_ids = await run_db(ctx, lambda s: refund_sweep_order_ids(s, shop_id=auth.id, since=since, limit=LIMIT))
    client = client_for(ctx, auth)
    items = []
    for order_id in order_ids:
        try:
            refunds = await adapter.fetch_refunds(client, order_id)
        except Unsupported:
            return {"orders": 0, "after_sales": 0}
        for refund in refunds:
            event = PlatformEvent(
                kind=EventKind.REFUND,
                platform=refund.platform,
                platform_shop_id=auth.platform_shop_id,
                platform_order_id=order_id,
                raw_type="refund_query",
                raw_status_code=refund.raw_status_code,
                occurred_at=refund.updated_at,
                refund=refund,
            )
            body = json.dumps(refund.raw or {}, ensure_ascii=False, default=str)
            raw = RawMessage(source=auth.platform, kind="refund_query", body=body, shop_id=auth.id,
                             headers={"via": "sweep"})  # fmt: skip
            items.append(IngestItem(inbox_id=None, shop_id=auth.id, events=[event], raw=raw, source="sweep 退款查询"))
    if not items:
        return {"orders": len(order_ids), "after_sales": 0}
    result = await apply_items(ctx, items)
    return {"orders": len(order_ids), "after_sales": len(result.after_sales), "result": result}
