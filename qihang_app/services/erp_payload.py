"""What an order looks like to the ERP (the `data` of order.created), and which ERP customer it
belongs to (account mapping: one virtual customer per platform buyer, or one fixed per shop)."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from qihang_app.domain.erp_link import virtual_customer
from qihang_app.models import ErpConnection, ErpCustomerMap, Order, OrderLine

ORDER_NO = re.compile(r"QH(\d{1,18})")


def order_no(order: Order) -> str:
    """The order number the ERP sees and sends back (ours: unique across platforms and shops)."""
    return f"QH{order.id}"


def order_id_of(number: str) -> int | None:
    found = ORDER_NO.fullmatch((number or "").strip())
    value = int(found[1]) if found else None
    return value if value is not None and 0 < value < 2**31 else None  # orders.id is a 32-bit column


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def order_data(order: Order, lines: list[OrderLine], codes: dict[int, str], customer_code: str) -> dict:
    """The order as integrations.erp_contract.ErpOrder (what every kind's push_order takes), plus
    a few fields of ours. Money in integer fen; times ISO 8601 UTC here (the outbox row is JSON),
    datetimes again when the worker hands it to the adapter."""
    return {
        "order_no": order_no(order),
        "created_at": _iso(order.placed_at or order.created_at),
        "paid_at": _iso(order.paid_at) if order.paid_at or order.status != "pending_payment" else None,
        "customer_code": customer_code,
        "buyer_name": order.receiver_name,
        "receiver_name": order.receiver_name,
        "receiver_phone": order.receiver_phone,
        "address": order.receiver_address,
        "lines": [
            {
                "line_no": str(ln.line_no),
                "sku": codes.get(ln.erp_sku_id, ""),
                "name": ln.name,
                "spec": ln.spec,
                "quantity": ln.quantity,
                "price_fen": ln.paid_fen // ln.quantity if ln.quantity else 0,
                "amount_fen": ln.paid_fen,
                "list_price_fen": ln.unit_price_fen,
                "discount_fen": ln.allocated_discount_fen,
                "platform_sku_id": ln.platform_sku_id,
            }
            for ln in lines
        ],
        "total_fen": order.paid_fen,
        "freight_fen": order.freight_fen,
        "paid_fen": order.paid_fen,
        "buyer_note": order.buyer_memo,
        "seller_note": order.seller_memo,
        # ours, beside the contract's fields
        "platform": order.platform,
        "platform_order_id": order.platform_order_id,
        "display_no": order.display_no,
        "shop_id": order.shop_id,
        "store_id": order.store_id,
        "goods_fen": order.goods_fen,
        "discount_fen": order.platform_discount_fen + order.merchant_discount_fen,
    }


def buyer_ref(order: Order) -> str:
    """The platform buyer identity we can see: the receiver as the platform names them."""
    who = f"{order.receiver_name.strip()}|{order.receiver_phone.strip()}"
    return who if who != "|" else f"order:{order.id}"


def customer_for(session: Session, conn: ErpConnection, order: Order) -> str:
    if conn.customer_mode == "per_shop":
        fixed = session.exec(
            select(ErpCustomerMap.customer_code).where(
                ErpCustomerMap.connection_id == conn.id, ErpCustomerMap.buyer_ref == f"shop:{order.shop_id}"
            )
        ).first()
        if fixed:
            return fixed
    ref = buyer_ref(order)
    query = select(ErpCustomerMap.customer_code).where(
        ErpCustomerMap.connection_id == conn.id,
        ErpCustomerMap.platform == order.platform,
        ErpCustomerMap.buyer_ref == ref,
    )
    found = session.exec(query).first()
    if found:
        return found
    code = virtual_customer(order.platform, ref)
    try:
        with session.begin_nested():  # another worker may map the same buyer at the same moment
            session.add(
                ErpCustomerMap(connection_id=conn.id, platform=order.platform, buyer_ref=ref, customer_code=code)
            )
    except IntegrityError:
        return session.exec(query).first() or code
    return code
