"""The order center: list, detail and manual (offline) orders."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.money import allocate_discount
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.models import Order, OrderEvent, OrderLine, Shop, Store, User, utcnow

from .errors import NotFoundError, ValidationError, checked
from .scope import Actor, ScopeError, require_store, store_filter
from .sku_links import catalog_links

MAX_PAGE_SIZE = 200
SUMMARY_ITEMS = 3


@dataclass(frozen=True)
class OrderRow:
    id: int
    platform: str
    shop_id: int
    shop_name: str
    store_id: int
    store_name: str
    display_no: str
    day_seq: int | None
    status: str
    paid_fen: int
    receiver_name: str
    receiver_phone: str  # as the platform gave it (usually masked already)
    placed_at: datetime | None
    item_summary: str  # "苹果×2、香蕉×1、梨×3 等5种"


@dataclass(frozen=True)
class OrderPage:
    rows: list[OrderRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    lines: list[OrderLine]
    events: list[OrderEvent]
    shop_name: str
    store_name: str
    usernames: dict[str, str] = field(default_factory=dict)  # "user:3" → username, for the timeline


# -- list and detail --------------------------------------------------------------------------


def _search(query: str) -> sa.ColumnElement[bool] | None:
    """display_no / platform order id exactly, "#12" as the day's number, "5678" as phone tail."""
    try:
        q = rules.search(query)
    except rules.InputError:  # the search box says why; a link with such a query finds nothing
        return sa.false()
    if not q:
        return None
    if m := re.fullmatch(r"#\s*([0-9]{1,6})", q):
        return Order.day_seq == int(m[1])
    clauses = [Order.display_no == q, Order.platform_order_id == q]
    if re.fullmatch(r"[0-9]+", q):
        if len(q) == 4:
            clauses += [Order.receiver_phone_tail == q, Order.receiver_phone_ext == q]
        if len(q) <= 6:
            clauses.append(Order.day_seq == int(q))
    return sa.or_(*clauses)


def _summaries(session: Session, order_ids: list[int]) -> dict[int, str]:
    items: dict[int, list[str]] = {}
    for order_id, name, quantity in session.exec(
        select(OrderLine.order_id, OrderLine.name, OrderLine.quantity)
        .where(OrderLine.order_id.in_(order_ids))
        .order_by(OrderLine.order_id, OrderLine.line_no)
    ):
        items.setdefault(order_id, []).append(f"{name}×{quantity}")
    summaries = {}
    for order_id, parts in items.items():
        text = "、".join(parts[:SUMMARY_ITEMS])
        summaries[order_id] = text + (f" 等{len(parts)}种" if len(parts) > SUMMARY_ITEMS else "")
    return summaries


def list_orders(
    session: Session,
    *,
    actor: Actor,
    store_id: int | None = None,
    shop_id: int | None = None,
    platform: str | None = None,
    status: str | Iterable[str] | None = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
    query: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> OrderPage:
    """Newest first. placed_from is inclusive, placed_to exclusive (both aware datetimes). The
    page is clamped to 1..pages; the returned OrderPage says which page it is."""
    where = [store_filter(actor, Order.store_id)]
    if store_id is not None:
        require_store(actor, store_id)
        where.append(Order.store_id == store_id)
    if shop_id is not None:
        where.append(Order.shop_id == shop_id)  # the store filter already bounds it
    if platform:
        where.append(Order.platform == platform)
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        where.append(Order.status.in_(statuses))
    if placed_from is not None:
        where.append(Order.placed_at >= placed_from)
    if placed_to is not None:
        where.append(Order.placed_at < placed_to)
    if query and (clause := _search(query)) is not None:
        where.append(clause)

    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    total = session.exec(select(sa.func.count()).select_from(Order).where(*where)).one()
    # A page past the end (an old link, ?page=99999) is the last page, not "99999 / 19".
    page = min(max(1, page), max(1, -(-total // page_size)))
    columns = (
        Order.id,
        Order.platform,
        Order.shop_id,
        Shop.name.label("shop_name"),
        Order.store_id,
        Store.name.label("store_name"),
        Order.display_no,
        Order.day_seq,
        Order.status,
        Order.paid_fen,
        Order.receiver_name,
        Order.receiver_phone,
        Order.placed_at,
    )
    result = session.exec(
        select(*columns)
        .join(Shop, Shop.id == Order.shop_id)
        .join(Store, Store.id == Order.store_id)
        .where(*where)
        .order_by(Order.placed_at.desc().nulls_last(), Order.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    summaries = _summaries(session, [r.id for r in result])
    rows = [OrderRow(**r._asdict(), item_summary=summaries.get(r.id, "")) for r in result]
    return OrderPage(rows=rows, total=total, page=page, page_size=page_size)


def get_order_detail(session: Session, *, actor: Actor, order_id: int) -> OrderDetail:
    order = session.get(Order, order_id)
    if order is None:
        if not actor.all_stores:  # do not reveal which ids exist in other stores
            raise ScopeError(f"无权访问订单 {order_id}", f"no access to order {order_id}")
        raise NotFoundError(key="orders.err.not_found", order_id=order_id)
    require_store(actor, order.store_id)
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)).all()
    events = session.exec(
        select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.at, OrderEvent.id)
    ).all()
    shop_name = session.exec(select(Shop.name).where(Shop.id == order.shop_id)).one()
    store_name = session.exec(select(Store.name).where(Store.id == order.store_id)).one()
    return OrderDetail(
        order, list(lines), list(events), shop_name, store_name, _usernames(session, [e.actor for e in events])
    )


def _usernames(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Who "user:3" is, for each user that acted on the order (a removed user is left out)."""
    ids = {int(ref) for kind, _, ref in (a.partition(":") for a in actors) if kind == "user" and ref.isdigit()}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.username).where(User.id.in_(sorted(ids)))).all()
    return {f"user:{user_id}": username for user_id, username in rows}


# -- manual orders ----------------------------------------------------------------------------

_LINE_KEYS = {"name", "spec", "quantity", "unit_price_fen", "outer_sku_code", "barcode"}


def _clean_lines(lines: Sequence[dict]) -> list[dict]:
    """The items in clean form; a refusal names its field as "line<i>.<key>" (i from 0)."""
    if not lines:
        raise ValidationError(key="orders.err.no_lines", field="lines")
    if len(lines) > rules.MAX_LINES:
        raise ValidationError(key="orders.err.too_many_lines", field="lines", n=rules.MAX_LINES)
    clean = []
    for i, line in enumerate(lines):
        if extra := set(line) - _LINE_KEYS:
            raise ValidationError(key="orders.err.unknown_fields", fields=", ".join(sorted(extra)))
        at = f"line{i}."
        clean.append(
            {
                "name": checked(
                    at + "name",
                    rules.text,
                    line.get("name"),
                    limit="item_name",
                    required=True,
                    required_key="orders.err.line_name_required",
                ),
                "spec": checked(at + "spec", rules.text, line.get("spec"), limit="item_name"),
                "quantity": checked(at + "quantity", rules.quantity, line.get("quantity")),
                "unit_price_fen": checked(
                    at + "unit_price_fen",
                    rules.fen_in_range,
                    line.get("unit_price_fen"),
                    maximum=rules.MAX_UNIT_PRICE_FEN,
                ),
                "outer_sku_code": checked(
                    at + "outer_sku_code", rules.code, line.get("outer_sku_code"), limit="sku_code"
                ),
                "barcode": checked(at + "barcode", rules.code, line.get("barcode"), limit="sku_code"),
            }
        )
    return clean


def _offline_shop(session: Session, store: Store) -> Shop:
    """The store's "offline" shop that manual orders hang on, created on first use."""
    key = f"store-{store.id}"
    query = select(Shop).where(Shop.platform == Platform.OFFLINE.value, Shop.platform_shop_id == key)
    if shop := session.exec(query).first():
        return shop
    try:
        with session.begin_nested():  # a concurrent first use may win the unique key
            shop = Shop(
                store_id=store.id,
                platform=Platform.OFFLINE.value,
                platform_shop_id=key,
                name=f"{store.name}·线下",
            )
            session.add(shop)
        return shop
    except IntegrityError:
        return session.exec(query).one()


def _next_day_seq(session: Session, shop_id: int, now: datetime) -> int:
    local_midnight = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    last = session.exec(
        select(sa.func.max(Order.day_seq)).where(Order.shop_id == shop_id, Order.placed_at >= local_midnight)
    ).one()
    return (last or 0) + 1


def create_manual_order(
    session: Session,
    *,
    actor: Actor,
    store_id: int,
    receiver_name: str,
    receiver_phone: str,
    receiver_address: str,
    lines: Sequence[dict],
    buyer_memo: str = "",
    freight_fen: int = 0,
    discount_fen: int = 0,
    delivery_type: str = "self",
    now: datetime | None = None,
) -> Order:
    """An order entered by staff: platform "offline", straight to to_ship.

    discount_fen is the merchant's discount on the goods, spread over the lines in proportion
    to their amounts (exact to the fen). An OrderEvent "created" is written alongside.
    """
    require_store(actor, store_id)
    store = session.get(Store, store_id)
    if store is None:
        raise NotFoundError(key="stores.err.not_found", store_id=store_id)
    receiver_name = checked("receiver_name", rules.text, receiver_name, limit="receiver_name")
    receiver_phone = checked("receiver_phone", rules.phone, receiver_phone)
    receiver_address = checked("receiver_address", rules.text, receiver_address, limit="address")
    buyer_memo = checked("memo", rules.text, buyer_memo, limit="memo")
    lines = _clean_lines(lines)
    freight_fen = checked("freight", rules.fen_in_range, freight_fen, maximum=rules.MAX_FREIGHT_FEN)
    discount_fen = checked(
        "discount",
        rules.fen_in_range,
        discount_fen,
        maximum=rules.MAX_QUANTITY * rules.MAX_UNIT_PRICE_FEN * rules.MAX_LINES,
    )
    amounts = [line["quantity"] * line["unit_price_fen"] for line in lines]
    goods_fen = sum(amounts)
    if discount_fen > goods_fen:
        raise ValidationError(key="orders.err.discount_too_big", field="discount")
    discounts = allocate_discount(discount_fen, amounts)

    now = now or utcnow()
    shop = _offline_shop(session, store)
    order_no = f"M{now.astimezone(SHANGHAI):%y%m%d%H%M%S}{secrets.token_hex(3).upper()}"
    paid_fen = goods_fen - discount_fen + freight_fen
    order = Order(
        platform=Platform.OFFLINE.value,
        shop_id=shop.id,
        store_id=store.id,
        platform_order_id=order_no,
        display_no=order_no,
        day_seq=_next_day_seq(session, shop.id, now),
        status=OrderStatus.TO_SHIP.value,
        buyer_memo=buyer_memo,
        receiver_name=receiver_name,
        receiver_phone=receiver_phone,
        receiver_address=receiver_address,
        delivery_type=delivery_type,
        goods_fen=goods_fen,
        freight_fen=freight_fen,
        merchant_discount_fen=discount_fen,
        paid_fen=paid_fen,
        merchant_receivable_fen=paid_fen,
        placed_at=now,
        paid_at=now,
        accepted_at=now,
    )
    session.add(order)
    session.flush()
    links = catalog_links(session, lines)  # a line picked from the catalog (or typed by code) is linked
    for no, (line, amount, discount, (erp_sku_id, how)) in enumerate(zip(lines, amounts, discounts, links), start=1):
        session.add(
            OrderLine(
                order_id=order.id,
                line_no=no,
                outer_sku_code=line["outer_sku_code"],
                barcode=line["barcode"],
                name=line["name"],
                spec=line["spec"],
                quantity=line["quantity"],
                unit_price_fen=line["unit_price_fen"],
                allocated_discount_fen=discount,
                paid_fen=amount - discount,
                erp_sku_id=erp_sku_id,
                link_method=how,
            )
        )
    session.add(
        OrderEvent(
            order_id=order.id,
            at=now,
            actor=actor.ref,
            kind="created",
            to_status=order.status,
            note="orders.event.manual",  # a message key: the timeline shows it translated
        )
    )
    session.flush()
    return order
