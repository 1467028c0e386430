"""Auto-dispatch (cron): for each order a store's rule must act on, cancel a ride nobody took in
time, ask every enabled carrier for a quote, book the rule's choice, and say why on the order's
timeline. A carrier that refuses the booking is passed over for the next one in the rule's order;
when none fits (over the price cap, all tried) the rule stops and staff take over."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from qihang_app.domain import carriers
from qihang_app.domain.dispatch_rule import QuoteRow, choose
from qihang_app.services import auto_dispatch as rules
from workers.tasks.delivery import book_delivery, cancel_delivery, quotes_for
from workers.tasks.ingest import run_db

log = logging.getLogger("workers.auto_dispatch")
WHO = "auto-dispatch"


async def auto_dispatch(ctx: dict[str, Any], now: datetime | None = None) -> dict:
    work = await run_db(ctx, lambda s: rules.due(s, now=now))
    booked = 0
    for item in work:
        try:
            booked += await _dispatch(ctx, item)
        except Exception:  # one order's trouble must not stop the others
            log.exception("auto-dispatch of order %s failed", item.order_id)
    return {"orders": len(work), "booked": booked}


async def _decide(ctx, item: rules.Work, key: str, stop: bool = False, **params) -> None:
    await run_db(ctx, lambda s: rules.decided(s, order_id=item.order_id, key=key, stop=stop, **params))


async def _dispatch(ctx: dict[str, Any], item: rules.Work) -> int:
    if item.kind == "timeout":
        ride = await run_db(ctx, lambda s: rules.deliveries.current(s, order_id=item.order_id))
        await _decide(ctx, item, "delivery.auto.timeout", carrier=carriers.name(ride.carrier), minutes=item.minutes)
        cancelled = await cancel_delivery(ctx, item.order_id, "超时无骑手接单", WHO)
        if not cancelled.get("ok"):
            return 0  # the carrier refused the cancel (a rider may have just taken it): look again next tick
    quotes, _ = await quotes_for(ctx, item.order_id)
    rows = [
        QuoteRow(q["account_id"], q["carrier"], q["fee_fen"], q["eta_minutes"], q["distance_m"])
        for q in quotes
        if q["ok"]
    ]
    tried = set(item.tried)
    while True:
        choice = choose(rows, item.rule, tried=frozenset(tried))
        if choice.quote is None:
            await _decide(ctx, item, choice.reason, stop=True, **choice.params)
            return 0
        await _decide(ctx, item, choice.reason, **choice.params)
        quote = choice.quote
        result = await book_delivery(ctx, item.order_id, quote.account_id, 0, quote.eta_minutes, WHO, True)
        if result.get("ok"):
            return 1
        if result.get("key"):  # the order itself refuses (ended, a ride running): nothing to retry
            return 0
        await _decide(
            ctx, item, "delivery.auto.failed", carrier=carriers.name(quote.carrier), reason=result.get("message", "")
        )
        tried.add(quote.account_id)
