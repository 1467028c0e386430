"""Printable tickets (小票) and pick lists, scope-checked like every other read."""

from __future__ import annotations

import base64
import io
from collections import OrderedDict
from dataclasses import dataclass

import barcode
from barcode.writer import SVGWriter
from sqlmodel import Session

from qihang_app.domain.board import Tab
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
    )


def pick_list(session: Session, *, actor: Actor, order_ids: list[int] | None = None) -> tuple[list[str], list[tuple[str, str, int]]]:
    """Items summed over the given orders (default: everything in 备货中 for the actor's stores).

    Returns (order labels, [(name, spec, total quantity)]) sorted by name.
    """
    if order_ids is None:
        board = board_service.load_board(session, actor=actor, per_tab=500)
        order_ids = [c.id for c in board.cards[Tab.PICKING]]
    labels: list[str] = []
    totals: OrderedDict[tuple[str, str], int] = OrderedDict()
    for order_id in order_ids:
        detail = get_order_detail(session, actor=actor, order_id=order_id)  # scope check per order
        o = detail.order
        labels.append(f"#{o.day_seq}" if o.day_seq else (o.display_no or o.platform_order_id))
        for line in detail.lines:
            totals[(line.name, line.spec)] = totals.get((line.name, line.spec), 0) + line.quantity
    return labels, sorted(((n, s, q) for (n, s), q in totals.items()), key=lambda x: (x[0], x[1]))
