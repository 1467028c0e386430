"""Where the after-sale center meets the ERP link.

`after_sale_created` runs in the transaction that created an after-sale: the ERP link queues its
`aftersale.created` push there (the ERP outbox rows, like orders; services/aftersale_erp.py).
`apply_erp_result` is what the inbound `/api/erp/v1/aftersale-results` route and the polled
results of the real ERPs call; staff entering a result by hand in the 售后 page go through the
same function.
"""

from __future__ import annotations

from sqlmodel import Session

from qihang_app.models import AfterSale

from . import aftersale_erp

ERP_OUTCOMES = ("resend", "exchange", "return", "refund_only", "intercept")


def after_sale_created(session: Session, after_sale_id: int) -> None:
    """Queue the ERP push of a new after-sale (when the store's ERP takes after-sales)."""
    aftersale_erp.queue_push(session, after_sale_id=after_sale_id)


def apply_erp_result(
    session: Session,
    after_sale_id: int,
    outcome: str,
    tracking_no: str = "",
    *,
    carrier: str = "",
    received: dict[int, tuple[int, bool]] | None = None,
    note: str = "",
    actor: str = "erp",
    connection_id: int | None = None,
):
    """Record the ERP's (or staff's) result: 补发 resend, 换货 exchange, 退货 return,
    仅退款 refund_only, 拦截 intercept. `received` maps after-sale line ids to (quantity back,
    sellable). Moves the after-sale, writes back to the platform, and applies stock effects.
    Idempotent: the same result twice changes nothing the second time."""
    from .aftersale_actions import record_result

    record = session.get(AfterSale, after_sale_id)
    if record is not None and outcome in ("resend", "exchange"):  # the parcel, even if the state is done
        aftersale_erp.resend_parcel(
            session, record, carrier=carrier, tracking_no=tracking_no, conn_id=connection_id, actor=actor
        )
    return record_result(
        session,
        after_sale_id=after_sale_id,
        outcome=outcome,
        tracking_no=tracking_no,
        carrier=carrier,
        received=received or {},
        note=note,
        actor=actor,
    )
