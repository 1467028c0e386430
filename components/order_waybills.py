"""The drawer's e-commerce parts: line badges (refund, shipped), the parcel's line picker of
录入运单号, the order's 电子面单 and 卖家备注 + 旗帜."""

import reflex as rx

from components.form_bits import field_error
from components.i18n import t
from state.lang import LangState
from state.order_detail import OrderDetailState
from state.order_waybills import NO_FLAG, OrderWaybillState


def _in_lang(zh, en) -> rx.Var:
    return rx.cond(LangState.lang == "en", en, zh)


def line_badges(line: dict) -> rx.Component:
    """Under a line: the platform's refund state of it (only while the after-sale center has no
    record of it: then its own badge says more), and the parcel it went in."""
    return rx.hstack(
        rx.cond(
            (line["refund"] != "") & ((line["as_state"] == "none") | (line["as_state"] == "")),
            rx.badge(
                t("orders.line.refund"), ": ", line["refund"], color_scheme="red", size="1", class_name="line-refund"
            ),
        ),
        rx.cond(
            line["shipped"] != "",
            rx.badge(
                rx.icon("package-check", size=12),
                t("ship.ui.line_shipped"),
                " ",
                line["shipped"],
                color_scheme="green",
                size="1",
                class_name="line-shipped",
            ),
        ),
        spacing="1",
        wrap="wrap",
    )


def partial_badge() -> rx.Component:
    d = OrderDetailState.detail
    return rx.cond(
        d["partial"] != "",
        rx.badge(_in_lang(d["partial"], d["partial_en"]), color_scheme="amber", id="detail-partial"),
    )


def _pick(line: dict) -> rx.Component:
    return rx.cond(
        line["splittable"] == "1",
        rx.el.label(
            rx.el.input(type="checkbox", name="line_" + line["line_no"], class_name="parcel-line"),
            rx.text.span(" ", line["name"], " ×", line["qty"]),
            style={"display": "flex", "gap": "6px", "align_items": "center", "font_size": "14px", "min_height": "32px"},
        ),
    )


def parcel_picker() -> rx.Component:
    """Inside the 录入运单号 form: which lines go in this parcel (none ticked: the whole order)."""
    return rx.cond(
        OrderDetailState.detail["splits"] == "1",
        rx.vstack(
            rx.text(t("ship.ui.lines_hint"), size="1", color_scheme="gray"),
            rx.foreach(OrderDetailState.detail_lines, _pick),
            spacing="1",
            width="100%",
            id="parcel-picker",
        ),
    )


def _waybill(w: dict) -> rx.Component:
    return rx.hstack(
        rx.icon("receipt-text", size=16),
        rx.text(_in_lang(w["carrier"], w["carrier_en"]), size="2"),
        rx.text(w["tracking"], size="2", font_family="monospace", class_name="waybill-no"),
        rx.badge(
            rx.match(
                w["status"],
                ("issued", t("waybill.ui.status.issued")),
                ("printed", t("waybill.ui.status.printed")),
                ("shipped", t("waybill.ui.status.shipped")),
                t("waybill.ui.status.cancelled"),
            ),
            color_scheme=rx.match(w["status"], ("cancelled", "gray"), ("shipped", "green"), "blue"),
            size="1",
        ),
        rx.spacer(),
        rx.cond(
            w["cancellable"] == "1",
            rx.button(
                t("waybill.ui.cancel"),
                size="1",
                variant="soft",
                color_scheme="red",
                loading=OrderWaybillState.cancelling == w["id"],
                on_click=OrderWaybillState.cancel(w["id"]),
                class_name="waybill-cancel",
            ),
        ),
        spacing="2",
        align="center",
        width="100%",
        wrap="wrap",
    )


def waybill_section() -> rx.Component:
    return rx.cond(
        OrderWaybillState.waybills.length() > 0,
        rx.vstack(
            rx.text(t("waybill.ui.section"), size="2", weight="bold"),
            rx.foreach(OrderWaybillState.waybills, _waybill),
            spacing="2",
            width="100%",
            id="order-waybills",
        ),
    )


def memo_section() -> rx.Component:
    """卖家备注 + 旗帜, where the platform takes them (else the stored memo is shown read-only)."""
    return rx.cond(
        OrderDetailState.detail["takes_memo"] == "1",
        rx.vstack(
            rx.text(t("memo.ui.title"), size="2", weight="bold"),
            rx.text_area(
                value=OrderWaybillState.memo,
                on_change=OrderWaybillState.set_memo,
                placeholder=t("memo.ui.placeholder"),
                max_length=500,
                rows="3",
                width="100%",
                id="memo-text",
            ),
            field_error(OrderWaybillState.memo_error),
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder=t("memo.ui.flag"), id="memo-flag", min_width="120px"),
                    rx.select.content(
                        rx.select.item(t("memo.ui.no_flag"), value=NO_FLAG),
                        rx.foreach(
                            OrderWaybillState.flags,
                            lambda f: rx.select.item(_in_lang(f["zh"], f["en"]), value=f["code"]),
                        ),
                    ),
                    value=OrderWaybillState.flag,
                    on_change=OrderWaybillState.set_flag,
                    size="3",
                ),
                rx.button(t("memo.ui.save"), size="3", on_click=OrderWaybillState.save_memo, id="memo-save"),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
            id="seller-memo",
        ),
        rx.cond(
            OrderDetailState.detail["seller_memo"] != "",
            rx.vstack(
                rx.text(t("orders.seller_memo"), size="2", weight="bold"),
                rx.text(OrderDetailState.detail["seller_memo"], size="2"),
                spacing="2",
                width="100%",
            ),
        ),
    )
