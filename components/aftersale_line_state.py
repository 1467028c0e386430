"""An order line's after-sale state as a small badge (售后中 / 退款中 / 退款成功 / 部分退款); nothing
for a line without one. Used by the 售后 detail and the order drawer's lines."""

from __future__ import annotations

import reflex as rx

from components.i18n import t

_COLOURS = {"in_progress": "amber", "refunding": "orange", "refunded": "red", "partly_refunded": "crimson"}


def line_state_badge(value) -> rx.Component:
    return rx.cond(
        (value == "") | (value == "none"),
        rx.fragment(),
        rx.badge(
            rx.match(value, *[(k, t(f"aftersale.order_state.{k}")) for k in _COLOURS], value),
            color_scheme=rx.match(value, *_COLOURS.items(), "gray"),
            size="1",
            class_name="line-after-sale",
        ),
    )
