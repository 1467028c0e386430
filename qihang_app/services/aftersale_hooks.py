"""Where the after-sale center meets the ERP link (h-erp-core wires these).

`after_sale_created` runs in the transaction that created an after-sale: the ERP link queues its
`aftersale.created` push there (the signed outbox, like orders). `apply_erp_result` is what the
inbound `/api/erp/v1/aftersale-results` route (and polling of the real ERPs) calls; staff entering
a result by hand in the 售后 page go through the same function.
"""

from __future__ import annotations

from sqlmodel import Session

from qihang_app.models import AfterSaleEvent

ERP_OUTCOMES = ("resend", "exchange", "return", "refund_only", "intercept")


def after_sale_created(session: Session, after_sale_id: int) -> None:
    """Queue the ERP push of a new after-sale. Until the ERP link is merged, the timeline says
    the push is waiting, so the integrator can see which records need it."""
    try:
        from qihang_app.services import erp_outbox  # h-erp-core's module
    except ImportError:
        session.add(AfterSaleEvent(after_sale_id=after_sale_id, actor="worker", kind="erp_push", note="待推送ERP"))
        return
    erp_outbox.queue_after_sale(session, after_sale_id=after_sale_id)


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
):
    """Record the ERP's (or staff's) result: 补发 resend, 换货 exchange, 退货 return,
    仅退款 refund_only, 拦截 intercept. `received` maps after-sale line ids to (quantity back,
    sellable). Moves the after-sale, writes back to the platform, and applies stock effects.
    Idempotent: the same result twice changes nothing the second time."""
    from .aftersale_actions import record_result

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
