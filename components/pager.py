"""Paging bar with the total, shared by admin tables."""

import reflex as rx

from components.i18n import t
from state.lang import LangState


def pager(*, page, pages, total, on_prev, on_next) -> rx.Component:
    total_text = rx.cond(LangState.lang == "en", total.to_string() + " in total", "共 " + total.to_string() + " 条")
    page_text = page.to_string() + " / " + pages.to_string()
    return rx.hstack(
        rx.text(total_text, size="2", color_scheme="gray", id="pager-total"),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16),
            t("common.prev"),
            variant="soft",
            size="2",
            on_click=on_prev,
            disabled=page <= 1,
        ),
        rx.text(page_text, size="2", class_name="tabular"),
        rx.button(
            t("common.next"),
            rx.icon("chevron-right", size=16),
            variant="soft",
            size="2",
            on_click=on_next,
            disabled=page >= pages,
        ),
        align="center",
        width="100%",
        padding_y="12px",
        spacing="3",
    )
