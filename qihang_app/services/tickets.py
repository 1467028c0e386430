"""Printable tickets (小票) and pick lists, scope-checked like every other read."""

from __future__ import annotations

import base64
import io
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import barcode
from barcode.writer import SVGWriter
from sqlmodel import Session

from qihang_app.domain.board import Tab
from qihang_app.domain.display import format_time
from qihang_app.domain.money import format_money
from qihang_app.i18n import PLATFORM_LABEL
from qihang_app.models import Store

from . import board as board_service
from .orders import get_order_detail
from .scope import Actor


@dataclass(frozen=True)
class Ticket:
    store_name: str
    store_phone: str
    shop_name: str
    platform: str
    day_seq: str
    display_no: str
    placed_at: object
    expected_delivery_at: object
    lines: list[tuple[str, str, int, int]]  # name, spec, quantity, paid fen
    buyer_memo: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    goods_fen: int
    freight_fen: int
    packing_fen: int
    discount_fen: int
    paid_fen: int
    barcode_svg_data_uri: str
    delivery_type: str = ""

    @property
    def pickup(self) -> bool:
        return self.delivery_type == "pickup"


def platform_name(platform: str) -> str:
    return PLATFORM_LABEL.get(platform, (platform, platform))[0]


def ticket_head(tk: Ticket, now: datetime) -> dict[str, str]:
    """The printed texts of a ticket. A pickup (自取) order has no address and nothing to
    deliver: it says 到店自取 and when the buyer comes (its expected time), and the buyer."""
    placed = format_time(tk.placed_at, now) if tk.placed_at else ""
    if tk.pickup:
        when = f"取货 {format_time(tk.expected_delivery_at, now)}" if tk.expected_delivery_at else "尽快备货"
        times, kind, address = f"下单 {placed} · {when}", "到店自取", ""
    else:
        expected = format_time(tk.expected_delivery_at, now) if tk.expected_delivery_at else "尽快送达"
        times, kind, address = f"下单 {placed} · 送达 {expected}", "", tk.receiver_address
    return {
        "store": tk.store_name,
        "store_phone": tk.store_phone,
        "platform": platform_name(tk.platform),
        "seq": tk.day_seq,
        "no": tk.display_no,
        "times": times,
        "kind": kind,
        "memo": tk.buyer_memo,
        "receiver": f"{'取货人 ' if tk.pickup else ''}{tk.receiver_name} {tk.receiver_phone}".strip(),
        "address": address,
        "goods": format_money(tk.goods_fen),
        "freight_label": "包装" if tk.pickup else "配送/包装",
        "freight": format_money(tk.freight_fen + tk.packing_fen),
        "discount": format_money(-tk.discount_fen),
        "paid": format_money(tk.paid_fen),
    }


def barcode_data_uri(text: str) -> str:
    """Code 128 of the order number as an SVG data URI (scanners read it from paper)."""
    out = io.BytesIO()
    barcode.get("code128", text, writer=SVGWriter()).write(
        out, options={"module_height": 9, "module_width": 0.25, "quiet_zone": 2, "write_text": False}
    )
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def ticket(session: Session, *, actor: Actor, order_id: int) -> Ticket:
    detail = get_order_detail(session, actor=actor, order_id=order_id)
    o = detail.order
    store = session.get(Store, o.store_id)
    return Ticket(
        store_name=detail.store_name,
        store_phone=store.phone if store else "",
        shop_name=detail.shop_name,
        platform=o.platform,
        day_seq=f"#{o.day_seq}" if o.day_seq else "",
        display_no=o.display_no or o.platform_order_id,
        placed_at=o.placed_at,
        expected_delivery_at=o.expected_delivery_at,
        lines=[(line.name, line.spec, line.quantity, line.paid_fen) for line in detail.lines],
        buyer_memo=o.buyer_memo or "",
        receiver_name=o.receiver_name,
        receiver_phone=o.receiver_phone,
        receiver_address=o.receiver_address,
        goods_fen=o.goods_fen,
        freight_fen=o.freight_fen,
        packing_fen=o.packing_fen,
        discount_fen=o.platform_discount_fen + o.merchant_discount_fen,
        paid_fen=o.paid_fen,
        barcode_svg_data_uri=barcode_data_uri(o.platform_order_id),
        delivery_type=o.delivery_type or "",
    )


@dataclass(frozen=True)
class PickSection:
    """One store's part of a pick list: goods are picked from that store's shelves only."""

    store_name: str
    orders: list[str]  # "<platform> #95": platforms count #1, #2… every day, so the platform says which
    items: list[tuple[str, str, int]]  # name, spec, total quantity, sorted by name


def pick_list(
    session: Session, *, actor: Actor, order_ids: list[int] | None = None, store_ids: list[int] | None = None
) -> list[PickSection]:
    """Items summed per store over the given orders (default: everything in 备货中 of
    `store_ids`, or of every store the actor may see)."""
    if order_ids is None:
        board = board_service.load_board(session, actor=actor, store_ids=store_ids, per_tab=500)
        order_ids = [
            c.id for c in sorted(board.cards[Tab.PICKING], key=lambda c: (c.placed_at is None, c.placed_at, c.id))
        ]
    stores: OrderedDict[str, tuple[list[str], dict[tuple[str, str], int]]] = OrderedDict()
    for order_id in order_ids:
        detail = get_order_detail(session, actor=actor, order_id=order_id)  # scope check per order
        o = detail.order
        labels, totals = stores.setdefault(detail.store_name, ([], {}))
        labels.append(
            f"{platform_name(o.platform)} {f'#{o.day_seq}' if o.day_seq else (o.display_no or o.platform_order_id)}"
        )
        for line in detail.lines:
            totals[(line.name, line.spec)] = totals.get((line.name, line.spec), 0) + line.quantity
    return [
        PickSection(name, labels, sorted(((n, s, q) for (n, s), q in totals.items()), key=lambda x: (x[0], x[1])))
        for name, (labels, totals) in sorted(stores.items())
    ]
