"""Dispatch board: the live orders of the actor's stores, grouped into tabs, as plain cards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.board import TAB_ORDER, Tab, board_tab, distance_m, format_distance, primary_action
from qihang_app.domain.display import SHANGHAI
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import Order, OrderLine, Shop, Store, utcnow

from .scope import Actor, require_store, store_filter

ACTIVE = [OrderStatus.AWAITING_ACCEPT, OrderStatus.TO_SHIP, OrderStatus.SHIPPED]
ENDED = [OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.CLOSED]


@dataclass(frozen=True)
class CardLine:
    name: str
    spec: str
    quantity: int


@dataclass(frozen=True)
class Card:
    id: int
    store_id: int
    tab: Tab
    platform: str
    day_seq: int | None
    display_no: str
    platform_order_id: str
    shop_name: str
    status: str
    placed_at: datetime | None
    accept_deadline_at: datetime | None
    expected_delivery_at: datetime | None
    is_scheduled: bool
    lines: list[CardLine]
    buyer_memo: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    distance: str
    paid_fen: int
    delivery_type: str
    rider_name: str
    rider_phone: str
    rider_status: str
    pending_action: str
    action_error: str
    exception_reason: str
    auto_accepted: bool
    primary_action: str


@dataclass
class Board:
    cards: dict[Tab, list[Card]] = field(default_factory=lambda: {tab: [] for tab in TAB_ORDER})
    counts: dict[Tab, int] = field(default_factory=lambda: {tab: 0 for tab in TAB_ORDER})


def shanghai_midnight_utc(now: datetime) -> datetime:
    local = now.astimezone(SHANGHAI)
    return datetime.combine(local.date(), time.min, SHANGHAI).astimezone(now.tzinfo)


def load_board(
    session: Session,
    *,
    actor: Actor,
    store_ids: list[int] | None = None,
    platform: str | None = None,
    query: str | None = None,
    per_tab: int = 60,
    now: datetime | None = None,
) -> Board:
    """Live orders plus today's ended ones, newest first in each tab (a new card slides in on
    top, as staff expect); counts are not capped, cards are (per_tab)."""
    now = now or utcnow()
    for store_id in store_ids or []:
        require_store(actor, store_id)
    since = shanghai_midnight_utc(now)
    where = [
        store_filter(actor, Order.store_id),
        sa.or_(
            Order.status.in_([s.value for s in ACTIVE]),
            sa.and_(Order.status.in_([s.value for s in ENDED]), Order.updated_at >= since),
            Order.exception_reason.is_not(None),
        ),
    ]
    if store_ids:
        where.append(Order.store_id.in_(store_ids))
    if platform:
        where.append(Order.platform == platform)
    if query:
        q = query.strip().lstrip("#")
        if q.isdigit() and len(q) == 4:
            where.append(sa.or_(Order.receiver_phone_tail == q, Order.day_seq == int(q)))
        elif q.isdigit():
            where.append(Order.day_seq == int(q))
        elif q:
            where.append(Order.display_no == q)
    rows = session.exec(
        select(Order, Shop.name, Store.lat, Store.lng)
        .join(Shop, Shop.id == Order.shop_id)
        .join(Store, Store.id == Order.store_id)
        .where(*where)
        .order_by(Order.placed_at.desc(), Order.id.desc())
    ).all()

    board = Board()
    picked: list[tuple[Order, str, Tab, float | None, float | None]] = []
    for order, shop_name, store_lat, store_lng in rows:
        tab = board_tab(
            status=order.status,
            is_scheduled=order.is_scheduled,
            ready_at=order.ready_at,
            accepted_at=order.accepted_at,
            expected_delivery_at=order.expected_delivery_at,
            exception_reason=order.exception_reason,
            now=now,
        )
        if tab is None:
            continue
        board.counts[tab] += 1
        if len(board.cards[tab]) + sum(1 for p in picked if p[2] is tab) < per_tab:
            picked.append((order, shop_name, tab, store_lat, store_lng))
    lines = _lines(session, [p[0].id for p in picked])
    for order, shop_name, tab, store_lat, store_lng in picked:
        board.cards[tab].append(_card(order, shop_name, tab, lines.get(order.id, []), store_lat, store_lng))
    return board


def _lines(session: Session, order_ids: list[int]) -> dict[int, list[CardLine]]:
    out: dict[int, list[CardLine]] = defaultdict(list)
    if not order_ids:
        return out
    for line in session.exec(
        select(OrderLine).where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.order_id, OrderLine.line_no)
    ):
        out[line.order_id].append(CardLine(line.name, line.spec, line.quantity))
    return out


def _implied_exception(order: Order, tab: Tab) -> str:
    """Why a card sits in 异常 when nobody wrote a reason (the state says it all)."""
    if tab is not Tab.EXCEPTION:
        return ""
    if order.status == OrderStatus.CANCELLED.value:
        return "订单已取消，请停止备货 / cancelled: stop picking"
    if order.status == OrderStatus.CLOSED.value:
        return "订单已全额退款 / fully refunded"
    return "已超过承诺送达时间 / past the promised delivery time"


def _card(order: Order, shop_name: str, tab: Tab, lines: list[CardLine], store_lat, store_lng) -> Card:
    action = primary_action(tab=tab, delivery_type=order.delivery_type, pending_action=order.pending_action)
    return Card(
        id=order.id,
        store_id=order.store_id,
        tab=tab,
        platform=order.platform,
        day_seq=order.day_seq,
        display_no=order.display_no or order.platform_order_id,
        platform_order_id=order.platform_order_id,
        shop_name=shop_name,
        status=order.status,
        placed_at=order.placed_at,
        accept_deadline_at=order.accept_deadline_at,
        expected_delivery_at=order.expected_delivery_at,
        is_scheduled=order.is_scheduled,
        lines=lines,
        buyer_memo=order.buyer_memo or "",
        receiver_name=order.receiver_name or "",
        receiver_phone=order.receiver_phone or "",
        receiver_address=order.receiver_address or "",
        distance=format_distance(distance_m(store_lat, store_lng, order.receiver_lat, order.receiver_lng)),
        paid_fen=order.paid_fen,
        delivery_type=order.delivery_type or "",
        rider_name=order.rider_name or "",
        rider_phone=order.rider_phone or "",
        rider_status=order.rider_status or "",
        pending_action=order.pending_action or "",
        action_error=order.action_error or "",
        exception_reason=order.exception_reason or _implied_exception(order, tab),
        auto_accepted=order.auto_accepted,
        primary_action=action.value if action else "",
    )
