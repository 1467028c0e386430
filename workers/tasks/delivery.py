"""Calling carriers for the board: quotes from every enabled account at once, book, cancel, tip.

The app never talks to carriers: it runs these as jobs and waits for the answer (qihang_app.jobs).
Answers are {"ok": bool, ...} with a catalog key or a carrier's refusal in plain words.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from integrations import registry
from integrations.base import PlatformError
from integrations.carrier_contract import DeliveryOrder
from integrations.errors import plain_error
from qihang_app import live
from qihang_app.domain.messages import encode
from qihang_app.domain.platform_order import DeliveryStatus
from qihang_app.models import Order
from qihang_app.services import carrier_accounts, deliveries, ride_requests
from qihang_app.services import deliveries_retry as retries
from qihang_app.services.errors import ServiceError
from workers.tasks.ingest import run_db

log = logging.getLogger("workers.delivery")
QUOTE_SECONDS = 8.0  # one slow carrier must not hold the comparison


def _refused(exc: ServiceError) -> dict:
    return {"ok": False, "key": exc.key, "params": {k: str(v) for k, v in exc.params.items()}}


def _adapter(ctx: dict[str, Any], account):
    return registry.carrier(account.carrier).connect(account, ctx.get("http"), ctx.get("retry_policy"))


async def _quote_one(ctx, account, order: DeliveryOrder) -> dict:
    row = {"account_id": account.id, "carrier": account.carrier, "name": account.name}
    try:
        quote = await asyncio.wait_for(_adapter(ctx, account).quote(order), QUOTE_SECONDS)
    except Exception as exc:  # each carrier's failure is shown on its own row
        return {**row, "ok": False, "message": plain_error(exc)}
    return {
        **row,
        "ok": True,
        "fee_fen": quote.fee_fen,
        "eta_minutes": quote.eta_minutes,
        "distance_m": quote.distance_m,
    }


async def quotes_for(ctx: dict[str, Any], order_id: int) -> tuple[list[dict], str]:
    request = await run_db(ctx, lambda s: ride_requests.ride_request(s, order_id=order_id, fresh=False))
    accounts = await run_db(ctx, lambda s: carrier_accounts.enabled_accounts(s, store_id=_store_of(s, order_id)))
    ref = await run_db(ctx, lambda s: deliveries.next_ref(s, order=_order(s, order_id)))
    order = DeliveryOrder(order_ref=ref, **request)
    return list(await asyncio.gather(*(_quote_one(ctx, a, order) for a in accounts))), ref


async def quote_delivery(ctx: dict[str, Any], order_id: int) -> dict:
    """Every enabled carrier account of the order's store, asked at the same time."""
    try:
        quotes, _ = await quotes_for(ctx, order_id)
    except ServiceError as exc:
        return _refused(exc)
    if not quotes:
        return {"ok": False, "key": "delivery.err.no_accounts", "params": {}}
    return {"ok": True, "quotes": quotes}


async def book_delivery(
    ctx: dict[str, Any],
    order_id: int,
    account_id: int,
    tip_fen: int = 0,
    eta_minutes: int = 0,
    who: str = "worker",
    auto: bool = False,
    reason: str = "",
    retry_key: str = "",
) -> dict:
    """Book a rider. A passing failure (timeout, 5xx, rate limit) is tried again by the cron with
    the same ride ref (retry_key names that try); auto-dispatch moves on to its next carrier instead."""
    try:
        if not retry_key and await run_db(ctx, lambda s: retries.booking_pending(s, order_id=order_id)):
            return {"ok": False, "key": "delivery.err.retry_pending", "params": {}}
        request = await run_db(ctx, lambda s: ride_requests.ride_request(s, order_id=order_id))
        account = await run_db(ctx, lambda s: carrier_accounts.account_keys(s, account_id=account_id))
        ref = await run_db(ctx, lambda s: deliveries.next_ref(s, order=_order(s, order_id)))
    except ServiceError as exc:
        if retry_key:
            await run_db(ctx, lambda s: retries.done(s, key=retry_key))  # nothing left to book
        return _refused(exc)
    order = DeliveryOrder(order_ref=ref, callback_url=account.callback_url, tip_fen=tip_fen, **request)
    try:
        booking = await _adapter(ctx, account).create(order, idempotency_key=ref)
    except PlatformError as exc:
        args = dict(order_id=order_id, account_id=account_id, tip_fen=tip_fen, eta_minutes=eta_minutes, who=who,
                    reason=reason)  # fmt: skip
        if auto and not retry_key:
            return {"ok": False, "message": plain_error(exc), "carrier": account.carrier}
        return await _failed(ctx, exc, "book", retry_key or f"book:{ref}", args, account.carrier, who)
    try:
        row = await run_db(
            ctx,
            lambda s: deliveries.record_booking(
                s,
                order_id=order_id,
                carrier=account.carrier,
                order_ref=ref,
                carrier_order_id=booking.carrier_order_id,
                fee_fen=booking.fee_fen,
                distance_m=booking.distance_m,
                eta_minutes=eta_minutes or None,
                tip_fen=tip_fen,
                account_id=account.id,
                auto=auto,
                who=who,
                reason=reason,
                retry_key=retry_key,
            ),
        )
    except ServiceError as exc:  # the order ended meanwhile: do not leave a rider coming
        await _adapter(ctx, account).cancel(booking.carrier_order_id, reason="订单已结束")
        if retry_key:
            await run_db(ctx, lambda s: retries.done(s, key=retry_key))
        return _refused(exc)
    await _note(ctx, row.store_id, order_id, row.status)
    return {"ok": True, "delivery_id": row.id, "carrier": account.carrier, "fee_fen": row.fee_fen}


async def _failed(ctx, exc: PlatformError, action: str, key: str, args: dict, carrier: str, who: str) -> dict:
    """A carrier call failed: a passing reason is tried again later, anything else is the answer
    (and ends a retry: the order goes to 异常 with the carrier's words)."""
    message = plain_error(exc)
    if not exc.retryable:
        await run_db(ctx, lambda s: retries.gave_up(s, key=key, carrier=carrier, error=message, who=who))
        return {"ok": False, "message": message, "carrier": carrier}
    order_id = args["order_id"]
    again = await run_db(
        ctx,
        lambda s: retries.failed(s, order_id=order_id, action=action, key=key, args={**args, "retry_key": key},
                                 carrier=carrier, error=message, who=who),
    )  # fmt: skip
    await _note(ctx, await run_db(ctx, lambda s: _store_of(s, order_id)), order_id, "")
    if again:
        return {"ok": False, "retrying": True, "message": encode("delivery.retry.scheduled", reason=message)}
    return {"ok": False, "message": message, "carrier": carrier}


async def cancel_delivery(
    ctx: dict[str, Any], order_id: int, reason: str = "", who: str = "worker", retry_key: str = ""
) -> dict:
    try:
        ride = await run_db(ctx, lambda s: ride_requests.running_ride(s, order_id=order_id))
    except ServiceError as exc:
        dropped = await run_db(ctx, lambda s: retries.drop(s, order_id=order_id))  # a booking still retrying
        if retry_key:
            await run_db(ctx, lambda s: retries.done(s, key=retry_key))
        return {"ok": True} if dropped else _refused(exc)
    key = retry_key or f"cancel:{ride['delivery_id']}"
    try:
        if ride["account_id"] is not None:
            account = await run_db(ctx, lambda s: carrier_accounts.account_keys(s, account_id=ride["account_id"]))
            adapter = _adapter(ctx, account)
            try:
                await adapter.cancel(ride["carrier_order_id"], reason=reason or "商家取消")
            except PlatformError as exc:
                if not await _already_cancelled(adapter, ride["carrier_order_id"]):
                    args = dict(order_id=order_id, reason=reason, who=who)
                    return await _failed(ctx, exc, "cancel", key, args, account.carrier, who)
        row = await run_db(
            ctx, lambda s: deliveries.mark_cancelled(s, delivery_id=ride["delivery_id"], who=who, reason=reason)
        )
        await run_db(ctx, lambda s: retries.done(s, key=key))
    except ServiceError as exc:
        return _refused(exc)
    await _note(ctx, row.store_id, order_id, row.status)
    return {"ok": True}


async def _already_cancelled(adapter, carrier_order_id: str) -> bool:
    """A cancel the carrier refused, or that timed out, may have happened all the same."""
    try:
        return (await adapter.status(carrier_order_id)).status is DeliveryStatus.CANCELLED
    except (PlatformError, ValueError):
        return False


async def tip_delivery(
    ctx: dict[str, Any], order_id: int, tip_fen: int, who: str = "worker", retry_key: str = ""
) -> dict:
    try:
        ride = await run_db(ctx, lambda s: ride_requests.running_ride(s, order_id=order_id))
        if ride["account_id"] is None:
            return {"ok": False, "key": "carrier_err.unsupported", "params": {"carrier": ride["carrier"]}}
        account = await run_db(ctx, lambda s: carrier_accounts.account_keys(s, account_id=ride["account_id"]))
        try:
            await _adapter(ctx, account).add_tip(ride["carrier_order_id"], tip_fen=tip_fen)
        except PlatformError as exc:
            if exc.code == "timeout":  # the tip may have reached the carrier: adding it again could pay twice
                return {"ok": False, "message": plain_error(exc), "carrier": account.carrier}
            # Each tip is its own try (two tips of the same ride are two calls).
            key = retry_key or f"tip:{ride['delivery_id']}:{secrets.token_hex(4)}"
            return await _failed(ctx, exc, "tip", key, dict(order_id=order_id, tip_fen=tip_fen, who=who),
                                 account.carrier, who)  # fmt: skip
        row = await run_db(
            ctx, lambda s: deliveries.record_tip(s, delivery_id=ride["delivery_id"], tip_fen=tip_fen, who=who)
        )
        if retry_key:
            await run_db(ctx, lambda s: retries.done(s, key=retry_key))
    except ServiceError as exc:
        if retry_key:
            await run_db(ctx, lambda s: retries.done(s, key=retry_key))  # the ride ended: no tip to add
        return _refused(exc)
    await _note(ctx, row.store_id, order_id, row.status)
    return {"ok": True}


async def test_carrier_account(ctx: dict[str, Any], account_id: int) -> dict:
    """测试连接 of a carrier account: the balance where the carrier has one."""
    try:
        account = await run_db(ctx, lambda s: carrier_accounts.account_keys(s, account_id=account_id))
    except ServiceError as exc:
        return _refused(exc)
    key, params = await registry.carrier(account.carrier).check_connection(account, ctx.get("http"))
    return {"ok": key.startswith("carrier.test.ok"), "key": key, "params": params}


def _order(session, order_id: int) -> Order:
    return session.get(Order, order_id)


def _store_of(session, order_id: int) -> int:
    return _order(session, order_id).store_id


async def _note(ctx: dict[str, Any], store_id: int, order_id: int, status: str) -> None:
    if ctx.get("redis") is not None:
        await live.publish(
            ctx["redis"], store_id, live.note(order_id=order_id, store_id=store_id, status=status, kind="rider")
        )
