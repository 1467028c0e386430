"""The 缺货退款 dialog of the board: each line with the quantity missing, and a reason."""

import reflex as rx

from components.form_bits import WRAP, field_error
from components.i18n import t
from state.missing_refund import MissingRefundState as M


def _line(line) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(line["name"], size="3", style=WRAP),
            rx.text(line["spec"], size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
        ),
        rx.input(
            name="q_" + line["id"],
            type="number",
            min="0",
            max=line["max"],
            placeholder="0",
            width="72px",
            size="3",
            input_mode="numeric",
        ),
        rx.text("/ ", line["max"], size="2", color_scheme="gray"),
        width="100%",
        align="center",
    )


def missing_refund_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("aftersale.missing_refund")),
            rx.form(
                rx.vstack(
                    rx.foreach(M.lines, _line),
                    field_error(M.errors["lines"]),
                    rx.input(name="reason", placeholder=t("aftersale.reason"), max_length=200, width="100%", size="3"),
                    field_error(M.errors["reason"]),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3")),
                        rx.button(
                            t("aftersale.missing_refund_send"),
                            type="submit",
                            size="3",
                            loading=M.busy,
                            id="missing-refund-send",
                        ),  # fmt: skip
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
