"""新建售后 from an order's detail: a 补发 / 换货 / 退货退款 / 维修 / 拦截 the platform never asked for
(the buyer called the store). The record then lives in the 售后 page like any other."""

from __future__ import annotations

import reflex as rx

from qihang_app.services.aftersale_actions import create_manual
from qihang_app.services.aftersale_partial import refundable_lines
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, refuse
from state.form_errors import placed
from state.offloop import in_session
from state.permissions import requires, view_only

KINDS = ("resend", "exchange", "return_refund", "repair", "intercept")


class ManualAfterSaleState(rx.State):
    order_id: int = 0
    lines: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    busy: bool = False

    @rx.var
    def is_open(self) -> bool:
        return self.order_id > 0

    @rx.event
    @requires("aftersale.create")
    async def ask(self, order_id: str):
        if not str(order_id).isdigit():
            return
        try:
            actor = await current_actor(self)
            found = await in_session(lambda s: refundable_lines(s, actor=actor, order_id=int(order_id)))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        self.order_id, self.errors = int(order_id), {}
        self.lines = [{"id": str(ln["id"]), "name": ln["name"], "max": str(ln["quantity"])} for ln in found]

    @rx.event
    @view_only
    def set_open(self, is_open: bool):
        if not is_open:
            self.order_id, self.errors = 0, {}

    @rx.event
    @requires("aftersale.create")
    async def submit(self, form: dict):
        if self.busy or not self.order_id:
            return
        quantities = {}
        for key, value in form.items():
            text = str(value).strip()
            if key.startswith("q_") and key[2:].isdigit() and text:
                quantities[int(key[2:])] = int(text) if text.isdigit() else -1
        kind, reason, order_id = str(form.get("kind") or ""), str(form.get("reason") or ""), self.order_id
        self.busy, self.errors = True, {}
        try:
            actor = await current_actor(self)
            made = await in_session(
                lambda s: (
                    create_manual(
                        s, actor=actor, order_id=order_id, kind=kind, line_quantities=quantities, reason=reason
                    ).id
                )
            )
        except ServiceError as exc:
            self.busy = False
            self.errors = await placed(self, exc) or {"lines": await explain(self, exc)}
            return
        except Exception as exc:
            self.busy = False
            return await refuse(self, exc)
        self.busy, self.order_id = False, 0
        return rx.redirect(f"/aftersales?id={made}")
