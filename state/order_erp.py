"""订单 drawer, the ERP part: the order's ERP state in words, its shipments, 推送到 ERP, and
录入运单号 (carrier + tracking number typed by staff, the same path as an ERP's shipment)."""

from __future__ import annotations

import reflex as rx

from qihang_app import live
from qihang_app.domain.erp_link import label
from qihang_app.domain.express_carriers import CARRIERS, carrier
from qihang_app.i18n import render
from qihang_app.services import erp_log, erp_manual
from qihang_app.services import orders as order_service
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, refuse, translate
from state.form_errors import placed
from state.offloop import in_session, publish
from state.permissions import requires, view_only

CARRIER_OPTIONS = [{"code": c.code, "zh": c.name_zh, "en": c.name_en} for c in CARRIERS]


def carrier_label(code: str, lang: str) -> str:
    found = carrier(code)
    return code if found is None else found.name_en if lang == "en" else found.name_zh


def _view(e: erp_log.OrderErp) -> tuple[dict[str, str], list[dict[str, str]]]:
    head = {
        "code": "" if e.state is None else str(e.code),
        "label": label(e.state, "zh") if e.state else "",
        "reason": render(e.reason, "zh"),
        "reason_en": render(e.reason, "en"),
        "erp_ref": e.erp_ref,
        "blocked": "1" if e.state == "blocked" else "",
    }
    ships = [
        {"carrier": carrier_label(c, "zh"), "carrier_en": carrier_label(c, "en"), "tracking": n, "source": s}
        for c, n, s in e.shipments
    ]
    return head, ships


class OrderErpState(rx.State):
    order_id: str = ""
    erp: dict[str, str] = {}
    shipments: list[dict[str, str]] = []
    carrier: str = "SF"
    ship_errors: dict[str, str] = {}
    saving: bool = False

    @rx.var
    def carrier_options(self) -> list[dict[str, str]]:
        return CARRIER_OPTIONS

    @rx.event
    @requires("page.orders")
    async def load_for(self, order_id: str):
        self.order_id, self.ship_errors = str(order_id), {}
        try:
            actor = await current_actor(self)

            def read(session):
                order_service.get_order_detail(session, actor=actor, order_id=int(order_id))  # scope check
                return _view(erp_log.order_erp(session, order_id=int(order_id)))

            self.erp, self.shipments = await in_session(read)
        except Exception as exc:
            return await refuse(self, exc)

    @rx.event
    @view_only
    def set_carrier(self, value: str):
        self.carrier = value

    @rx.event
    @requires("erp.ship")
    async def enter_shipment(self, form: dict):
        """录入运单号: the order moves to 已发货 and the platform hears of it (outbox)."""
        self.ship_errors, self.saving = {}, True
        # the lines ticked for this parcel (where the platform splits shipments): "line_<no>"
        line_nos = [int(k[5:]) for k, v in form.items() if k.startswith("line_") and k[5:].isdigit() and v]
        try:
            actor = await current_actor(self)
            done = await in_session(
                lambda s: erp_manual.enter_shipment(
                    s,
                    actor=actor,
                    order_id=int(self.order_id),
                    carrier_code=self.carrier,
                    tracking_no=str(form.get("tracking_no", "")),
                    line_nos=line_nos,
                )
            )
        except ServiceError as exc:
            self.saving = False
            self.ship_errors = await placed(self, exc) or {"tracking_no": await translate(self, exc.key or "")}
            return
        except Exception as exc:
            self.saving = False
            return await refuse(self, exc)
        self.saving = False
        if done.moved:  # the boards move the card without waiting for their timer
            store_id = await in_session(
                lambda s: order_service.get_order_detail(s, actor=actor, order_id=done.order_id).order.store_id
            )
            await publish(
                store_id, live.note(order_id=done.order_id, store_id=store_id, status=done.status, kind="shipped")
            )
        key = "erp.ui.ship_duplicate" if not done.created else "erp.ui.ship_saved"
        message = await translate(self, key)
        from state.order_detail import OrderDetailState

        return [OrderDetailState.open_detail(self.order_id), rx.toast.success(message)]

    @rx.event
    @requires("erp.push")
    async def push_now(self):
        try:
            actor = await current_actor(self)
            result = await in_session(lambda s: erp_manual.push_orders(s, actor=actor, order_ids=[int(self.order_id)]))
        except Exception as exc:
            return await refuse(self, exc)
        message = await translate(self, "erp.ui.push_result", **_counts(result))
        return [OrderErpState.load_for(self.order_id), rx.toast.info(message)]


def _counts(result: dict[str, int]) -> dict[str, int]:
    return {k: result.get(k, 0) for k in ("queued", "repushed", "blocked", "skipped", "no_connection")}
