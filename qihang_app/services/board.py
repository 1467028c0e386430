"""Dispatch board: the live orders of the actor's stores, grouped into tabs, as plain cards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, time

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.board import (
    TAB_ORDER,
    Tab,
    alert_of,
    board_tab,
    distance_m,
    end_mark,
    format_distance,
    primary_action,
)
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.display import phone_tails
from qihang_app.domain.order_status import OrderStatus
from qihang_app.models import Order, OrderLine, Shop, Store, utcnow

from .scope import Actor, require_store

ACTIVE = [OrderStatus.AWAITING_ACCEPT, OrderStatus.TO_SHIP, OrderStatus.SHIPPED]
ENDED = [OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.CLOSED]


@dataclass(frozen=True)
class CardLine:
    name: str
    spec: str
    quantity: int


@dataclass(frozen=True)
class Card:
    """One order as the board shows it. Frozen: a changed order is a new Card, so boards can
    tell what changed by comparing. `tab` is where it sat when loaded; `tab_at(now)` moves it
    as time passes (a late order turns into 异常, a booked one leaves 预订单)."""

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
    lines: tuple[CardLine, ...]
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
    accepted_at: datetime | None = None
    ready_at: datetime | None = None
    updated_at: datetime | None = None
    explicit_exception: bool = False  # exception_reason was written (not implied by the state)
    phone_tails: tuple[str, ...] = ()  # what 尾号 search finds it by (domain.display.phone_tails)
    end_mark: str = ""  # EndMark: 已取消 / 已拒单 / 已退款
    cancelled_by: str = ""
    cancel_reason: str = ""
    delivery_carrier: str = ""  # who carries it: a carrier code, "own" or "platform"
    rider_eta_at: datetime | None = None

    def tab_at(self, now: datetime) -> Tab | None:
        return _tab(self, self.exception_reason if self.explicit_exception else None, now)

    def at(self, now: datetime, since: datetime) -> Card | None:
        """This card as of `now` (tab, action and implied reason follow the tab), or None when
        it has left the board (an order that ended before today's midnight)."""
        tab = self.tab_at(now)
        if tab is None or (
            self.status in ENDED_VALUES
            and not self.explicit_exception
            and (self.updated_at is None or self.updated_at < since)
        ):
            return None
        if tab is self.tab:
            return self
        action = primary_action(tab=tab, delivery_type=self.delivery_type, pending_action=self.pending_action)
        reason = self.exception_reason if self.explicit_exception else _implied_exception(self.status, tab)
        return replace(self, tab=tab, primary_action=action.value if action else "", exception_reason=reason)


@dataclass
class Board:
    cards: dict[Tab, list[Card]] = field(default_factory=lambda: {tab: [] for tab in TAB_ORDER})
    counts: dict[Tab, int] = field(default_factory=lambda: dict.fromkeys(TAB_ORDER, 0))
    ringing: set[str] = field(default_factory=set)  # platforms of new orders nobody has acted on yet
    alerts: set[str] = field(default_factory=set)  # "cancelled:12", "refund:15": spoken once each


ENDED_VALUES = frozenset(s.value for s in ENDED)


def shanghai_midnight_utc(now: datetime) -> datetime:
    local = now.astimezone(SHANGHAI)
    return datetime.combine(local.date(), time.min, SHANGHAI).astimezone(now.tzinfo)


def on_board_filter(since: datetime):
    """SQL for "belongs on the board": live, ended today, or carrying an exception mark."""
    return sa.or_(
        Order.status.in_([s.value for s in ACTIVE]),
        sa.and_(Order.status.in_([s.value for s in ENDED]), Order.updated_at >= since),
        Order.exception_reason.is_not(None),
    )


def load_cards(
    session: Session, *, store_ids: list[int] | None, order_ids: list[int] | None = None, now: datetime | None = None
) -> dict[int, Card]:
    """Cards of everything on the board of `store_ids` (None: every store), or only of
    `order_ids` (an id missing from the answer has left the board). No scope check: callers
    pass store ids they already checked; use load_board for an actor."""
    now = now or utcnow()
    since = shanghai_midnight_utc(now)
    where = [on_board_filter(since)]
    if store_ids is not None:
        where.append(Order.store_id.in_(store_ids))
    if order_ids is not None:
        where.append(Order.id.in_(order_ids))
    rows = session.exec(
        select(Order, Shop.name, Store.lat, Store.lng)
        .join(Shop, Shop.id == Order.shop_id)
        .join(Store, Store.id == Order.store_id)
        .where(*where)
    ).all()
    lines = _lines(session, [order.id for order, *_ in rows])
    out: dict[int, Card] = {}
    for order, shop_name, store_lat, store_lng in rows:
        card = _card(order, shop_name, lines.get(order.id, ()), store_lat, store_lng, now)
        if card is not None:
            out[card.id] = card
    return out


def _matches(card: Card, platform: str | None, query: str | None) -> bool:
    if platform and card.platform != platform:
        return False
    if not query:
        return True
    q = query.strip().lstrip("#")
    if q.isdigit() and len(q) == 4:
        return card.day_seq == int(q) or q in card.phone_tails
    if q.isdigit():
        return card.day_seq == int(q)
    return not q or card.display_no == q


def sort_key(card: Card) -> tuple:
    """Newest first in every tab: a new card slides in on top, as staff expect."""
    placed = card.placed_at.timestamp() if card.placed_at else 0.0
    return (-placed, -card.id)


def build_board(
    cards,
    *,
    platform: str | None = None,
    query: str | None = None,
    per_tab: int | dict[Tab, int] = 60,
    now: datetime | None = None,
) -> Board:
    """Group cards into tabs as of `now`: counts are not capped, the cards of each tab are
    (`per_tab`, one number or one per tab)."""
    now = now or utcnow()
    since = shanghai_midnight_utc(now)
    board = Board()
    for card in cards:
        if (platform or query) and not _matches(card, platform, query):
            continue
        current = card.at(now, since)
        if current is None:
            continue
        board.counts[current.tab] += 1
        board.cards[current.tab].append(current)
        if current.tab is Tab.NEW and not current.pending_action:
            board.ringing.add(current.platform)
        alert = alert_of(tab=current.tab, status=current.status, exception_reason=current.exception_reason)
        if alert is not None:
            board.alerts.add(f"{alert.value}:{current.id}")
    for tab in TAB_ORDER:
        cap = per_tab if isinstance(per_tab, int) else per_tab.get(tab, 60)
        board.cards[tab].sort(key=sort_key)
        del board.cards[tab][cap:]
    return board


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
    """The actor's board straight from the database (live boards use BoardCache instead)."""
    now = now or utcnow()
    for store_id in store_ids or []:
        require_store(actor, store_id)
    if store_ids is None and not actor.all_stores:
        store_ids = sorted(actor.store_ids)
    return build_board(
        load_cards(session, store_ids=store_ids, now=now).values(),
        platform=platform,
        query=query,
        per_tab=per_tab,
        now=now,
    )


def _lines(session: Session, order_ids: list[int]) -> dict[int, tuple[CardLine, ...]]:
    out: dict[int, list[CardLine]] = defaultdict(list)
    for chunk in range(0, len(order_ids), 500):  # bounded IN lists
        for line in session.exec(
            select(OrderLine)
            .where(OrderLine.order_id.in_(order_ids[chunk : chunk + 500]))
            .order_by(OrderLine.order_id, OrderLine.line_no)
        ):
            out[line.order_id].append(CardLine(line.name, line.spec, line.quantity))
    return {k: tuple(v) for k, v in out.items()}


def _tab(src: Order | Card, exception_reason: str | None, now: datetime) -> Tab | None:
    """The tab of an order or of a card (they share the fields the rule reads)."""
    return board_tab(
        status=src.status,
        is_scheduled=src.is_scheduled,
        ready_at=src.ready_at,
        accepted_at=src.accepted_at,
        expected_delivery_at=src.expected_delivery_at,
        exception_reason=exception_reason,
        now=now,
    )


def _implied_exception(status: str, tab: Tab) -> str:
    """Why a card sits in 异常 when nobody wrote a reason (the state says it all): a message key
    of qihang_app/i18n.py, shown in the reader's language."""
    if tab is not Tab.EXCEPTION:
        return ""
    if status == OrderStatus.CANCELLED.value:
        return "board.reason.cancelled"
    if status == OrderStatus.CLOSED.value:
        return "board.reason.refunded"
    return "board.reason.overdue"


def _card(
    order: Order, shop_name: str, lines: tuple[CardLine, ...], store_lat, store_lng, now: datetime
) -> Card | None:
    tab = _tab(order, order.exception_reason, now)
    if tab is None:
        return None
    action = primary_action(tab=tab, delivery_type=order.delivery_type, pending_action=order.pending_action)
    mark = end_mark(status=order.status, accepted=order.accepted_at is not None, cancelled_by=order.cancelled_by)
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
        exception_reason=order.exception_reason or _implied_exception(order.status, tab),
        auto_accepted=order.auto_accepted,
        primary_action=action.value if action else "",
        accepted_at=order.accepted_at,
        ready_at=order.ready_at,
        updated_at=order.updated_at,
        explicit_exception=bool(order.exception_reason),
        phone_tails=phone_tails(order.receiver_phone),
        end_mark=mark.value if mark else "",
        cancelled_by=order.cancelled_by or "",
        cancel_reason=order.cancel_reason or "",
        delivery_carrier=order.delivery_carrier or "",
        rider_eta_at=order.rider_eta_at,
    )
