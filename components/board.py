"""Dispatch board pieces: tab bar (phone), columns (desk), toolbar, sound and the reject dialog
(the order card itself is components/board_card.py)."""

import reflex as rx

from components.board_card import board_card
from components.i18n import t
from qihang_app.domain.board import TAB_ORDER
from state.board import BoardState

CARD_LISTS = {tab.value: getattr(BoardState, f"{tab.value}_cards") for tab in TAB_ORDER}


def _tab_label(tab: str, where: str) -> rx.Component:
    count = BoardState.counts[tab]
    pulse = tab in ("new", "exception")
    badge_color = {"new": "indigo", "exception": "red"}.get(tab, "gray")
    return rx.hstack(
        rx.text(t(f"tab.{tab}"), size="3", weight="medium", white_space="nowrap"),
        rx.badge(
            count.to_string(),
            color_scheme=badge_color,
            variant=rx.cond(count > 0, "solid", "soft") if pulse else "soft",
            class_name=rx.cond(count > 0, "qh-pulse", "") if pulse else "",
            id=f"{where}-count-{tab}",
        ),
        spacing="1",
        align="center",
    )


def tab_bar() -> rx.Component:
    """Phone: tabs pinned at the top, scrolling sideways."""
    return rx.box(
        rx.hstack(
            *[
                rx.box(
                    _tab_label(tab.value, "tab"),
                    on_click=BoardState.set_tab(tab.value),
                    padding="10px 12px",
                    min_height="44px",
                    border_bottom=rx.cond(
                        BoardState.tab == tab.value, f"3px solid {rx.color('accent', 9)}", "3px solid transparent"
                    ),
                    color=rx.cond(BoardState.tab == tab.value, rx.color("accent", 11), rx.color("gray", 11)),
                    cursor="pointer",
                    id=f"tab-{tab.value}",
                    class_name="qh-tab",
                )
                for tab in TAB_ORDER
            ],
            spacing="0",
            width="max-content",
        ),
        overflow_x="auto",
        position="sticky",
        top="52px",
        z_index="20",
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        margin_x="-12px",
        padding_x="4px",
        display=["block", "block", "block", "none"],
        style={"scrollbar_width": "none"},
    )


def _empty(tab: str) -> rx.Component:
    return rx.center(
        rx.text(t(f"empty.{tab}"), size="2", color=rx.color("gray", 10), text_align="center"),
        padding="32px 12px",
        width="100%",
    )


def _show_more(tab: str) -> rx.Component:
    """Under a tab's cards when it holds more than were sent."""
    hidden = BoardState.counts[tab] - CARD_LISTS[tab].length()
    return rx.cond(
        hidden > 0,
        rx.button(
            rx.icon("chevrons-down", size=16),
            t("board.more"),
            " (",
            hidden.to_string(),
            ")",
            variant="soft",
            color_scheme="gray",
            size="3",
            width="100%",
            min_height="44px",
            on_click=BoardState.show_more(tab),
            class_name="qh-more",
            id=f"more-{tab}",
        ),
    )


def _cards(tab: str) -> rx.Component:
    cards = CARD_LISTS[tab]
    return rx.cond(
        cards.length() == 0,
        _empty(tab),
        rx.vstack(
            rx.foreach(cards, lambda c: board_card(card=c, key=c.id)), _show_more(tab), spacing="3", width="100%"
        ),
    )


def picklist_button(**props) -> rx.Component:
    """拣货单 of what is being picked (of the store chosen in the filter, else all stores')."""
    return rx.el.a(
        rx.icon("list-checks", size=16),
        t("action.picklist"),
        href="/print?picklist=1&store=" + BoardState.f_store,
        target="_blank",
        class_name="qh-picklist",
        **props,
    )


def phone_list() -> rx.Component:
    return rx.box(
        rx.cond(BoardState.tab == "picking", rx.box(picklist_button(id="phone-picklist"), padding_bottom="12px")),
        rx.match(BoardState.tab, *[(tab.value, _cards(tab.value)) for tab in TAB_ORDER], _cards("new")),
        padding_top="12px",
        display=["block", "block", "block", "none"],
        id="board-list",
    )


def board_body() -> rx.Component:
    """Only one of the two layouts is in the page: a phone must not render hidden columns."""
    return rx.fragment(search_summary(), rx.cond(BoardState.layout == "desk", desk_columns(), phone_list()))


def search_summary() -> rx.Component:
    """While searching: which tabs hold the result (search covers every tab). A tap shows that
    tab (phone) or scrolls its column into view (desk)."""
    total = sum((BoardState.counts[tab.value] for tab in TAB_ORDER[1:]), BoardState.counts[TAB_ORDER[0].value])
    chips = [
        rx.cond(
            BoardState.counts[tab.value] > 0,
            rx.el.button(
                t(f"tab.{tab.value}"),
                " ",
                BoardState.counts[tab.value].to_string(),
                type="button",
                on_click=BoardState.set_tab(tab.value),
                class_name="qh-found-chip",
                custom_attrs={"data-qh-goto": tab.value},
                id=f"found-{tab.value}",
            ),
        )
        for tab in TAB_ORDER
    ]
    return rx.cond(
        BoardState.f_query != "",
        rx.el.div(
            rx.icon("search", size=16),
            rx.cond(
                total > 0,
                rx.fragment(rx.el.span("“", BoardState.f_query, "” ", t("board.search_in")), *chips),
                rx.el.span("“", BoardState.f_query, "” ", t("board.search_none")),
            ),
            class_name="qh-found",
            id="search-summary",
        ),
    )


def layout_sync() -> rx.Component:
    """Clicked by board.js when the window crosses the desk breakpoint."""
    return rx.el.button(
        id="qh-layout-sync",
        on_click=BoardState.probe_layout,
        style={"display": "none"},
        aria_hidden="true",
        tab_index=-1,
    )


def desk_nav() -> rx.Component:
    """Desk: every column's name and count in one row, always in sight. A desk of 1440 px shows
    about five columns; a click scrolls the chosen one into view (board.js), and the names of
    the columns on screen are highlighted, so the others are visibly there."""
    return rx.el.div(
        *[
            rx.el.button(
                _tab_label(tab.value, "nav"),
                type="button",
                class_name="qh-nav-chip",
                id=f"nav-{tab.value}",
                custom_attrs={"data-qh-goto": tab.value},
            )
            for tab in TAB_ORDER
        ],
        rx.el.span(rx.icon("chevrons-left-right", size=14), t("board.columns_hint"), class_name="qh-nav-hint"),
        class_name="qh-nav",
        id="desk-nav",
    )


def desk_columns() -> rx.Component:
    """Desk: one column per tab, side by side, each scrolling on its own; the row scrolls
    sideways when the screen is too narrow for seven, with arrows at the edges."""
    columns = rx.el.div(
        *[
            rx.el.section(
                rx.hstack(
                    _tab_label(tab.value, "column"),
                    rx.spacer(),
                    rx.cond(tab.value == "picking", picklist_button(id="desk-picklist")),
                    width="100%",
                    padding="8px 4px",
                    align="center",
                    class_name="qh-col-head",
                ),
                rx.box(
                    _cards(tab.value),
                    overflow_y="auto",
                    height="calc(100vh - 196px)",
                    width="100%",
                    padding_right="4px",
                    class_name="qh-column",
                ),
                class_name="qh-col",
                id=f"column-{tab.value}",
            )
            for tab in TAB_ORDER
        ],
        class_name="qh-cols",
        id="board-columns",
    )

    def arrow(side: str, icon: str) -> rx.Component:
        return rx.el.button(
            rx.icon(icon, size=22),
            rx.el.span(t("board.scroll_right"), class_name="qh-sr"),
            type="button",
            class_name=f"qh-cols-arrow qh-cols-{side}",
            custom_attrs={"data-qh-scroll": side},
            id=f"columns-{side}",
        )

    return rx.el.div(
        desk_nav(),
        rx.el.div(columns, arrow("left", "chevron-left"), arrow("right", "chevron-right"), class_name="qh-cols-wrap"),
        class_name="qh-desk",
    )
