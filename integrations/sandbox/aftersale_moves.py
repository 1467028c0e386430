"""After-sale moves beyond a plain refund request (the buyer's return, the merchant's receipt,
a merchant's 缺货退款, the platform's own decision at the deadline), shared by every twin.

Each move updates the sandbox truth and pushes what the platform would, like `lifecycle`.
"""

from __future__ import annotations

from integrations.sandbox.lifecycle import Conflict, Lifecycle
from integrations.sandbox.store import CLOSED, AfterSale, SimOrder


def _active(order: SimOrder, *statuses: str) -> AfterSale:
    found = next((a for a in reversed(order.after_sales) if a.status in statuses), None)
    if found is None:
        raise Conflict(f"no after-sale in {', '.join(statuses)}")
    return found


def _refunded(lc: Lifecycle, order: SimOrder, after_sale: AfterSale) -> None:
    after_sale.status = "refunded"
    after_sale.updated_at = lc._touch(order)
    if after_sale.kind == "full":
        order.stage = CLOSED
    lc.notifier.notify(order, "refunded", after_sale=after_sale)


def ship_return(lc: Lifecycle, order: SimOrder, *, carrier: str, waybill: str) -> AfterSale:
    """The buyer sends the goods back with a waybill (after the merchant agreed the return)."""
    after_sale = _active(order, "return_agreed")
    after_sale.status, after_sale.carrier, after_sale.waybill = "return_shipped", carrier, waybill
    after_sale.updated_at = lc._touch(order)
    lc.notifier.notify(order, "return_shipped", after_sale=after_sale)
    return after_sale


def agree_return(lc: Lifecycle, order: SimOrder) -> AfterSale:
    """The merchant agrees a return request (the buyer may now send the goods)."""
    after_sale = _active(order, "applied")
    if not after_sale.return_goods:
        raise Conflict("not a return request")
    lc.decide_refund(order, agree=True)
    return after_sale


def confirm_receipt(lc: Lifecycle, order: SimOrder) -> AfterSale:
    """The merchant has the goods back: the platform refunds the buyer."""
    after_sale = _active(order, "return_shipped", "return_agreed")
    _refunded(lc, order, after_sale)
    return after_sale


def partial_refund(lc: Lifecycle, order: SimOrder, *, lines: list[dict], reason: str) -> AfterSale:
    """缺货退款: the merchant refunds missing items; the money goes back at once."""
    if order.stage == CLOSED or not lines:
        raise Conflict("nothing to refund")
    by_key = {(ln.item_id, ln.sku_id): ln for ln in order.lines}
    chosen = []
    for wanted in lines:
        line = by_key.get((str(wanted["item_id"]), str(wanted["sku_id"])))
        quantity = int(wanted["quantity"])
        if line is None or not 0 < quantity <= line.quantity:
            raise Conflict(f"no such line or quantity: {wanted}")
        amount = line.paid_fen * quantity // line.quantity
        chosen.append({"item_id": line.item_id, "sku_id": line.sku_id, "name": line.name,
                       "quantity": quantity, "amount_fen": amount})  # fmt: skip
    now = lc._touch(order)
    after_sale = AfterSale(
        after_sale_id=str(7_400_000_000_000_000 + lc.store.next_id()),
        order_id=order.order_id,
        kind="partial",
        status="agreed",
        amount_fen=sum(c["amount_fen"] for c in chosen),
        reason=reason,
        created_at=now,
        updated_at=now,
        lines=chosen,
    )
    order.after_sales.append(after_sale)
    _refunded(lc, order, after_sale)
    return after_sale


def auto_agree_due(lc: Lifecycle, orders: list[SimOrder], now: float) -> list[AfterSale]:
    """The platform's own decision: requests unanswered past their deadline are agreed."""
    agreed = []
    for order in orders:
        after_sale = order.open_after_sale()
        if after_sale is not None and after_sale.deadline_at and after_sale.deadline_at <= now:
            lc.decide_refund(order, agree=True, reason="超时系统自动同意")
            agreed.append(after_sale)
    return agreed
