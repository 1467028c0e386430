"""What the pages show of waybills, split shipments and the seller memo (plain dicts of text).

Labels carry the tracking number as a Code 128 SVG (domain.code128); the drawer learns which
lines shipped in which parcel, each line's refund state, the order's numbers and memo options.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from qihang_app.domain import code128, partners
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.express_carriers import carrier as express_carrier
from qihang_app.models import Order, OrderLine, Shop, Store, Waybill

from . import seller_memo, shipments, waybills
from .scope import Actor

ITEMS_SHOWN = 6  # lines named on a label; the rest are counted


def carrier_names(code: str) -> tuple[str, str]:
    found = express_carrier(code)
    return (found.name_zh, found.name_en) if found else (code, code)


def _items(lines: list[OrderLine]) -> str:
    named = "；".join(f"{x.name}{' ' + x.spec if x.spec else ''} ×{x.quantity}" for x in lines[:ITEMS_SHOWN])
    more = len(lines) - ITEMS_SHOWN
    total = sum(x.quantity for x in lines)
    return named + (f"；等 {more} 项" if more > 0 else "") + f"（共 {total} 件）"


def label(session: Session, order: Order, row: Waybill, now: datetime) -> dict[str, str]:
    store = session.get(Store, order.store_id)
    shop = session.get(Shop, order.shop_id)
    lines = list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)))
    zh, _ = carrier_names(row.carrier)
    return {
        "waybill_id": str(row.id),
        "order_id": str(order.id),
        "carrier": zh,
        "tracking": row.tracking_no,
        "barcode": code128.svg_data_uri(row.tracking_no),
        "sort_code": row.sort_code,
        "route_code": row.route_code,
        "receiver": f"{order.receiver_name}  {order.receiver_phone}",
        "receiver_address": order.receiver_address or "",
        "sender": f"{store.name if store else ''}  {store.phone if store else ''}",
        "sender_address": store.address if store else "",
        "items": _items(lines),
        "order_no": order.display_no or order.platform_order_id,
        "shop": shop.name if shop else "",
        "parcel": str(row.parcel_no),
        "printed": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "memo": order.seller_memo or "",
    }


def labels(session: Session, *, actor: Actor, order_ids: Iterable[int], now: datetime) -> list[dict[str, str]]:
    """One label per ticked order that has a number (printing marks them printed)."""
    found = waybills.printable(session, actor=actor, order_ids=order_ids)
    waybills.mark_printed(session, actor=actor, waybill_ids=[w.id for _, w in found])
    return [label(session, order, row, now) for order, row in found]


def batch_orders(session: Session, *, actor: Actor, order_ids: Iterable[int]) -> list[dict[str, str]]:
    """The ticked orders (scope-checked) with the carriers their platforms issue numbers for."""
    rows = []
    for order in waybills.ticked_orders(session, actor, order_ids):
        rows.append(
            {
                "id": str(order.id),
                "no": order.display_no or order.platform_order_id,
                "platform": order.platform,
                "carriers": ",".join(waybills.carriers_for(order.platform)),
            }
        )
    return rows


def drawer_extras(session: Session, order: Order, lines: list[OrderLine]) -> dict:
    """The drawer's split-shipment, waybill and memo parts for one (scope-checked) order."""
    found = partners.profile(order.platform)
    done = shipments.shipped_so_far(session, order.id)
    per_line = {}
    for line in lines:
        key = line.platform_line_id or line.line_no
        per_line[line.line_no] = done.parcels.get(key, "") if done.covers(line) else ""
    shipped = sum(1 for v in per_line.values() if v)
    rows = session.exec(select(Waybill).where(Waybill.order_id == order.id).order_by(Waybill.parcel_no))
    takes_memo, flags = seller_memo.memo_options(order.platform)
    return {
        "splits": bool(found and found.splits_shipments),
        "per_line": per_line,
        "partial": f"{shipped}/{len(lines)}" if 0 < shipped < len(lines) and not done.whole else "",
        "waybills": [
            {
                "id": str(w.id),
                "carrier": carrier_names(w.carrier)[0],
                "carrier_en": carrier_names(w.carrier)[1],
                "tracking": w.tracking_no,
                "status": w.status,
                "parcel": str(w.parcel_no),
                "cancellable": "1" if w.status in ("issued", "printed") else "",
            }
            for w in rows
        ],
        "takes_memo": takes_memo,
        "flags": [{"code": c, "zh": zh, "en": en} for c, (zh, en) in flags.items()],
    }
