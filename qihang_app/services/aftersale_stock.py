"""Stock effects of after-sales, on the store's shelf ledger like an order's.

Each function runs in the after-sale's transaction. Every ledger row is idempotent on the
after-sale, its reason and the SKU, so a repeated result moves nothing twice. Lines without an ERP
SKU cannot move stock: what the ledger would have needed is written on the after-sale's timeline.
"""

from __future__ import annotations

from sqlmodel import Session, select

from qihang_app.domain.aftersale import AfterSaleState, AfterSaleType
from qihang_app.domain.stock import Delta, MoveKind, Reason
from qihang_app.models import AfterSale, AfterSaleEvent, AfterSaleLine, OrderLine, StockMove

from .stock_levels import add_move, change_level, drop_move, ensure_level, store_location

SENT_AS = {"resend": "补发", "exchange": "换货"}  # how the ledger note names the goods sent
SENDS = frozenset({AfterSaleType.RESEND.value, AfterSaleType.EXCHANGE.value})
# Agreed and still open: the goods to send are held (reserved) like an order's until they leave.
NOT_HELD = frozenset({AfterSaleState.PENDING, AfterSaleState.REFUSED, AfterSaleState.CLOSED, AfterSaleState.REFUNDED})


def _lines(session: Session, after_sale_id: int) -> list[tuple[AfterSaleLine, int | None]]:
    rows = session.exec(
        select(AfterSaleLine, OrderLine.erp_sku_id)
        .join(OrderLine, OrderLine.id == AfterSaleLine.order_line_id, isouter=True)
        .where(AfterSaleLine.after_sale_id == after_sale_id)
    ).all()
    return list(rows)


def _note(session: Session, after_sale_id: int, kind: str, text: str) -> None:
    session.add(AfterSaleEvent(after_sale_id=after_sale_id, actor="worker", kind=kind, note=text))


def _move(session: Session, *, store_id: int, sku_id: int, kind: MoveKind, delta: Delta, key: str, note: str) -> bool:
    """One ledger row and its level change; False when the shelf has too little to take."""
    location = store_location(session, store_id)
    ensure_level(session, location, sku_id)
    move_id = add_move(
        session,
        location_id=location,
        sku_id=sku_id,
        kind=kind.value,
        delta=delta,
        actor="worker",
        reason=Reason.AFTER_SALE.value,
        idem_key=key,
        note=note,
    )
    if move_id is None:
        return True  # made before
    if change_level(session, location, sku_id, delta):
        return True
    drop_move(session, move_id)
    return False


def return_to_stock(session: Session, *, after_sale_id: int, store_id: int) -> None:
    """Returned goods back on the shelf: only lines received and marked sellable."""
    for line, erp_sku_id in _lines(session, after_sale_id):
        if not line.sellable or line.received_quantity <= 0:
            continue
        text = f"退货入库 {line.name} ×{line.received_quantity}"
        if erp_sku_id is None:
            _note(session, after_sale_id, "stock", f"{text}（未关联ERP商品，未入账）")
            continue
        delta = Delta(on_hand=line.received_quantity)
        key = f"as{after_sale_id}:return:{erp_sku_id}"
        _move(session, store_id=store_id, sku_id=erp_sku_id, kind=MoveKind.RECEIVE, delta=delta, key=key, note=text)


def _made(session: Session, key: str) -> bool:
    return session.exec(select(StockMove.id).where(StockMove.idem_key == key)).first() is not None


def _held(session: Session, after_sale_id: int, sku_id: int) -> bool:
    """Reserved for this after-sale and neither released nor sent yet."""
    prefix = f"as{after_sale_id}:"
    return _made(session, f"{prefix}hold:{sku_id}") and not _made(session, f"{prefix}unhold:{sku_id}")


def _sent(session: Session, after_sale_id: int, sku_id: int) -> bool:
    return any(_made(session, f"as{after_sale_id}:{reason}:{sku_id}") for reason in SENDS)


def sync_hold(session: Session, record: AfterSale) -> None:
    """补发 / 换货 hold their goods like an order: reserved once agreed, released when the
    after-sale ends without sending them (send_out then deducts what was held)."""
    if record.kind not in SENDS or record.id is None:
        return
    hold = AfterSaleState(record.state) not in NOT_HELD
    for line, erp_sku_id in _lines(session, record.id):
        if erp_sku_id is None or line.quantity <= 0 or _sent(session, record.id, erp_sku_id):
            continue
        text = f"{SENT_AS[record.kind]}{'预占' if hold else '释放'} {line.name} ×{line.quantity}"
        if hold and not _made(session, f"as{record.id}:hold:{erp_sku_id}"):
            key, kind, delta = f"as{record.id}:hold:{erp_sku_id}", MoveKind.RESERVE, Delta(reserved=line.quantity)
        elif not hold and _held(session, record.id, erp_sku_id):
            key, kind, delta = f"as{record.id}:unhold:{erp_sku_id}", MoveKind.RELEASE, Delta(reserved=-line.quantity)
        else:
            continue
        _move(session, store_id=record.store_id, sku_id=erp_sku_id, kind=kind, delta=delta, key=key, note=text)


def send_out(session: Session, *, after_sale_id: int, store_id: int, reason: str) -> None:
    """补发 / 换货: the goods sent again leave the shelf like an order's hand-over (taking what was
    held for them)."""
    for line, erp_sku_id in _lines(session, after_sale_id):
        text = f"{SENT_AS.get(reason, reason)}出库 {line.name} ×{line.quantity}"
        if erp_sku_id is None:
            _note(session, after_sale_id, "stock", f"{text}（未关联ERP商品，未入账）")
            continue
        held = _held(session, after_sale_id, erp_sku_id)
        delta = Delta(on_hand=-line.quantity, reserved=-line.quantity if held else 0)
        key = f"as{after_sale_id}:{reason}:{erp_sku_id}"
        if not _move(
            session, store_id=store_id, sku_id=erp_sku_id, kind=MoveKind.DEDUCT, delta=delta, key=key, note=text
        ):
            _note(session, after_sale_id, "stock", f"{text}：库存不足，未出库")
