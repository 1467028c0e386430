"""ERP link rules: when an order may go to the ERP, what blocks it, and how its ERP state reads.

The brief's source system shows an order's ERP state as a number; the OMS keeps words and keeps
the numbers for the API docs: 未推送 0, 已推送 200, 推送失败 100, 取消已推送 > 200 (201).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from types import MappingProxyType

from qihang_app.domain.order_status import OrderStatus


class ErpState(StrEnum):
    BLOCKED = "blocked"  # waiting: a line has no ERP SKU yet (the reason is shown)
    QUEUED = "queued"  # in the outbox, not yet accepted by the ERP
    PUSHED = "pushed"  # the ERP accepted the order
    FAILED = "failed"  # the push is dead after its last attempt (re-pushable)
    CANCEL_QUEUED = "cancel_queued"  # the order was cancelled after the push; the cancel is on its way
    CANCEL_PUSHED = "cancel_pushed"  # the ERP accepted the cancel
    CANCEL_FAILED = "cancel_failed"  # the cancel is dead after its last attempt (re-pushable)


class ErpEvent(StrEnum):
    ORDER = "order.created"
    CANCEL = "order.cancelled"
    AFTER_SALE = "aftersale.created"


class PushOn(StrEnum):
    ACCEPT = "accept"  # after 接单 (e-commerce orders: after payment, they have no accept step)
    PAID = "paid"  # as soon as the order is paid


# The 0 / 200 / 100 / >200 of the brief's source system (documented in the API docs).
LEGACY_CODE = MappingProxyType(
    {
        None: 0,
        ErpState.BLOCKED: 0,
        ErpState.QUEUED: 0,
        ErpState.PUSHED: 200,
        ErpState.FAILED: 100,
        ErpState.CANCEL_QUEUED: 200,
        ErpState.CANCEL_PUSHED: 201,
        ErpState.CANCEL_FAILED: 200,
    }
)
# What staff read: the four words of the issue (details such as the blocking reason beside them).
LABEL = MappingProxyType(
    {
        0: ("未推送", "Not pushed"),
        200: ("已推送", "Pushed"),
        100: ("推送失败", "Push failed"),
        201: ("取消已推送", "Cancel pushed"),
    }
)

_AFTER_ACCEPT = frozenset({OrderStatus.TO_SHIP, OrderStatus.SHIPPED, OrderStatus.COMPLETED})
_AFTER_PAY = _AFTER_ACCEPT | {OrderStatus.AWAITING_ACCEPT}
ENDED = frozenset({OrderStatus.CANCELLED, OrderStatus.CLOSED})


def legacy_code(state: str | None) -> int:
    return LEGACY_CODE[ErpState(state) if state else None]


def label(state: str | None, lang: str = "zh") -> str:
    zh, en = LABEL[legacy_code(state)]
    return en if lang == "en" else zh


def due_statuses(push_on: str) -> frozenset[OrderStatus]:
    """Statuses in which an order not yet pushed should go (per the connection's rule)."""
    return _AFTER_PAY if PushOn(push_on) is PushOn.PAID else _AFTER_ACCEPT


def unlinked_lines(lines: Iterable[tuple[int, str, int | None]]) -> list[str]:
    """(line_no, name, erp_sku_id) → "#2 苹果" for each line that has no ERP SKU (blocks the push)."""
    return [f"#{no} {name}".strip() for no, name, erp_id in lines if erp_id is None]


def idempotency_key(connection_id: int, order_id: int, event: str, version: int) -> str:
    """One key per (order, event, version); the connection is part of it (two ERPs, two pushes)."""
    return f"erp:{connection_id}:{order_id}:{ErpEvent(event).value}:v{version}"


def after_sale_key(connection_id: int, after_sale_id: int, event: str, version: int) -> str:
    """One key per (after-sale, event, version), apart from the order keys."""
    return f"erp:{connection_id}:as{after_sale_id}:{ErpEvent(event).value}:v{version}"


# Our after-sale types → the kind an ERP push names (ErpAfterSale.kind; adapters map the rest to 其它).
AFTER_SALE_KIND = {"presale_refund": "refund_only", "return_refund": "return"}


def virtual_customer(platform: str, buyer_ref: str) -> str:
    """The default ERP customer of a platform buyer identity: one per buyer, stable, ≤ 40 chars."""
    import hashlib

    digest = hashlib.sha256(f"{platform}\n{buyer_ref}".encode()).hexdigest()[:16].upper()
    return f"QH-{platform[:12].upper()}-{digest}"
