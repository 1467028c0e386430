"""Order state changes inside the sandbox, shared by the platform APIs, the control API and the
generator. Each change updates the truth and asks the notifier to push what the platform would.

Refusals raise `Conflict`; each platform renders it as its own code (Meituan 808, Douyin assumed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from integrations.sandbox.store import (
    ACCEPTED,
    AWAITING_ACCEPT,
    CANCELLED,
    CLOSED,
    COMPLETED,
    DELIVERING,
    FINAL_STAGES,
    AfterSale,
    SimOrder,
    Store,
)


class Conflict(Exception):
    """The order is not in a state that allows this operation."""


class Notifier(Protocol):
    def notify(self, order: SimOrder, event: str, **details: object) -> None: ...


# Both platforms cancel an order the store has not accepted in time (docs/platforms.md: Meituan's
# accept deadline is ctime + 5 min, Douyin's `accept_deadline` is create_time + 300 s).
ACCEPT_TIMEOUT_SECONDS = 300
# How the platform words that cancel (by "system": Meituan deal_op_type 5); the code is the sandbox's.
TIMEOUT_REASON_CODE, TIMEOUT_REASON = "2016", "商家超时未接单，系统自动取消"

# ASSUMED (docs/platforms.md): both platforms agree a refund request by themselves a day after it.
AUTO_AGREE_SECONDS = 24 * 3600

# Rider progress the sandbox understands (unified names, as in DeliveryStatus).
RIDER_STEPS = ("awaiting_rider", "rider_accepted", "at_store", "delivering", "delivered", "cancelled")


class Lifecycle:
    def __init__(self, store: Store, notifier: Notifier) -> None:
        self.store = store
        self.notifier = notifier
        self.on_confirmed: Callable[[SimOrder], None] | None = None  # e.g. send platform riders

    def _touch(self, order: SimOrder) -> float:
        # updated_at must grow strictly, so "newer" is always decidable from the timestamps alone
        now = max(int(time.time()), int(order.updated_at) + 1)
        order.updated_at = now
        return now

    def placed(self, order: SimOrder) -> None:
        self.notifier.notify(order, "paid")

    def confirm(self, order: SimOrder) -> bool:
        """True when this call accepted the order; a repeat on an accepted order is a no-op."""
        if order.stage in (ACCEPTED, DELIVERING) and order.confirmed_at:
            return False
        if order.stage != AWAITING_ACCEPT:
            raise Conflict(f"order is {order.stage}, cannot confirm")
        order.stage = ACCEPTED
        order.confirmed_at = self._touch(order)
        self.notifier.notify(order, "confirmed")
        if self.on_confirmed:
            self.on_confirmed(order)
        return True

    def prepared(self, order: SimOrder) -> None:
        if order.stage not in (ACCEPTED, DELIVERING):
            raise Conflict(f"order is {order.stage}, cannot mark prepared")
        order.prepared_at = order.prepared_at or self._touch(order)

    def cancel(self, order: SimOrder, *, by: str, reason_code: str = "", reason: str = "") -> None:
        if order.stage in FINAL_STAGES:
            raise Conflict(f"order is {order.stage}, cannot cancel")
        order.stage = CANCELLED
        order.cancel = {"by": by, "reason_code": reason_code, "reason": reason, "at": self._touch(order)}
        self.notifier.notify(order, "cancelled", by=by, reason_code=reason_code, reason=reason)

    def expire_unaccepted(self, order: SimOrder) -> bool:
        """The platform's accept timeout: still not accepted → cancelled by the system, pushed
        like any cancel. True when it cancelled the order."""
        if order.stage != AWAITING_ACCEPT:
            return False
        self.cancel(order, by="system", reason_code=TIMEOUT_REASON_CODE, reason=TIMEOUT_REASON)
        return True

    def rider(
        self,
        order: SimOrder,
        step: str,
        *,
        by_platform: bool,
        rider_name: str = "",
        rider_phone: str = "",
        extra: dict | None = None,
    ) -> None:
        """A rider step, either reported by the OMS (self-delivery) or made by platform riders."""
        if step not in RIDER_STEPS:
            raise Conflict(f"unknown rider step {step}")
        if order.stage not in (ACCEPTED, DELIVERING, COMPLETED):
            raise Conflict(f"order is {order.stage}, no delivery in progress")
        at = self._touch(order)
        order.logistics.append(
            {
                "step": step,
                "by": "platform" if by_platform else "merchant",
                "rider_name": rider_name,
                "rider_phone": rider_phone,
                "at": at,
                **(extra or {}),
            }
        )
        if by_platform:
            self.notifier.notify(order, "delivery", step=step, rider_name=rider_name, rider_phone=rider_phone)
        if step == "delivering" and order.stage == ACCEPTED:
            order.stage = DELIVERING
            self.notifier.notify(order, "delivering")
        elif step == "delivered" and order.stage != COMPLETED:
            order.stage = COMPLETED
            self.notifier.notify(order, "finished")

    def apply_refund(
        self,
        order: SimOrder,
        *,
        reason: str,
        amount_fen: int | None = None,
        after_sale_id: str | None = None,
        return_goods: bool = False,
        pictures: tuple[str, ...] = (),
    ) -> AfterSale:
        if order.stage in (CANCELLED, CLOSED, AWAITING_ACCEPT):
            raise Conflict(f"order is {order.stage}, no refund possible")
        if order.open_after_sale():
            raise Conflict("a refund request is already open")
        now = self._touch(order)
        amount = order.paid_fen if amount_fen is None else min(amount_fen, order.paid_fen)
        after_sale = AfterSale(
            after_sale_id=after_sale_id or str(7_300_000_000_000_000 + self.store.next_id()),
            order_id=order.order_id,
            kind="full" if amount == order.paid_fen else "partial",
            status="applied",
            amount_fen=amount,
            reason=reason,
            created_at=now,
            updated_at=now,
            return_goods=return_goods,
            pictures=list(pictures),
            deadline_at=now + AUTO_AGREE_SECONDS,
        )
        order.after_sales.append(after_sale)
        self.notifier.notify(order, "refund_applied", after_sale=after_sale)
        return after_sale

    def decide_refund(self, order: SimOrder, *, agree: bool, reason: str = "") -> AfterSale:
        after_sale = order.open_after_sale()
        if after_sale is None:
            raise Conflict("no open refund request")
        after_sale.updated_at = self._touch(order)
        after_sale.status = "agreed" if agree else "rejected"
        if agree and after_sale.return_goods:
            after_sale.status = "return_agreed"  # the money waits for the goods
        self.notifier.notify(
            order, "refund_agreed" if agree else "refund_rejected", after_sale=after_sale, reason=reason
        )
        if agree and not after_sale.return_goods:  # the money goes back at once in the sandbox
            after_sale.status = "refunded"
            after_sale.updated_at = self._touch(order)
            if after_sale.kind == "full":
                order.stage = CLOSED
            self.notifier.notify(order, "refunded", after_sale=after_sale)
        return after_sale

    def withdraw_refund(self, order: SimOrder) -> AfterSale:
        after_sale = order.open_after_sale()
        if after_sale is None:
            raise Conflict("no open refund request")
        after_sale.status = "cancelled"
        after_sale.updated_at = self._touch(order)
        self.notifier.notify(order, "refund_cancelled", after_sale=after_sale)
        return after_sale
