"""The 新建售后 dialog of an order: type, items and quantities, reason."""

import reflex as rx

from components.form_bits import WRAP, field_error
from components.i18n import t
from state.manual_aftersale import KINDS
from state.manual_aftersale import ManualAfterSaleState as M


def _line(line) -> rx.Component:
    return rx.hstack(
        rx.text(line["name"], size="3", style=WRAP, flex="1"),
        rx.input(
            name="q_" + line["id"],
            type="number",
            min="0",
            max=line["max"],
            placeholder="0",
            width="72px",
            size="3",
            input_mode="numeric",
        ),  # fmt: skip
        rx.text("/ ", line["max"], size="2", color_scheme="gray"),
        width="100%",
        align="center",
    )


def manual_aftersale_button(order_id) -> rx.Component:
    return rx.button(
        rx.icon("undo-2", size=16), t("aftersale.new"), variant="soft", size="2", on_click=M.ask(order_id),
        id="detail-new-aftersale",
    )  # fmt: skip


def manual_aftersale_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("aftersale.new")),
            rx.form(
                rx.vstack(
                    rx.select.root(
                        rx.select.trigger(width="100%", placeholder=t("aftersale.pick_type"), id="new-as-kind"),
                        rx.select.content(*[rx.select.item(t(f"aftersale.type.{k}"), value=k) for k in KINDS]),
                        name="kind",
                        size="3",
                    ),
                    field_error(M.errors["kind"]),
                    rx.foreach(M.lines, _line),
                    field_error(M.errors["lines"]),
                    rx.input(name="reason", placeholder=t("aftersale.reason"), max_length=500, width="100%", size="3"),
                    field_error(M.errors["reason"]),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3")),
                        rx.button(t("aftersale.create"), type="submit", size="3", loading=M.busy, id="new-as-send"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=M.submit,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=M.is_open,
        on_open_change=M.set_open,
    )
