"""An order's ERP state as a badge: 未推送 / 已推送 / 推送失败 / 取消已推送 (codes 0/200/100/201)."""

import reflex as rx

from qihang_app.domain.erp_link import LABEL
from state.lang import LangState

ERP_COLOR = {"0": "gray", "200": "green", "100": "red", "201": "violet"}


def erp_badge(code) -> rx.Component:
    """`code`: the state's number as text; empty when the order is not due for an ERP (no badge)."""
    label = rx.match(code, *[(str(c), rx.cond(LangState.lang == "en", en, zh)) for c, (zh, en) in LABEL.items()], "")
    color = rx.match(code, *list(ERP_COLOR.items()), "gray")
    return rx.cond(code != "", rx.badge(label, color_scheme=color, variant="soft", size="1", white_space="nowrap"))
