"""订单 drawer, the e-commerce parts: each line's refund state and parcel, the order's 电子面单
(cancel returns a number through a worker), and 卖家备注 + 旗帜 (a MEMO write-back)."""

from __future__ import annotations

import reflex as rx

from qihang_app import jobs
from qihang_app.i18n import render, tr, tr_known
from qihang_app.services import seller_memo, waybill_views, waybills
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, lang_of, refuse, translate
from state.form_errors import placed
from state.offloop import in_session
from state.permissions import requires, view_only

NO_FLAG = "none"  # the select's value for "no flag" (a select item cannot carry "")


def enrich(head: dict, lines: list[dict], extras: dict) -> None:
    """Add the drawer's split-shipment and memo fields to the views of state.order_detail."""
    for line in lines:
        line["shipped"] = extras["per_line"].get(int(line["line_no"]), "")
        line["splittable"] = "1" if extras["splits"] and not line["shipped"] else ""
    done, _, total = extras["partial"].partition("/")
    head["partial"] = tr("ship.ui.partial", "zh", done=done, total=total) if extras["partial"] else ""
    head["partial_en"] = tr("ship.ui.partial", "en", done=done, total=total) if extras["partial"] else ""
    head["splits"] = "1" if extras["splits"] else ""
    head["takes_memo"] = "1" if extras["takes_memo"] else ""


class OrderWaybillState(rx.State):
    order_id: str = ""
    waybills: list[dict[str, str]] = []
    flags: list[dict[str, str]] = []
    memo: str = ""
    flag: str = NO_FLAG
    memo_error: str = ""
    cancelling: str = ""

    def _fill(self, order_id: str, extras: dict, memo: str, flag: str) -> None:
        """Called by the drawer state once it loaded the order (no event of its own)."""
        self.order_id, self.waybills, self.flags = order_id, extras["waybills"], extras["flags"]
        self.memo, self.flag, self.memo_error = memo, flag or NO_FLAG, ""

    @rx.event
    @view_only
    def set_memo(self, value: str):
        self.memo = value

    @rx.event
    @view_only
    def set_flag(self, value: str):
        self.flag = value

    @rx.event
    @requires("order.memo")
    async def save_memo(self):
        self.memo_error = ""
        flag = "" if self.flag == NO_FLAG else self.flag
        try:
            actor = await current_actor(self)
            changed = await in_session(
                lambda s: seller_memo.set_memo(s, actor=actor, order_id=int(self.order_id), memo=self.memo, flag=flag)
            )
        except ServiceError as exc:
            self.memo_error = (await placed(self, exc) or {}).get("memo") or await translate(self, exc.key or "")
            return
        except Exception as exc:
            return await refuse(self, exc)
        from state.order_detail import OrderDetailState

        message = await translate(self, "memo.ui.saved" if changed else "memo.ui.unchanged")
        return [OrderDetailState.open_detail(self.order_id), rx.toast.success(message)]

    @rx.event(background=True)
    @requires("order.waybill")
    async def cancel(self, waybill_id: str):
        """Return the number to the platform (a worker calls it), then reload the drawer."""
        async with self:
            try:
                actor = await current_actor(self)
                await in_session(lambda s: waybills.cancel_target(s, actor=actor, waybill_id=int(waybill_id)))
            except Exception as exc:
                return await refuse(self, exc)
            self.cancelling = waybill_id
            order_id = self.order_id
        try:
            result = await jobs.run("cancel_waybill", int(waybill_id), actor.ref, timeout=25)
        except Exception:
            result = {"ok": False, "key": "waybill.err.no_worker"}
        async with self:
            self.cancelling = ""
            lang = await lang_of(self)
            if result.get("ok"):
                message = tr("waybill.ui.cancelled", lang)
            elif result.get("key"):
                message = tr_known(result["key"], lang, **(result.get("params") or {}))
            else:
                message = render(result.get("message", ""), lang)
            from state.order_detail import OrderDetailState

            toast = rx.toast.success(message) if result.get("ok") else rx.toast.error(message)
            return [OrderDetailState.open_detail(order_id), toast]


def extras_for(session, order, lines) -> dict:
    return waybill_views.drawer_extras(session, order, lines)
