"""The database side of ingest: load the orders a batch touches, write back what the merge did.

The merge itself is pure (`domain.order_merge`, `domain.order_event_merge`) and works on
`MergeState`s; this module fills them from the tables in a few bounded queries and writes them
back with core statements (no ORM objects: a batch may hold thousands of orders).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from qihang_app.domain.order_event_merge import recorded_refund_text
from qihang_app.domain.order_merge import UPDATE_COLUMNS, MergeState, is_newer
from qihang_app.domain.platform_order import PlatformOrder
from qihang_app.models import Order, OrderEvent, OrderLine, Shop

from .inbox import insert_returning_ids
from .reports import rollups
from .sku_links import chunks

_orders = Order.__table__
_lines = OrderLine.__table__
_events = OrderEvent.__table__


def load_shops(session: Session, shop_ids: set[int]) -> dict[int, dict]:
    """{shop id: {"id", "store_id", "platform"}} of the shops that still exist."""
    if not shop_ids:
        return {}
    rows = session.execute(sa.select(Shop.id, Shop.store_id, Shop.platform).where(Shop.id.in_(sorted(shop_ids)))).all()
    return {r.id: {"id": r.id, "store_id": r.store_id, "platform": r.platform} for r in rows}


def load_states(session: Session, keys: set[tuple[int, str]], shops: dict) -> dict[tuple[int, str], MergeState]:
    """Existing orders of the batch, in one query (locked on PostgreSQL, in id order)."""
    states: dict[tuple[int, str], MergeState] = {}
    keys = {(shop_id, str(order_id)) for shop_id, order_id in keys if shop_id in shops}
    if not keys:
        return states
    platforms = sorted({shops[shop_id]["platform"] for shop_id, _ in keys})
    shop_ids = sorted({shop_id for shop_id, _ in keys})
    lock = session.get_bind().dialect.name == "postgresql"
    for chunk in chunks(sorted({order_id for _, order_id in keys})):
        query = (
            sa.select(_orders)
            .where(
                _orders.c.platform.in_(platforms),
                _orders.c.shop_id.in_(shop_ids),
                _orders.c.platform_order_id.in_(chunk),
            )
            .order_by(_orders.c.id)
        )
        if lock:  # concurrent workers on the same order wait for each other
            query = query.with_for_update()
        for row in session.execute(query).mappings():
            key = (row["shop_id"], row["platform_order_id"])
            if key in keys:
                states[key] = MergeState(key=key, values=dict(row), id=row["id"])
    rollups.remember_before(session, (s.values for s in states.values()))
    return states


def load_lines(session: Session, states: dict, snapshots: Iterable[tuple[int, PlatformOrder]]) -> None:
    """Stored lines of existing orders a snapshot might update (for comparison and links)."""
    wanted: dict[int, MergeState] = {}
    for shop_id, order in snapshots:
        state = states.get((shop_id, str(order.platform_order_id)))
        if state is not None and not state.is_new and is_newer(order, state.values) is not False:
            wanted[state.id] = state
    for state in wanted.values():
        state.old_lines = []
    for chunk in chunks(sorted(wanted)):
        rows = session.execute(
            sa.select(_lines).where(_lines.c.order_id.in_(chunk)).order_by(_lines.c.order_id, _lines.c.line_no)
        ).mappings()
        for row in rows:
            wanted[row["order_id"]].old_lines.append(dict(row))


def load_refund_notes(session: Session, states: dict, keys: Iterable[tuple[int, str]]) -> None:
    """Refund texts already recorded on these orders, so a re-delivered refund message adds no
    second event."""
    refund_orders = {states[key].id for key in keys if key in states}
    by_id = {s.id: s for s in states.values()}
    for state_id in refund_orders:
        by_id[state_id].refund_notes = set()
    for chunk in chunks(sorted(refund_orders)):
        for order_id, note in session.execute(
            sa.select(_events.c.order_id, _events.c.note).where(
                _events.c.order_id.in_(chunk), _events.c.kind == "refund"
            )
        ):
            by_id[order_id].refund_notes.add(recorded_refund_text(note))


def write_states(session: Session, states: dict, now: datetime) -> list[MergeState]:
    """Insert new orders, update changed ones, replace their lines, add their events. Returns
    the orders the live board must hear about (new, or changed with an event)."""
    new = [s for s in states.values() if s.is_new]
    if new:
        ids = insert_returning_ids(session, _orders, [s.values for s in new])
        for state, order_id in zip(new, ids):
            state.id = order_id
    changed = [s for s in states.values() if s.changed and not s.is_new]
    if changed:
        rows = []
        for state in changed:
            row = {c: state.values.get(c) for c in UPDATE_COLUMNS}
            row["updated_at"] = now
            row["b_id"] = state.id
            rows.append(row)
        session.execute(_orders.update().where(_orders.c.id == sa.bindparam("b_id")), rows)
    replaced = [s.id for s in changed if s.new_lines is not None]
    for chunk in chunks(sorted(replaced)):
        session.execute(_lines.delete().where(_lines.c.order_id.in_(chunk)))
    line_rows = [{**line, "order_id": s.id} for s in states.values() if s.new_lines is not None for line in s.new_lines]
    if line_rows:
        session.execute(_lines.insert(), line_rows)
    event_rows = [{**event, "order_id": s.id, "at": now} for s in states.values() for event in s.events]
    if event_rows:
        session.execute(_events.insert(), event_rows)
    # report buckets of what changed: recomputed before the commit (services/reports/rollups.py)
    rollups.apply_rows(session, ((s.id, s.values) for s in states.values() if s.is_new or s.changed or s.events))
    return [s for s in states.values() if s.is_new or (s.changed and s.events)]
