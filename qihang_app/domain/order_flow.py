"""Unified order state machine shared by every platform.

Two ways an order changes status:

* **Local actions** (merchant clicks accept/ship/split...) go through `next_status`, which only
  allows the transitions in `_TRANSITIONS` and raises `IllegalTransition` otherwise.
* **Platform ingest** (push or cron sweep, at-least-once, possibly out of order) asks
  `can_move(stored, reported)`: platforms are the source of truth, so a reported status may skip
  steps we never saw (e.g. pending_payment → shipped), but it never moves an order backwards.

Rules decided here:

* Terminal statuses are cancelled, closed and invalid: no event leaves them and ingest never
  replaces them. The first terminal status that is stored wins.
* completed is *not* terminal: a full refund of a completed order (after-sale) closes it
  (completed → closed). A completed order is never "cancelled" (that would lose the sale).
* A merchant rejecting an instant-retail order (reject) makes it cancelled, as the platforms
  report it; closed is kept for "paid, then fully refunded" (refund_full).
* invalid is set only locally by a split (the parent of split children); ingest never sets it
  and never changes it (the children carry the state from then on).
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from qihang_app.domain.errors import DomainError
from qihang_app.domain.order_status import OrderStatus


class OrderEvent(StrEnum):
    PAY = "pay"  # 付款
    ACCEPT = "accept"  # 接单 (instant retail)
    REJECT = "reject"  # 拒单 (instant retail)
    SHIP = "ship"  # 发货 / 骑手取货配送
    COMPLETE = "complete"  # 确认收货 / 送达
    CANCEL = "cancel"  # 取消
    REFUND_FULL = "refund_full"  # 全额退款 (only after payment)
    SPLIT = "split"  # 拆单: the parent becomes invalid


STATUS_LABEL_ZH = MappingProxyType(
    {
        OrderStatus.PENDING_PAYMENT: "待付款",
        OrderStatus.AWAITING_ACCEPT: "待接单",
        OrderStatus.TO_SHIP: "待发货",
        OrderStatus.SHIPPED: "已发货",
        OrderStatus.COMPLETED: "交易成功",
        OrderStatus.CANCELLED: "已取消",
        OrderStatus.CLOSED: "交易关闭",
        OrderStatus.INVALID: "无效",
    }
)
STATUS_LABEL_EN = MappingProxyType(
    {
        OrderStatus.PENDING_PAYMENT: "Pending payment",
        OrderStatus.AWAITING_ACCEPT: "Awaiting acceptance",
        OrderStatus.TO_SHIP: "To ship",
        OrderStatus.SHIPPED: "Shipped",
        OrderStatus.COMPLETED: "Completed",
        OrderStatus.CANCELLED: "Cancelled",
        OrderStatus.CLOSED: "Closed",
        OrderStatus.INVALID: "Invalid",
    }
)
# Instant retail merchants say 新订单/备货中/配送中 for the same statuses.
_INSTANT_RETAIL_ZH = MappingProxyType(
    {
        OrderStatus.AWAITING_ACCEPT: "新订单",
        OrderStatus.TO_SHIP: "备货中",
        OrderStatus.SHIPPED: "配送中",
    }
)
_INSTANT_RETAIL_EN = MappingProxyType(
    {
        OrderStatus.TO_SHIP: "Preparing",
        OrderStatus.SHIPPED: "Delivering",
    }
)

EVENT_LABEL_ZH = MappingProxyType(
    {
        OrderEvent.PAY: "付款",
        OrderEvent.ACCEPT: "接单",
        OrderEvent.REJECT: "拒单",
        OrderEvent.SHIP: "发货",
        OrderEvent.COMPLETE: "完成",
        OrderEvent.CANCEL: "取消",
        OrderEvent.REFUND_FULL: "全额退款",
        OrderEvent.SPLIT: "拆单",
    }
)
EVENT_LABEL_EN = MappingProxyType(
    {
        OrderEvent.PAY: "pay",
        OrderEvent.ACCEPT: "accept",
        OrderEvent.REJECT: "reject",
        OrderEvent.SHIP: "ship",
        OrderEvent.COMPLETE: "complete",
        OrderEvent.CANCEL: "cancel",
        OrderEvent.REFUND_FULL: "full refund",
        OrderEvent.SPLIT: "split",
    }
)

# PAY's target depends on needs_accept; TO_SHIP here is the e-commerce default.
_TRANSITIONS: MappingProxyType[OrderStatus, MappingProxyType[OrderEvent, OrderStatus]] = MappingProxyType(
    {
        OrderStatus.PENDING_PAYMENT: MappingProxyType(
            {
                OrderEvent.PAY: OrderStatus.TO_SHIP,
                OrderEvent.CANCEL: OrderStatus.CANCELLED,
            }
        ),
        OrderStatus.AWAITING_ACCEPT: MappingProxyType(
            {
                OrderEvent.ACCEPT: OrderStatus.TO_SHIP,
                OrderEvent.REJECT: OrderStatus.CANCELLED,
                OrderEvent.CANCEL: OrderStatus.CANCELLED,
                OrderEvent.REFUND_FULL: OrderStatus.CLOSED,
            }
        ),
        OrderStatus.TO_SHIP: MappingProxyType(
            {
                OrderEvent.SHIP: OrderStatus.SHIPPED,
                OrderEvent.CANCEL: OrderStatus.CANCELLED,
                OrderEvent.REFUND_FULL: OrderStatus.CLOSED,
                OrderEvent.SPLIT: OrderStatus.INVALID,
            }
        ),
        OrderStatus.SHIPPED: MappingProxyType(
            {
                OrderEvent.COMPLETE: OrderStatus.COMPLETED,
                OrderEvent.REFUND_FULL: OrderStatus.CLOSED,
            }
        ),
        OrderStatus.COMPLETED: MappingProxyType({OrderEvent.REFUND_FULL: OrderStatus.CLOSED}),
        OrderStatus.CANCELLED: MappingProxyType({}),
        OrderStatus.CLOSED: MappingProxyType({}),
        OrderStatus.INVALID: MappingProxyType({}),
    }
)

TERMINAL_STATUSES = frozenset({OrderStatus.CANCELLED, OrderStatus.CLOSED, OrderStatus.INVALID})

# Forward progress for ingest; terminal statuses share the top rank.
_RANK = MappingProxyType(
    {
        OrderStatus.PENDING_PAYMENT: 0,
        OrderStatus.AWAITING_ACCEPT: 1,
        OrderStatus.TO_SHIP: 2,
        OrderStatus.SHIPPED: 3,
        OrderStatus.COMPLETED: 4,
        OrderStatus.CANCELLED: 5,
        OrderStatus.CLOSED: 5,
        OrderStatus.INVALID: 5,
    }
)


class IllegalTransition(DomainError):
    """An event is not allowed in the order's current status."""

    def __init__(self, current: OrderStatus, event: OrderEvent) -> None:
        self.current = OrderStatus(current)
        self.event = OrderEvent(event)
        self.allowed = allowed_events(self.current)
        allowed = ", ".join(f"{e.value} {EVENT_LABEL_ZH[e]}" for e in self.allowed) or "none 无"
        super().__init__(
            f"订单状态 {STATUS_LABEL_ZH[self.current]} 不允许 {EVENT_LABEL_ZH[self.event]} "
            f"({self.current.value} → {self.event.value}); allowed: {allowed}"
        )

    def __reduce__(self):  # keep it picklable (arq pickles job errors)
        return (type(self), (self.current, self.event))


def status_label(status: OrderStatus, lang: str = "zh", *, instant_retail: bool = False) -> str:
    """Label for the UI; instant retail uses its own words for a few statuses."""
    status = OrderStatus(status)
    if lang == "zh":
        base, special = STATUS_LABEL_ZH, _INSTANT_RETAIL_ZH
    elif lang == "en":
        base, special = STATUS_LABEL_EN, _INSTANT_RETAIL_EN
    else:
        raise ValueError(f"unsupported language: {lang!r}")
    if instant_retail and status in special:
        return special[status]
    return base[status]


def allowed_events(status: OrderStatus) -> tuple[OrderEvent, ...]:
    """Events allowed in `status`, in OrderEvent declaration order."""
    table = _TRANSITIONS[OrderStatus(status)]
    return tuple(e for e in OrderEvent if e in table)


def is_terminal(status: OrderStatus) -> bool:
    """True for cancelled, closed and invalid: nothing may change them any more."""
    return OrderStatus(status) in TERMINAL_STATUSES


def next_status(current: OrderStatus, event: OrderEvent, *, needs_accept: bool) -> OrderStatus:
    """Status after `event`, or IllegalTransition.

    needs_accept: the order has an accept step (instant retail), so payment leads to
    awaiting_accept instead of to_ship.
    """
    current, event = OrderStatus(current), OrderEvent(event)
    target = _TRANSITIONS[current].get(event)
    if target is None:
        raise IllegalTransition(current, event)
    if event is OrderEvent.PAY and needs_accept:
        return OrderStatus.AWAITING_ACCEPT
    return target


def progress_rank(status: OrderStatus) -> int:
    """How far along an order is; a higher rank never yields to a lower one."""
    return _RANK[OrderStatus(status)]


def can_move(current: OrderStatus, target: OrderStatus) -> bool:
    """Whether a platform-reported `target` may replace the stored `current` status.

    Same status → True (a re-delivered push is a harmless no-op; compare yourself to detect a
    change). Never backwards, terminal stays terminal, ingest never sets invalid, a completed
    order may be closed (full refund) but not cancelled.
    """
    current, target = OrderStatus(current), OrderStatus(target)
    if current == target:
        return True
    if current in TERMINAL_STATUSES or target == OrderStatus.INVALID:
        return False
    if current == OrderStatus.COMPLETED and target == OrderStatus.CANCELLED:
        return False
    return _RANK[target] > _RANK[current]
