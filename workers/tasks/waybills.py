"""电子面单 through the platform's waybill service: issue numbers for a batch, return one.

The app runs these as jobs and waits (qihang_app.jobs). Each order of a batch is answered on
its own: one refusal never holds the others. Answers carry a catalog key or the platform's
refusal in plain words.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from integrations import registry
from integrations.ecommerce_contract import Address, WaybillRequest, capability
from integrations.errors import plain_error
from qihang_app.services import waybills
from qihang_app.services.errors import ServiceError
from qihang_app.services.shop_auth import shop_auth
from workers.tasks.ingest import client_for, run_db

log = logging.getLogger("workers.waybills")
CONCURRENCY = 4  # calls in flight per batch


def _refused(order_id: int, exc: ServiceError) -> dict:
    return {"order_id": order_id, "ok": False, "key": exc.key, "params": {k: str(v) for k, v in exc.params.items()}}


async def _issue_one(ctx: dict[str, Any], order_id: int, carrier: str, who: str) -> dict:
    try:
        plan = await run_db(ctx, lambda s: waybills.plan(s, order_id=order_id, carrier_code=carrier))
    except ServiceError as exc:
        return _refused(order_id, exc)
    if plan.tracking_no:  # asked before: the number stands
        return {"order_id": order_id, "ok": True, "tracking_no": plan.tracking_no, "again": True}
    auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=plan.shop_id))
    service = capability(registry.find(plan.platform), "waybills")
    if auth is None or not auth.enabled or service is None:
        return {"order_id": order_id, "ok": False, "key": "waybill.err.unsupported", "params": {}}
    request = WaybillRequest(
        carrier=carrier,
        platform_order_id=plan.platform_order_id,
        object_id=plan.object_id,
        sender=Address(**plan.sender),
        receiver=Address(**plan.receiver),
        items=plan.items,
    )
    try:
        issued = await service.issue(client_for(ctx, auth), request)
    except Exception as exc:
        log.warning("waybill for order %s failed: %r", order_id, exc)
        return {"order_id": order_id, "ok": False, "message": plain_error(exc)}
    row = await run_db(
        ctx,
        lambda s: waybills.record_issued(
            s,
            plan=plan,
            carrier_code=issued.carrier,
            tracking_no=issued.tracking_no,
            sort_code=issued.sort_code,
            route_code=issued.route_code,
            print_data=issued.print_data,
            who=who,
        ),
    )
    return {"order_id": order_id, "ok": True, "tracking_no": row.tracking_no, "waybill_id": row.id}


async def issue_waybills(ctx: dict[str, Any], order_ids: list[int], carrier: str, who: str = "worker") -> dict:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(order_id: int) -> dict:
        async with gate:
            try:
                return await _issue_one(ctx, int(order_id), carrier, who)
            except Exception as exc:  # a bug on one order: the batch still answers
                log.exception("waybill for order %s crashed", order_id)
                return {"order_id": order_id, "ok": False, "message": plain_error(exc)}

    return {"ok": True, "results": list(await asyncio.gather(*(one(i) for i in order_ids)))}


async def cancel_waybill(ctx: dict[str, Any], waybill_id: int, who: str = "worker") -> dict:
    """Return the number to the platform, then mark it cancelled (checked by the app first)."""
    row = await run_db(ctx, lambda s: waybills.waybill(s, waybill_id=waybill_id))
    if row is None or row.status not in ("issued", "printed"):
        return {"ok": False, "key": "waybill.err.cannot_cancel", "params": {"status": row.status if row else ""}}
    auth = await run_db(ctx, lambda s: shop_auth(s, shop_id=row.shop_id))
    service = capability(registry.find(auth.platform), "waybills") if auth else None
    if service is None:
        return {"ok": False, "key": "waybill.err.unsupported", "params": {}}
    try:
        await service.cancel(client_for(ctx, auth), row.carrier, row.tracking_no)
    except Exception as exc:
        return {"ok": False, "message": plain_error(exc)}
    await run_db(ctx, lambda s: waybills.record_cancelled(s, waybill_id=waybill_id, who=who))
    return {"ok": True}
