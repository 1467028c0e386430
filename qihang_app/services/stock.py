"""Orders and stock: reserve when an order is accepted (or paid, per shop), release on cancel,
deduct on hand-over. `sync_orders` brings every linked line of the given orders to what its
status asks (domain.stock.wanted) and may be called any number of times: each (order, line,
kind) moves stock once (the ledger's idempotency key), whoever calls it and however often.

The accept / reject / delivery actions (services.dispatch), ingest (services.ingest) and the
catalog's link back-fill (`reserve_lines`) call it in their own transaction. A line that finds too
little stock is recorded as a shortage (缺货 on its board card) and tried again when stock arrives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain.stock import (
    ORDER_KINDS,
    MoveKind,
    Reason,
    needs_available,
    next_moves,
    order_delta,
    shortfall,
    wanted,
)
from qihang_app.models import Order, OrderLine, StockMove, StockShortage, utcnow

from . import sku_links  # module, not names: sku_links calls back into reserve_lines
from .stock_levels import add_move, available, change_level, drop_move, shop_locations

_moves = StockMove.__table__
_short = StockShortage.__table__
SERVED = "stock_served_orders"  # session.info key


@dataclass(frozen=True)
class Shortage:
    order_id: int
    line_no: int
    erp_sku_id: int
    location_id: int
    wanted: int
    missing: int


@dataclass(frozen=True)
class _Step:
    order_id: int
    line_no: int
    kind: MoveKind
    location_id: int
    sku_id: int
    quantity: int
    was_reserved: bool


def reserve_lines(session: Session, order_ids: Iterable[int], *, actor: str = "worker") -> list[Shortage]:
    """Called after lines were linked (back-fill): their stock is reserved where the order's
    status asks for it. The same as sync_orders; named for the caller's intent."""
    return sync_orders(session, order_ids, actor=actor)


def sync_orders(
    session: Session,
    order_ids: Iterable[int],
    *,
    actor: str = "worker",
    now: datetime | None = None,
    retry: bool = True,
) -> list[Shortage]:
    """Make the stock movements the orders' statuses ask for; returns the lines left short.
    Units a cancel gives back go first to orders waiting short for them (`retry`)."""
    now = now or utcnow()
    ids = sorted(set(order_ids))
    if not ids:
        return []
    orders = {}
    for chunk in sku_links.chunks(ids):
        for row in session.execute(sa.select(Order.id, Order.status, Order.shop_id).where(Order.id.in_(chunk))):
            orders[row.id] = row
    if not orders:
        return []
    places = shop_locations(session, {o.shop_id for o in orders.values()})
    steps = _plan(session, orders, places)
    short: list[Shortage] = []
    freed: set[tuple[int, int]] = set()
    # A fixed order (location, SKU) so transactions touching several hot rows never deadlock.
    for step in sorted(steps, key=lambda s: (s.location_id, s.sku_id, s.order_id, s.line_no)):
        made = _make(session, step, actor, now)
        if made and step.kind is MoveKind.RELEASE:
            freed.add((step.location_id, step.sku_id))
        if made is False:
            missing = shortfall(available(session, step.location_id, step.sku_id), step.quantity)
            short.append(
                Shortage(step.order_id, step.line_no, step.sku_id, step.location_id, step.quantity, max(1, missing))
            )
    _record_shortages(session, sorted(orders), short, now)
    for location_id, sku_id in sorted(freed) if retry else ():
        retry_shortages(session, location_id=location_id, sku_id=sku_id, actor=actor)
    return short


def _plan(session: Session, orders: dict, places: dict) -> list[_Step]:
    ids = sorted(orders)
    lines: dict[int, list] = defaultdict(list)
    done: dict[tuple[int, int], dict[str, tuple[int, int, int]]] = defaultdict(dict)
    for chunk in sku_links.chunks(ids):
        for row in session.execute(
            sa.select(OrderLine.order_id, OrderLine.line_no, OrderLine.erp_sku_id, OrderLine.quantity).where(
                OrderLine.order_id.in_(chunk), OrderLine.erp_sku_id.is_not(None), OrderLine.quantity > 0
            )
        ):
            lines[row.order_id].append(row)
        for row in session.execute(
            sa.select(
                _moves.c.order_id,
                _moves.c.line_no,
                _moves.c.kind,
                _moves.c.location_id,
                _moves.c.erp_sku_id,
                _moves.c.reserved_delta,
            ).where(_moves.c.order_id.in_(chunk), _moves.c.kind.in_([k.value for k in ORDER_KINDS]))
        ):
            done[(row.order_id, row.line_no)][row.kind] = (row.location_id, row.erp_sku_id, row.reserved_delta)
    moved_lines: dict[int, set[int]] = defaultdict(set)
    for order_id, line_no in done:
        moved_lines[order_id].add(line_no)
    steps: list[_Step] = []
    for order_id, order in orders.items():
        location_id, reserve_on = places[order.shop_id]
        want = wanted(order.status, reserve_on)
        keyed = {(line.line_no): line for line in lines.get(order_id, [])}
        # lines reserved earlier but since replaced by the platform still get released / deducted
        line_nos = set(keyed) | moved_lines.get(order_id, set())
        for line_no in sorted(line_nos):
            made = done.get((order_id, line_no), {})
            reserve = made.get(MoveKind.RESERVE.value)
            for kind in next_moves(want, set(made)):
                if reserve is not None:  # release / deduct exactly what was reserved, where it was
                    loc, sku, qty = reserve
                elif line_no in keyed:
                    loc, sku, qty = location_id, keyed[line_no].erp_sku_id, keyed[line_no].quantity
                else:
                    continue
                steps.append(_Step(order_id, line_no, kind, loc, sku, qty, reserve is not None))
    return steps


def _make(session: Session, step: _Step, actor: str, now: datetime) -> bool | None:
    """True: made now; None: made before (nothing to do); False: refused for lack of stock."""
    delta = order_delta(step.kind, step.quantity, was_reserved=step.was_reserved)
    move_id = add_move(
        session,
        location_id=step.location_id,
        sku_id=step.sku_id,
        kind=step.kind.value,
        delta=delta,
        actor=actor,
        reason=Reason.ORDER.value,
        idem_key=f"o{step.order_id}:{step.line_no}:{step.kind.value}",
        order_id=step.order_id,
        line_no=step.line_no,
        now=now,
    )
    if move_id is None:
        return None
    if change_level(session, step.location_id, step.sku_id, delta, now):
        return True
    if not needs_available(step.kind, was_reserved=step.was_reserved):
        raise RuntimeError(f"stock level of sku {step.sku_id} at {step.location_id} breaks the ledger")
    drop_move(session, move_id)
    return False


def _record_shortages(session: Session, order_ids: list[int], short: list[Shortage], now: datetime) -> None:
    """Every line of these orders was just planned again: the marks are exactly what is short now."""
    for chunk in sku_links.chunks(order_ids):
        session.execute(_short.delete().where(_short.c.order_id.in_(chunk)))
    if short:
        session.execute(
            _short.insert(),
            [
                {
                    "order_id": s.order_id,
                    "line_no": s.line_no,
                    "erp_sku_id": s.erp_sku_id,
                    "location_id": s.location_id,
                    "wanted": s.wanted,
                    "missing": s.missing,
                    "created_at": now,
                }
                for s in short
            ],
        )


def retry_shortages(session: Session, *, location_id: int, sku_id: int, actor: str = "worker") -> list[int]:
    """Stock arrived: orders short of this SKU here try again. Returns the orders now served."""
    waiting = sorted(
        session.execute(
            sa.select(_short.c.order_id)
            .where(_short.c.location_id == location_id, _short.c.erp_sku_id == sku_id)
            .distinct()
        ).scalars()
    )
    if not waiting:
        return []
    still = {s.order_id for s in sync_orders(session, waiting, actor=actor, retry=False)}
    served = [order_id for order_id in waiting if order_id not in still]
    # Their board cards lose the 缺货 mark: the caller publishes these after commit.
    stores = session.execute(sa.select(Order.id, Order.store_id).where(Order.id.in_(served))).all() if served else []
    session.info.setdefault(SERVED, []).extend((order_id, store_id) for order_id, store_id in stores)
    return served


def served_orders(session: Session) -> list[tuple[int, int]]:
    """(order id, store id) of the orders this session's stock changes un-marked since last asked
    (their boards hear it: the caller publishes live notes after commit)."""
    return session.info.pop(SERVED, [])


def shortages_of(session: Session, order_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """{order id: [(line no, missing units)]} for the board's 缺货 mark."""
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for chunk in sku_links.chunks(sorted(order_ids)):
        for row in session.execute(
            sa.select(_short.c.order_id, _short.c.line_no, _short.c.missing)
            .where(_short.c.order_id.in_(chunk))
            .order_by(_short.c.order_id, _short.c.line_no)
        ):
            out[row.order_id].append((row.line_no, row.missing))
    return dict(out)
