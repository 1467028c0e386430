"""Print layouts for 58 mm and 80 mm thermal printers (the browser's print dialog)."""

import reflex as rx

from components.i18n import t
from state.tickets import TicketState

PRINT_CSS = """
@page { margin: 0; }
body { margin: 0; background: #fff; }
.qh-ticket { font-family: "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif; color: #000; padding: 2mm 3mm; }
.qh-ticket .big { font-size: 26px; font-weight: 800; text-align: center; }
.qh-ticket .center { text-align: center; }
.qh-ticket .row { display: flex; justify-content: space-between; gap: 4px; }
.qh-ticket .sep { border-top: 1px dashed #000; margin: 4px 0; }
.qh-ticket .memo { border: 2px solid #000; padding: 2px 4px; font-weight: 700; font-size: 15px; }
.qh-ticket .qty { font-weight: 800; white-space: nowrap; }
"""


def _ticket() -> rx.Component:
    h = TicketState.head
    return rx.el.div(
        rx.el.div(h["store"], class_name="center", style={"font_weight": "700", "font_size": "15px"}),
        rx.el.div(h["platform"], " ", h["seq"], class_name="big"),
        rx.cond(h["kind"] != "", rx.el.div(h["kind"], class_name="big", id="ticket-kind")),
        rx.el.div(h["times"], class_name="center", style={"font_size": "12px"}, id="ticket-times"),
        rx.el.div(class_name="sep"),
        rx.foreach(
            TicketState.lines,
            lambda line: rx.el.div(
                rx.el.div(
                    line["name"],
                    " ",
                    rx.el.span(line["spec"], style={"color": "#444", "font_size": "11px"}),
                    style={"flex": "1"},
                ),
                rx.el.div("×", line["qty"], class_name="qty"),
                rx.el.div(line["paid"], style={"min_width": "52px", "text_align": "right"}),
                class_name="row",
            ),
        ),
        rx.el.div(class_name="sep"),
        rx.el.div(rx.el.span("商品"), rx.el.span(h["goods"]), class_name="row"),
        rx.el.div(rx.el.span(h["freight_label"]), rx.el.span(h["freight"]), class_name="row"),
        rx.el.div(rx.el.span("优惠"), rx.el.span(h["discount"]), class_name="row"),
        rx.el.div(
            rx.el.span("实付"),
            rx.el.span(h["paid"]),
            class_name="row",
            style={"font_weight": "800", "font_size": "15px"},
        ),
        rx.cond(h["memo"] != "", rx.el.div("备注：", h["memo"], class_name="memo")),
        rx.el.div(class_name="sep"),
        rx.el.div(h["receiver"], style={"font_weight": "700"}),
        rx.cond(h["address"] != "", rx.el.div(h["address"], style={"word_break": "break-all"}, id="ticket-address")),
        rx.el.div(class_name="sep"),
        rx.el.img(src=TicketState.barcode, style={"width": "100%", "height": "14mm"}, alt=h["no"]),
        rx.el.div(h["no"], class_name="center", style={"font_size": "11px", "font_family": "monospace"}),
        rx.el.div(h["store_phone"], class_name="center", style={"font_size": "11px"}),
        class_name="qh-ticket",
        id="ticket",
    )


def _picklist() -> rx.Component:
    return rx.el.div(
        rx.el.div("拣货单", class_name="big"),
        rx.el.div(TicketState.head["printed"], " · ", TicketState.head["count"], " 单", class_name="center"),
        rx.foreach(
            TicketState.lines,
            lambda line: rx.match(
                line["kind"],
                (
                    "store",
                    rx.el.div(
                        rx.el.div(class_name="sep"),
                        rx.el.div(line["name"], style={"font_weight": "800", "font_size": "15px"}),
                        class_name="pick-store",
                    ),
                ),
                (
                    "orders",
                    rx.el.div(
                        line["name"], style={"font_size": "12px", "word_break": "break-all"}, class_name="pick-orders"
                    ),
                ),
                rx.el.div(
                    rx.el.div(
                        line["name"],
                        " ",
                        rx.el.span(line["spec"], style={"color": "#444", "font_size": "11px"}),
                        style={"flex": "1"},
                    ),
                    rx.el.div("×", line["qty"], class_name="qty", style={"font_size": "16px"}),
                    class_name="row",
                ),
            ),
        ),
        class_name="qh-ticket",
        id="picklist",
    )


def _refused() -> rx.Component:
    """Instead of a ticket, when the order is not the user's to print (or does not exist)."""
    return rx.center(
        rx.vstack(
            rx.icon("lock", size=40, color=rx.color("red", 9)),
            rx.heading(
                rx.cond(TicketState.refused == "not_found", t("print.not_found"), t("print.no_permission")),
                size="5",
                id="print-refused",
            ),
            rx.cond(
                TicketState.refused == "no_permission",
                rx.text(t("print.no_permission_hint"), color_scheme="gray", text_align="center"),
            ),
            rx.link(rx.button(t("print.back"), size="3", width="100%"), href="/orders", width="100%"),
            align="center",
            spacing="4",
            max_width="360px",
            width="100%",
        ),
        min_height="100vh",
        padding="24px",
    )


def print_page() -> rx.Component:
    return rx.cond(
        TicketState.refused != "",
        _refused(),
        rx.box(
            rx.el.style(PRINT_CSS),
            rx.cond(TicketState.kind == "picklist", _picklist(), _ticket()),
            width=rx.cond(TicketState.width == "80", "80mm", "58mm"),
        ),
    )
