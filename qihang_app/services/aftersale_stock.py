"""Stock effects of after-sales, in one place for the stock service to take over.

Each function is called in the after-sale's transaction. They call h-stock's
`qihang_app.services.stock` API when it exists (the integrator wires it); until then they only
record on the after-sale's timeline what the stock ledger must do, so nothing is lost.
"""

from __future__ import annotations

from sqlmodel import Session, select

from qihang_app.models import AfterSaleEvent, AfterSaleLine, OrderLine

SENT_AS = {"resend": "补发", "exchange": "换货"}  # how the ledger note names the goods sent


def _stock_api():
    try:
        from qihang_app.services import stock  # h-stock's module
    except ImportError:
        return None
    return stock


def _lines(session: Session, after_sale_id: int) -> list[tuple[AfterSaleLine, int | None]]:
    rows = session.exec(
        select(AfterSaleLine, OrderLine.erp_sku_id)
        .join(OrderLine, OrderLine.id == AfterSaleLine.order_line_id, isouter=True)
        .where(AfterSaleLine.after_sale_id == after_sale_id)
    ).all()
    return list(rows)


def _note(session: Session, after_sale_id: int, kind: str, text: str) -> None:
    session.add(AfterSaleEvent(after_sale_id=after_sale_id, actor="worker", kind=kind, note=text))


def return_to_stock(session: Session, *, after_sale_id: int, store_id: int) -> None:
    """Returned goods back on the shelf: only lines received and marked sellable.

    Calls `stock.receive_return(session, store_id=, erp_sku_id=, quantity=, ref=f"as:{id}")`
    (h-stock: a ledger row of kind "return_in", idempotent on ref + sku)."""
    api = _stock_api()
    for line, erp_sku_id in _lines(session, after_sale_id):
        if not line.sellable or line.received_quantity <= 0:
            continue
        if api is not None and erp_sku_id is not None:
            api.receive_return(
                session,
                store_id=store_id,
                erp_sku_id=erp_sku_id,
                quantity=line.received_quantity,
                ref=f"as:{after_sale_id}",
            )
        else:
            _note(session, after_sale_id, "stock", f"退货入库 {line.name} ×{line.received_quantity}")


def send_out(session: Session, *, after_sale_id: int, store_id: int, reason: str) -> None:
    """补发 / 换货: the goods sent again are reserved and deducted like an order's.

    Calls `stock.reserve(...)` then `stock.deduct(...)` with ref=f"as:{id}:{reason}" (h-stock:
    ledger rows "reserve" / "deduct", idempotent on ref + sku)."""
    api = _stock_api()
    for line, erp_sku_id in _lines(session, after_sale_id):
        ref = f"as:{after_sale_id}:{reason}"
        if api is not None and erp_sku_id is not None:
            api.reserve(session, store_id=store_id, erp_sku_id=erp_sku_id, quantity=line.quantity, ref=ref)
            api.deduct(session, store_id=store_id, erp_sku_id=erp_sku_id, quantity=line.quantity, ref=ref)
        else:
            _note(session, after_sale_id, "stock", f"{SENT_AS.get(reason, reason)}出库 {line.name} ×{line.quantity}")
