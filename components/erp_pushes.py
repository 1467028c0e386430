"""推送记录 page parts: filters, the list (a table on desks, cards on phones), re-push."""

import reflex as rx

from components.badges import platform_badge
from components.i18n import t
from state.erp_pushes import ErpPushesState
from state.lang import LangState

STATUS = {
    "pending": ("erp.status.pending", "blue"),
    "in_flight": ("erp.status.in_flight", "blue"),
    "done": ("erp.status.done", "green"),
    "dead": ("erp.status.dead", "red"),
    "blocked": ("erp.status.blocked", "amber"),
}
FILTERS = ("all", "waiting", "retrying", "done", "dead", "blocked")


def _in_lang(zh, en) -> rx.Var:
    return rx.cond(LangState.lang == "en", en, zh)


def _status(status) -> rx.Component:
    label = rx.match(status, *[(k, t(key)) for k, (key, _) in STATUS.items()], status)
    color = rx.match(status, *[(k, c) for k, (_, c) in STATUS.items()], "gray")
    return rx.badge(label, color_scheme=color, variant="soft", size="2", white_space="nowrap")


def _event(key) -> rx.Component:
    return rx.match(key, *[(k, t(k)) for k in ("erp.event.order", "erp.event.cancel", "erp.event.aftersale")], key)


def filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(id="push-filter"),
            rx.select.content(*[rx.select.item(t(f"erp.filter.{f}"), value=f) for f in FILTERS]),
            value=ErpPushesState.f_state,
            on_change=ErpPushesState.set_state_filter,
            size="3",
        ),
        rx.select.root(
            rx.select.trigger(placeholder="门店"),
            rx.select.content(
                rx.select.item(t("erp.filter.all_stores"), value="all"),
                rx.foreach(ErpPushesState.store_options, lambda s: rx.select.item(s["name"], value=s["id"])),
            ),
            value=rx.cond(ErpPushesState.f_store == "", "all", ErpPushesState.f_store),
            on_change=ErpPushesState.set_store,
            size="3",
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="q",
                    default_value=ErpPushesState.f_query,
                    placeholder=t("erp.ui.search"),
                    max_length=40,
                    size="3",
                ),
                rx.button(rx.icon("search", size=16), type="submit", size="3", variant="soft", aria_label="search"),
                spacing="1",
            ),
            on_submit=ErpPushesState.search,
        ),
        wrap="wrap",
        spacing="2",
        width="100%",
        margin_bottom="12px",
    )


def _repush(row: dict) -> rx.Component:
    return rx.cond(
        row["status"] == "dead",
        rx.button(t("erp.ui.repush"), size="2", on_click=ErpPushesState.repush(row["id"]), class_name="repush"),
    )


def _answer(row: dict) -> rx.Component:
    return rx.vstack(
        rx.text(_in_lang(row["answer"], row["answer_en"]), size="2", white_space="normal", word_break="break-word"),
        rx.cond(row["next"] != "", rx.text(t("erp.ui.next_try"), " ", row["next"], size="1", color_scheme="gray")),
        spacing="0",
    )


def _table_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                rx.hstack(platform_badge(row["platform"]), rx.text(row["no"], size="2")),
                href="/orders?order=" + row["order_id"],
            )
        ),
        rx.table.cell(_event(row["event"])),
        rx.table.cell(_status(row["status"])),
        rx.table.cell(rx.text(row["attempts"], size="2")),
        rx.table.cell(_answer(row), max_width="360px"),
        rx.table.cell(rx.text(row["at"], size="2")),
        rx.table.cell(_repush(row)),
        class_name="push-row",
    )


def push_table() -> rx.Component:
    heads = (
        "erp.col.order",
        "erp.col.event",
        "erp.col.status",
        "erp.col.attempts",
        "erp.col.answer",
        "erp.col.at",
        "erp.col.action",
    )
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in heads])),
            rx.table.body(rx.foreach(ErpPushesState.rows, _table_row)),
            variant="surface",
            width="100%",
        ),
        display=["none", "none", "block"],
        width="100%",
    )


def _card(row: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                platform_badge(row["platform"]),
                rx.text(row["no"], size="2"),
                rx.spacer(),
                _status(row["status"]),
                width="100%",
                align="center",
            ),
            rx.hstack(
                _event(row["event"]),
                rx.text("×", row["attempts"], size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(row["at"], size="1", color_scheme="gray"),
                width="100%",
            ),
            _answer(row),
            _repush(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="push-card",
    )


def push_cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(ErpPushesState.rows, _card), spacing="2", width="100%", display=["flex", "flex", "none"]
    )
