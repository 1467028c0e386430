"""Dispatch-board rules (pure): which tab an order sits in, how urgent it is, the card's next
action, and the distance from the store to the receiver."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum

from qihang_app.domain import partners
from qihang_app.domain.messages import decode, encode
from qihang_app.domain.money import format_money
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import DeliveryStatus, RefundKind, RefundStatus

SCHEDULED_LEAD = timedelta(minutes=60)  # a booked order waits in 预订单 until this close to its time
WARN_BEFORE = timedelta(minutes=5)  # countdowns turn amber this long before the deadline


# Reasons for cancelling an order that lives only in the OMS (manual orders); platform orders
# use their platform's own list (its profile in domain.partners).
OMS_CANCEL_REASONS: dict[str, tuple[str, str]] = {
    "sold_out": ("商品已售完", "Sold out"),
    "closed": ("店铺已打烊", "Store closed"),
    "customer": ("顾客取消", "The customer cancelled"),
    "other": ("其他原因", "Other"),
}


def reject_reasons(platform: str) -> dict[str, tuple[str, str]]:
    """The reason list staff choose from when rejecting / cancelling an order of `platform`;
    empty when the platform has no reject call (the card sends staff to the platform)."""
    found = partners.profile(platform)
    if found is None:
        return {}
    if found.code == partners.OFFLINE.code:
        return OMS_CANCEL_REASONS
    return found.reject_reasons if found.supports(partners.WriteBack.REJECT) else {}


class Tab(StrEnum):
    NEW = "new"  # 新订单: waiting for the store to accept
    PICKING = "picking"  # 备货中
    AWAITING_RIDER = "awaiting_rider"  # 待配送: packed, waiting for a rider
    DELIVERING = "delivering"  # 配送中
    DONE = "done"  # 已完成 (today)
    EXCEPTION = "exception"  # 异常: cancelled after accept, refund asked, failed platform call, overdue
    SCHEDULED = "scheduled"  # 预订单: accepted, due later


TAB_ORDER = [Tab.NEW, Tab.PICKING, Tab.AWAITING_RIDER, Tab.DELIVERING, Tab.EXCEPTION, Tab.SCHEDULED, Tab.DONE]


class Action(StrEnum):
    ACCEPT = "accept"  # 接单
    REJECT = "reject"  # 拒单
    READY = "ready"  # 备货完成
    DISPATCH_SELF = "dispatch_self"  # 自配送出发
    DELIVERED = "delivered"  # 已送达 (own riders)
    ACK_EXCEPTION = "ack_exception"  # 知道了 (clears the exception mark)
    PRINT = "print"  # 打印小票
    SHIP = "ship"  # 发货: an express parcel gets its tracking number (typed or 电子面单) in the drawer


def board_tab(
    *,
    status: str,
    is_scheduled: bool,
    ready_at: datetime | None,
    accepted_at: datetime | None,
    expected_delivery_at: datetime | None,
    exception_reason: str | None,
    now: datetime,
) -> Tab | None:
    """The tab of an order on the board, or None when it does not belong there."""
    status = OrderStatus(status)
    if exception_reason:
        return Tab.EXCEPTION
    if status in (OrderStatus.CANCELLED, OrderStatus.CLOSED):
        # Staff who already started on it must see that it was cancelled.
        return Tab.EXCEPTION if accepted_at else Tab.DONE
    if status is OrderStatus.COMPLETED:
        return Tab.DONE
    if status is OrderStatus.AWAITING_ACCEPT:
        return Tab.NEW
    late = expected_delivery_at is not None and expected_delivery_at < now
    if status is OrderStatus.TO_SHIP:
        if late:
            return Tab.EXCEPTION
        if ready_at:
            return Tab.AWAITING_RIDER
        if is_scheduled and expected_delivery_at and expected_delivery_at - now > SCHEDULED_LEAD:
            return Tab.SCHEDULED
        return Tab.PICKING
    if status is OrderStatus.SHIPPED:
        return Tab.EXCEPTION if late else Tab.DELIVERING
    return None


def urgency(deadline: datetime | None, now: datetime) -> str:
    """'ok', 'warn' (amber: within WARN_BEFORE) or 'late' (red: past)."""
    if deadline is None:
        return "ok"
    if now >= deadline:
        return "late"
    return "warn" if deadline - now <= WARN_BEFORE else "ok"


def primary_action(*, tab: Tab, delivery_type: str, pending_action: str | None) -> Action | None:
    """The one big button on a card (None while a platform call for it is in flight)."""
    if pending_action:
        return None
    if tab is Tab.NEW:
        return Action.ACCEPT
    if delivery_type == "express":  # e-commerce: packed and handed to a parcel carrier, no rider
        if tab in (Tab.PICKING, Tab.SCHEDULED, Tab.AWAITING_RIDER):
            return Action.SHIP
        return Action.ACK_EXCEPTION if tab is Tab.EXCEPTION else None
    if tab in (Tab.PICKING, Tab.SCHEDULED):
        return Action.READY
    if tab is Tab.AWAITING_RIDER:
        return Action.DISPATCH_SELF if delivery_type == "self" else None
    if tab is Tab.DELIVERING:
        return Action.DELIVERED if delivery_type == "self" else None
    if tab is Tab.EXCEPTION:
        return Action.ACK_EXCEPTION
    return None


def distance_m(lat1: float | None, lng1: float | None, lat2: float | None, lng2: float | None) -> int | None:
    """Great-circle distance in metres (GCJ-02 offsets cancel out at store-to-door scale)."""
    if None in (lat1, lng1, lat2, lng2):
        return None
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * r * math.asin(math.sqrt(a)))


def format_distance(metres: int | None) -> str:
    if metres is None:
        return ""
    return f"{metres}m" if metres < 1000 else f"{metres / 1000:.1f}km"


REFUND_REQUEST_KEYS = ("attention.refund_applied", "attention.refund_applied_why")  # the board speaks these
OLD_REFUND_REQUEST = "顾客申请退款"  # how such a reason started before reasons were encoded


def refund_attention(
    *, kind: RefundKind, status: RefundStatus, amount_fen: int | None, reason: str, accepted: bool
) -> str:
    """What a refund message means for the store (an encoded message, see domain.messages), or
    "" when it needs nobody's attention. A request must be answered on the platform; a partial
    refund already paid on an order the store is working on changes what goes into the bag. (A
    full refund closes the order, and the closed state says so by itself.)"""
    amount = f" {format_money(amount_fen)}" if amount_fen else ""
    why = {"reason": reason} if reason else {}
    suffix = "_why" if reason else ""
    # A request is not called full or partial: some platforms' refund push carries both kinds, and
    # the amount says it plainly.
    if status is RefundStatus.APPLIED:
        return encode("attention.refund_applied" + suffix, amount=amount, **why)
    if status is RefundStatus.SUCCEEDED and kind is RefundKind.PARTIAL and accepted:
        return encode("attention.partial_refund_paid" + suffix, amount=amount, **why)
    return ""


def rider_attention(*, status: DeliveryStatus, rider_name: str) -> str:
    """A rider message the store must act on (an encoded message), or ""."""
    if status is DeliveryStatus.CANCELLED:
        return encode("attention.rider_cancelled")
    if status is DeliveryStatus.EXCEPTION:
        if rider_name:
            return encode("attention.rider_problem_named", rider=rider_name)
        return encode("attention.rider_problem")
    return ""


class EndMark(StrEnum):
    """The mark on a card whose order will not be delivered (None: it is or was delivered)."""

    REJECTED = "rejected"  # 已拒单: the store declined it before accepting
    CANCELLED = "cancelled"  # 已取消: the buyer, the platform's service or its system cancelled
    REFUNDED = "refunded"  # 已退款: fully refunded after acceptance


def end_mark(*, status: str, accepted: bool, cancelled_by: str | None) -> EndMark | None:
    status = OrderStatus(status)
    if status is OrderStatus.CLOSED:
        return EndMark.REFUNDED
    if status is not OrderStatus.CANCELLED:
        return None
    return EndMark.REJECTED if cancelled_by == "merchant" and not accepted else EndMark.CANCELLED


def shows_deadline(*, tab: Tab, mark: EndMark | None) -> bool:
    """A 接单/送达 countdown only while somebody still has to act on time."""
    return mark is None and tab is not Tab.DONE


class Alert(StrEnum):
    """What the board says aloud besides new orders (as platforms' merchant apps speak them)."""

    CANCELLED = "cancelled"  # "订单已取消": cancelled after the store accepted it
    REFUND = "refund"  # "顾客申请退款"
    RIDER = "rider"  # "配送异常，请处理": the rider cancelled, the goods come back, …


def alert_of(*, tab: Tab, status: str, exception_reason: str) -> Alert | None:
    """The voice line of a card in 异常, or None."""
    if tab is not Tab.EXCEPTION:
        return None
    if status == OrderStatus.CANCELLED.value:
        return Alert.CANCELLED
    decoded = decode(exception_reason)
    if decoded is not None and decoded[0] in REFUND_REQUEST_KEYS:
        return Alert.REFUND
    if decoded is None and exception_reason.startswith(OLD_REFUND_REQUEST):
        return Alert.REFUND
    if decoded is not None and decoded[0].startswith("attention.rider_"):
        return Alert.RIDER
    return None


def search_tab(current: Tab, counts: dict[Tab, int]) -> Tab:
    """Where a search result should be looked at: the tab shown if it has matches, else the
    first tab (board order) that does, else the tab shown."""
    if counts.get(current, 0) > 0:
        return current
    return next((tab for tab in TAB_ORDER if counts.get(tab, 0) > 0), current)
