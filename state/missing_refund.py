"""缺货退款 from a board card: pick the missing items and quantities; the refund goes to the
platform through the outbox and the after-sale center keeps the record."""

from __future__ import annotations

import reflex as rx

from qihang_app.services.aftersale_partial import refund_missing, refundable_lines
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, refuse, translate
from state.form_errors import placed
from state.offloop import in_session
from state.permissions import requires, view_only


class MissingRefundState(rx.State):
    order_id: int = 0
    lines: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    busy: bool = False

    @rx.var
    def is_open(self) -> bool:
        return self.order_id > 0

    @rx.event
    @requires("order.partial_refund")
    async def ask(self, order_id: int):
        try:
            actor = await current_actor(self)
            found = await in_session(lambda s: refundable_lines(s, actor=actor, order_id=order_id))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        self.order_id, self.errors = order_id, {}
        self.lines = [{"id": str(ln["id"]), "name": ln["name"], "spec": ln["spec"] or "", "max": str(ln["quantity"])}
                      for ln in found]  # fmt: skip

    @rx.event
    @view_only
    def set_open(self, is_open: bool):
        if not is_open:
            self.order_id, self.errors = 0, {}

    @rx.event
    @requires("order.partial_refund")
    async def submit(self, form: dict):
        if self.busy or not self.order_id:
            return
        quantities: dict[int, int] = {}
        for key, value in form.items():
            if key.startswith("q_") and key[2:].isdigit() and str(value).strip():
                text = str(value).strip()
                quantities[int(key[2:])] = int(text) if text.isdigit() else -1
        reason = str(form.get("reason") or "")
        order_id = self.order_id
        self.busy, self.errors = True, {}
        try:
            actor = await current_actor(self)
            await in_session(
                lambda s: refund_missing(s, actor=actor, order_id=order_id, line_quantities=quantities, reason=reason)
            )
        except ServiceError as exc:
            self.busy = False
            self.errors = await placed(self, exc) or {"lines": await explain(self, exc)}
            return
        except Exception as exc:
            self.busy = False
            return await refuse(self, exc)
        self.busy, self.order_id = False, 0
        return rx.toast.success(await translate(self, "aftersale.done"))
