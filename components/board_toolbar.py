"""Dispatch board controls around the cards: toolbar (search, filters, mute), the sound banner,
the alert probe and the reject dialog."""

import reflex as rx

from components.i18n import t
from components.stock import low_stock_link
from state.board import BoardState
from state.lang import LangState


def toolbar() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="q",
                    placeholder=t("board.search"),
                    default_value=BoardState.f_query,
                    size="3",
                    width="100%",
                    id="board-search",
                ),
                rx.cond(
                    BoardState.f_query != "",
                    rx.icon_button(
                        rx.icon("x", size=16),
                        variant="ghost",
                        size="3",
                        type="button",
                        on_click=BoardState.clear_search,
                    ),
                ),
                width="100%",
            ),
            on_submit=BoardState.search,
            reset_on_submit=False,
            flex=["1 1 100%", "1 1 100%", "1 1 100%", "1 1 200px"],
            min_width="0",
        ),
        rx.cond(
            BoardState.store_options.length() > 1,
            rx.select.root(
                rx.select.trigger(min_width="130px", flex="1"),
                rx.select.content(
                    rx.select.item(t("orders.all_stores"), value="all"),
                    rx.foreach(BoardState.store_options, lambda s: rx.select.item(s["name"], value=s["id"])),
                ),
                value=rx.cond(BoardState.f_store == "", "all", BoardState.f_store),
                on_change=BoardState.set_store,
                size="3",
            ),
        ),
        rx.select.root(
            rx.select.trigger(min_width="100px"),
            rx.select.content(
                rx.select.item(t("orders.all_platforms"), value="all"),
                rx.foreach(
                    BoardState.platform_options,
                    lambda o: rx.select.item(rx.cond(LangState.lang == "en", o[2], o[1]), value=o[0]),
                ),
            ),
            value=rx.cond(BoardState.f_platform == "", "all", BoardState.f_platform),
            on_change=BoardState.set_platform,
            size="3",
        ),
        low_stock_link(),
        mute_button(),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
        padding_y="8px",
    )


def mute_button() -> rx.Component:
    """board.js keeps aria-pressed in step with the switch (it lives in the browser); the CSS
    makes a muted board unmistakable: red, a crossed-out bell, 已静音."""
    return rx.el.button(
        rx.icon("bell-ring", size=18, class_name="qh-if-on"),
        rx.icon("bell-off", size=18, class_name="qh-if-muted"),
        rx.el.span(t("board.mute"), class_name="qh-if-on qh-hide-phone"),
        rx.el.span(t("board.muted"), class_name="qh-if-muted"),
        type="button",
        class_name="qh-mute",
        custom_attrs={"data-qh-mute": "1", "aria-pressed": "false"},
        id="mute-toggle",
        aria_label="mute",
    )


def sound_banner() -> rx.Component:
    """Hidden by board.js once the browser lets us play sound."""
    return rx.box(
        rx.hstack(
            rx.icon("volume-2", size=22),
            rx.vstack(
                rx.text(t("board.sound_on"), weight="bold", size="3"),
                rx.text(t("board.sound_hint"), size="1"),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        id="qh-sound-banner",
        custom_attrs={"data-qh-unlock": "1"},
        background=rx.color("amber", 9),
        color="black",
        padding="12px 16px",
        border_radius="10px",
        cursor="pointer",
        margin_bottom="8px",
        min_height="48px",
    )


def alert_probe() -> rx.Component:
    """What board.js reads to decide whether to ring (counts and platforms of unaccepted orders)."""
    return rx.el.div(
        id="qh-alert",
        custom_attrs={
            "data-count": BoardState.counts["new"],
            "data-platforms": BoardState.alert_platforms,
            "data-events": BoardState.alert_events,
            "data-updated": BoardState.updated_ms,
            "data-reload-ms": BoardState.reload_ms,
        },
        style={"display": "none"},
    )


def reject_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("board.reject_title")),
            rx.alert_dialog.description(t("board.reject_hint"), size="2"),
            rx.vstack(
                rx.foreach(
                    BoardState.reject_options,
                    lambda option: rx.button(
                        rx.cond(LangState.lang == "en", option[2], option[1]),
                        variant="soft",
                        color_scheme="red",
                        size="3",
                        width="100%",
                        on_click=BoardState.reject(option[0]),
                        class_name="qh-reject-reason",
                    ),
                ),
                rx.alert_dialog.cancel(
                    rx.button(t("common.cancel"), variant="outline", color_scheme="gray", size="3", width="100%")
                ),
                spacing="2",
                margin_top="12px",
            ),
            max_width="420px",
        ),
        open=BoardState.reject_open,
        on_open_change=BoardState.set_reject_open,
    )
