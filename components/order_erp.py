"""The ERP part of the order drawer: state, why it waits, shipments, 推送到 ERP and 录入运单号."""

import reflex as rx

from components.erp_badges import erp_badge
from components.form_bits import field_error
from components.i18n import t
from components.order_waybills import parcel_picker
from qihang_app.domain.input_rules import LIMITS
from state.lang import LangState
from state.order_erp import OrderErpState


def _in_lang(zh, en) -> rx.Var:
    return rx.cond(LangState.lang == "en", en, zh)


def _shipment(s: dict) -> rx.Component:
    return rx.hstack(
        rx.icon("truck", size=16),
        rx.text(_in_lang(s["carrier"], s["carrier_en"]), size="2"),
        rx.text(s["tracking"], size="2", font_family="monospace", class_name="shipment-no"),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _entry_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(t("erp.ui.enter_tracking"), size="2", weight="medium"),
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(id="ship-carrier", min_width="120px"),
                    rx.select.content(
                        rx.foreach(
                            OrderErpState.carrier_options,
                            lambda c: rx.select.item(_in_lang(c["zh"], c["en"]), value=c["code"]),
                        )
                    ),
                    value=OrderErpState.carrier,
                    on_change=OrderErpState.set_carrier,
                    size="3",
                ),
                rx.input(
                    name="tracking_no",
                    id="ship-tracking",
                    placeholder=t("erp.ui.tracking_no"),
                    max_length=LIMITS["sku_code"],
                    size="3",
                    flex="1",
                    min_width="0",
                ),
                width="100%",
                spacing="2",
                wrap="wrap",
            ),
            field_error(OrderErpState.ship_errors["tracking_no"]),
            parcel_picker(),
            field_error(OrderErpState.ship_errors["lines"]),
            rx.button(t("erp.ui.save_shipment"), type="submit", size="3", loading=OrderErpState.saving, id="ship-save"),
            spacing="2",
            width="100%",
        ),
        on_submit=OrderErpState.enter_shipment,
        reset_on_submit=True,
        width="100%",
    )


def erp_section() -> rx.Component:
    e = OrderErpState.erp
    return rx.vstack(
        rx.hstack(
            rx.text("ERP", size="2", weight="bold"),
            erp_badge(e["code"]),
            rx.cond(e["erp_ref"] != "", rx.text(e["erp_ref"], size="1", color_scheme="gray", font_family="monospace")),
            rx.spacer(),
            rx.cond(
                (e["code"] == "") | (e["code"] == "0") | (e["code"] == "100"),
                rx.button(
                    t("erp.ui.push_now"), size="2", variant="soft", on_click=OrderErpState.push_now, id="erp-push"
                ),
            ),
            align="center",
            width="100%",
            id="order-erp",
        ),
        rx.cond(
            e["reason"] != "",
            rx.text(_in_lang(e["reason"], e["reason_en"]), size="1", color=rx.color("amber", 11), id="erp-reason"),
        ),
        rx.foreach(OrderErpState.shipments, _shipment),
        _entry_form(),
        spacing="2",
        width="100%",
    )
