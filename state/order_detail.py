"""订单 page, the detail drawer of one order: lines, amounts and the timeline."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain.money import format_money
from qihang_app.domain.order_flow import status_label
from qihang_app.domain.timeline import describe
from qihang_app.i18n import render
from qihang_app.services import aftersale_queries
from qihang_app.services import audit as audit_service
from qihang_app.services import orders as order_service
from state import order_waybills
from state.audit_rows import entry_row
from state.auth import current_actor, refuse
from state.delivery_view import delivery_view
from state.offloop import in_session
from state.order_erp import OrderErpState
from state.orders import fmt_dt
from state.permissions import requires, view_only


def _views(d) -> tuple[dict[str, str], list[dict[str, str]], list[dict[str, str]]]:
    """The drawer's head, lines and events of a service OrderDetail (notes may be message keys)."""
    o = d.order
    head = {
        "id": str(o.id),
        "platform": str(o.platform),
        "no": o.display_no or o.platform_order_id,
        "platform_order_id": o.platform_order_id,
        "seq": f"#{o.day_seq}" if o.day_seq else "",
        "status": str(o.status),
        "exception": render(o.exception_reason or o.action_error or "", "zh"),
        "exception_en": render(o.exception_reason or o.action_error or "", "en"),
        "raw_status": o.raw_status_text or "",  # the platform's own words; its code means nothing to staff
        "buyer_memo": o.buyer_memo or "",
        "seller_memo": o.seller_memo or "",
        "receiver_name": o.receiver_name or "",
        "receiver_phone": o.receiver_phone or "",
        "receiver_address": o.receiver_address or "",
        "goods": format_money(o.goods_fen or 0),
        "freight": format_money(o.freight_fen or 0),
        "packing": format_money(o.packing_fen or 0),
        "platform_discount": format_money(-(o.platform_discount_fen or 0)),
        "merchant_discount": format_money(-(o.merchant_discount_fen or 0)),
        "paid": format_money(o.paid_fen or 0),
        "receivable": "—" if o.merchant_receivable_fen is None else format_money(o.merchant_receivable_fen),
        "placed": fmt_dt(o.placed_at),
        "shop": getattr(d, "shop_name", "") or "",
    }
    lines = [
        {
            "name": line.name or "",
            "spec": line.spec or "",
            "qty": str(line.quantity),
            "multi": "1" if line.quantity > 1 else "",
            "price": format_money(line.unit_price_fen or 0),
            "discount": format_money(-(line.allocated_discount_fen or 0)),
            "paid": format_money(line.paid_fen or 0),
            "erp": str(line.erp_sku_id or ""),
            "code": line.outer_sku_code or line.platform_sku_id or "",
            "sku": line.platform_sku_id or "",  # 店铺商品 finds the shop SKU to link by it
            "line_no": str(line.line_no),
            "refund": line.refund_status or "",  # the platform's own words for the line's refund
        }
        for line in d.lines
    ]
    events = [timeline_row(e, getattr(d, "usernames", {})) for e in d.events]
    return head, lines, events


def timeline_row(e, usernames: dict[str, str]) -> dict[str, str]:
    """One timeline row in words, in both languages (the page picks by the switch, no round
    trip): who, what, the status move (only when it moved), the detail and how it came."""
    entry = describe(
        actor=e.actor or "",
        kind=e.kind or "",
        from_status=e.from_status,
        to_status=e.to_status,
        note=e.note,
        usernames=usernames,
    )
    row = {"at": fmt_dt(e.at)}
    for lang, suffix in (("zh", ""), ("en", "_en")):
        moved = [status_label(s, lang) for s in entry.moved or () if s]
        row.update(
            {
                "who" + suffix: render(entry.who, lang),
                "what" + suffix: render(entry.what, lang),
                "change" + suffix: " → ".join(moved),
                "detail" + suffix: render(entry.detail, lang),
                "via" + suffix: render(entry.via, lang),
            }
        )
    return row


class OrderDetailState(rx.State):
    detail_open: bool = False
    detail: dict[str, str] = {}
    detail_lines: list[dict[str, str]] = []
    detail_events: list[dict[str, str]] = []
    detail_audit: list[dict[str, str]] = []  # 操作记录: the order's audit entries
    detail_delivery: dict[str, str] = {}

    @rx.event
    @requires("page.orders")
    async def load(self):
        """On entering 订单: the drawer starts closed (it kept the last order open when staff
        came back from another page) unless the link asks for one: /orders?order=12."""
        self.detail_open = False
        wanted = self.router.url.query_parameters.get("order", "")
        if wanted.isdigit():
            try:
                await self._show(int(wanted))
            except Exception as exc:
                return await refuse(self, exc)
            return OrderErpState.load_for(wanted)

    @rx.event
    @requires("page.orders")
    async def open_detail(self, order_id: str):
        try:
            await self._show(int(order_id))
        except Exception as exc:
            return await refuse(self, exc)
        return OrderErpState.load_for(order_id)

    async def _show(self, order_id: int) -> None:
        """Load the order (scope-checked by the service) and open the drawer."""
        actor = await current_actor(self)

        def read(session):
            d = order_service.get_order_detail(session, actor=actor, order_id=order_id)  # scope check
            views = _views(d)
            states = aftersale_queries.order_line_states(session, actor=actor, order_id=order_id)
            for view, line in zip(views[1], d.lines, strict=True):  # each line's 售后 state
                view["as_state"] = states.get(line.id, "none")
            entries = audit_service.for_target(session, actor=actor, kind="order", target_id=order_id)
            extras = order_waybills.extras_for(session, d.order, d.lines)
            order_waybills.enrich(views[0], views[1], extras)
            memo = (d.order.seller_memo or "", d.order.seller_flag or "")
            return views, [entry_row(e) for e in entries], delivery_view(session, order_id), extras, memo

        (
            (self.detail, self.detail_lines, self.detail_events),
            self.detail_audit,
            self.detail_delivery,
            extras,
            memo,
        ) = await in_session(read)
        (await self.get_state(order_waybills.OrderWaybillState))._fill(str(order_id), extras, *memo)
        self.detail_open = True

    @rx.event
    @view_only
    def set_detail_open(self, value: bool):
        self.detail_open = value
