"""Which orders a sweep asks the platform's refund query about (lost refund pushes).

Some platforms' order detail shows a refunded order as cancelled, so the order sweep alone cannot
see a refund whose push was lost: the sweep asks the refund query for recent orders that may
carry one.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain.aftersale import FINISHED
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import AfterSale, Order

# Paid orders a buyer may still ask a refund of, and ended ones a refund may have ended.
ASKABLE = (
    OrderStatus.TO_SHIP.value,
    OrderStatus.SHIPPED.value,
    OrderStatus.COMPLETED.value,
    OrderStatus.CANCELLED.value,
    OrderStatus.CLOSED.value,
)


def refund_sweep_order_ids(session: Session, *, shop_id: int, since: datetime, limit: int = 100) -> list[str]:
    """Orders with an open after-sale (to follow it), then recent paid orders, least recently
    changed first."""
    open_ones = (
        sa.select(Order.platform_order_id)
        .join(AfterSale, AfterSale.order_id == Order.id)
        .where(Order.shop_id == shop_id, AfterSale.state.not_in([s.value for s in FINISHED]))
        .order_by(AfterSale.updated_at)
        .limit(limit)
    )
    found = list(dict.fromkeys(session.execute(open_ones).scalars()))
    recent = (
        sa.select(Order.platform_order_id)
        .where(
            Order.shop_id == shop_id,
            Order.placed_at >= since,
            Order.status.in_(ASKABLE),
            Order.after_sale_state == "none",
        )
        .order_by(Order.updated_at)
        .limit(limit)
    )
    for order_id in session.execute(recent).scalars():
        if len(found) >= limit:
            break
        if order_id not in found:
            found.append(order_id)
    return found
