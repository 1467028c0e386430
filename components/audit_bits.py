"""An audit entry on screen: the order drawer's 操作记录 line and the audit page's card."""

import reflex as rx

from components.form_bits import WRAP
from state.lang import LangState


def in_lang(zh, en) -> rx.Var:
    return rx.cond(LangState.lang == "en", en, zh)


def audit_line(e: dict) -> rx.Component:
    """时间 · 谁 · 地址, then the action and before → after."""
    return rx.vstack(
        rx.hstack(
            rx.text(e["at"], size="1", color_scheme="gray", class_name="tabular"),
            rx.text(in_lang(e["who"], e["who_en"]), size="1", weight="medium"),
            rx.text(e["address"], size="1", color_scheme="gray"),
            spacing="2",
            wrap="wrap",
        ),
        rx.text(in_lang(e["action_zh"], e["action_en"]), size="2", weight="medium"),
        rx.cond(
            e["change"] != "", rx.text(in_lang(e["change"], e["change_en"]), size="1", color_scheme="gray", style=WRAP)
        ),
        spacing="0",
        width="100%",
        padding_y="4px",
        border_bottom=f"1px dashed {rx.color('gray', 5)}",
        class_name="audit-line",
    )
