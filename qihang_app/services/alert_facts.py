"""What each alert rule looks at, read from the database (and the probes the caller made).

FACTS has one reader per rule code of domain/alert_rules.RULES. A reader returns plain dicts, or
None when it cannot say (then that rule's open problems stay open rather than "resolve").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.aftersale import AfterSaleState
from qihang_app.domain.messages import encode
from qihang_app.domain.money import format_money
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import (
    AfterSale,
    ErpSku,
    Order,
    OutboxMessage,
    Shop,
    StockLevel,
    StockLocation,
    Store,
    WorkerHeartbeat,
)

Reader = Callable[[Session, datetime, dict[str, Any]], list[dict[str, Any]] | None]
LOOK_BACK = timedelta(days=2)  # orders older than this are nobody's live problem any more
ROW_CAP = 500  # a flood of problems is summed up by board_backlog; no run reads more rows
ERP_TARGET = "erp"  # outbox rows bound for the merchant's ERP (others are platform write-backs)
ON_BOARD = (OrderStatus.AWAITING_ACCEPT.value, OrderStatus.TO_SHIP.value)
ENDED = (OrderStatus.CANCELLED.value, OrderStatus.CLOSED.value, OrderStatus.COMPLETED.value)


def unaccepted_orders(session: Session, now: datetime, probes: dict) -> list[dict]:
    rows = session.exec(
        select(Order.id, Order.store_id, Order.display_no, Order.platform, Order.created_at)
        .where(Order.status == OrderStatus.AWAITING_ACCEPT.value, Order.created_at >= now - LOOK_BACK)
        .order_by(Order.created_at)
        .limit(ROW_CAP)
    ).all()
    return [
        {"order_id": i, "store_id": s, "display_no": no or str(i), "platform": p, "since": at}
        for i, s, no, p, at in rows
    ]


def attention_orders(session: Session, now: datetime, probes: dict) -> list[dict]:
    rows = session.exec(
        select(Order.id, Order.store_id, Order.display_no, Order.platform, Order.exception_reason)
        .where(
            Order.exception_reason.is_not(None),
            Order.status.not_in(ENDED),
            Order.updated_at >= now - LOOK_BACK,
        )
        .limit(ROW_CAP)
    ).all()
    return [
        {"order_id": i, "store_id": s, "display_no": no or str(i), "platform": p, "reason": r}
        for i, s, no, p, r in rows
    ]


def refund_requests(session: Session, now: datetime, probes: dict) -> list[dict]:
    """Cards flagged with a refund request, and platform after-sales still waiting for an answer
    (知道了 clears the card's flag; the request stays open on the platform until answered)."""
    flagged = attention_orders(session, now, probes)
    seen = {f["order_id"] for f in flagged}
    rows = session.exec(
        select(AfterSale.order_id, AfterSale.store_id, Order.display_no, AfterSale.platform, AfterSale.amount_fen)
        .join(Order, Order.id == AfterSale.order_id)
        .where(
            AfterSale.state == AfterSaleState.PENDING.value,
            AfterSale.platform_refund_id.not_like("manual:%"),  # staff made it: nobody to answer
            AfterSale.created_at >= now - LOOK_BACK,
        )
        .order_by(AfterSale.id)
        .limit(ROW_CAP)
    ).all()
    for order_id, store_id, no, platform, fen in rows:
        if order_id in seen:
            continue
        seen.add(order_id)
        reason = encode("attention.refund_applied", amount=f" {format_money(fen)}" if fen else "")
        flagged.append(
            {
                "order_id": order_id,
                "store_id": store_id,
                "display_no": no or str(order_id),
                "platform": platform,
                "reason": reason,
            }  # fmt: skip
        )
    return flagged


def board_counts(session: Session, now: datetime, probes: dict) -> list[dict]:
    rows = session.exec(
        select(Order.store_id, Store.name, sa.func.count())
        .join(Store, Store.id == Order.store_id)
        .where(Order.status.in_(ON_BOARD), Order.ready_at.is_(None), Order.created_at >= now - LOOK_BACK)
        .group_by(Order.store_id, Store.name)
    ).all()
    return [{"store_id": s, "store_name": name, "count": n} for s, name, n in rows]


def shop_tokens(session: Session, now: datetime, probes: dict) -> list[dict]:
    """The authorization's end: the refresh token's where there is one (the workers renew the
    access token until then); now for a shop the platform refused to refresh (需要重新授权)."""
    rows = session.exec(
        select(
            Shop.id,
            Shop.store_id,
            Shop.name,
            Shop.platform,
            Shop.token_expires_at,
            Shop.refresh_expires_at,
            Shop.reauth_reason,
        ).where(Shop.enabled, Shop.token_expires_at.is_not(None))
    ).all()
    return [
        {"shop_id": i, "store_id": s, "shop_name": n, "platform": p, "expires_at": now if reauth else (refresh or at)}
        for i, s, n, p, at, refresh, reauth in rows
    ]


def heartbeats(session: Session, now: datetime, probes: dict) -> list[dict]:
    return [{"last_seen_at": at} for at in session.exec(select(WorkerHeartbeat.last_seen_at)).all()]


def redis_probe(session: Session, now: datetime, probes: dict) -> list[dict] | None:
    if "redis_ok" not in probes:
        return None
    return [{"ok": bool(probes["redis_ok"]), "error": str(probes.get("redis_error", ""))}]


def dead_write_backs(session: Session, now: datetime, probes: dict) -> list[dict]:
    rows = session.exec(
        select(OutboxMessage.target, sa.func.count())
        .where(OutboxMessage.status == "dead", OutboxMessage.target != ERP_TARGET)
        .group_by(OutboxMessage.target)
    ).all()
    return [{"target": t, "count": n} for t, n in rows]


def dead_erp_pushes(session: Session, now: datetime, probes: dict) -> list[dict]:
    rows = session.exec(
        select(OutboxMessage.id, OutboxMessage.order_id, Order.store_id, Order.display_no)
        .join(Order, Order.id == OutboxMessage.order_id, isouter=True)
        .where(OutboxMessage.status == "dead", OutboxMessage.target == ERP_TARGET)
        .limit(ROW_CAP)
    ).all()
    return [{"outbox_id": i, "order_id": o, "store_id": s, "display_no": no or str(o or "")} for i, o, s, no in rows]


def low_stock(session: Session, now: datetime, probes: dict) -> list[dict]:
    """Levels at or below their own low-stock line in enabled places (warehouses: store_id None)."""
    available = StockLevel.on_hand - StockLevel.reserved
    rows = session.execute(
        sa.select(
            StockLevel.location_id,
            StockLevel.erp_sku_id,
            StockLocation.store_id,
            StockLocation.name,
            ErpSku.code,
            ErpSku.name,
            available,
            StockLevel.low_threshold,
        )
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .join(ErpSku, ErpSku.id == StockLevel.erp_sku_id)
        .where(StockLevel.low_threshold > 0, available <= StockLevel.low_threshold, StockLocation.enabled)
        .order_by(StockLevel.id)
        .limit(ROW_CAP)
    ).all()
    return [
        {"location_id": loc, "sku_id": sku, "store_id": store, "location": place, "code": code, "name": name}
        | {"available": int(left), "threshold": line}
        for loc, sku, store, place, code, name, left, line in rows
    ]


FACTS: dict[str, Reader] = {
    "new_order_unaccepted": unaccepted_orders,
    "refund_request": refund_requests,
    "rider_problem": attention_orders,
    "board_backlog": board_counts,
    "token_expiring": shop_tokens,
    "worker_down": heartbeats,
    "redis_down": redis_probe,
    "outbox_dead": dead_write_backs,
    "erp_push_dead": dead_erp_pushes,
    "stock_low": low_stock,
}
