"""数据接收 (admins and managers): pushed/pulled payloads that failed to parse or to verify,
kept raw with their error, replayable one by one or all at once after a fix."""

import reflex as rx

from components.badges import platform_badge
from components.i18n import t
from components.layout import app_shell, page_header
from components.pager import pager
from state.inbox import InboxState
from state.lang import LangState

MONO = {"font_family": "monospace", "word_break": "break-all", "white_space": "normal"}
# 展开 / 收起 on the native <details> toggle: works on a phone, no round trip, no hover.
DETAILS_CSS = """
.inbox-raw > summary { cursor: pointer; color: var(--accent-11); font-size: 13px; list-style: none; padding: 6px 0; min-height: 32px; }
.inbox-raw > summary::-webkit-details-marker { display: none; }
.inbox-raw .when-open, .inbox-raw[open] .when-closed { display: none; }
.inbox-raw[open] .when-open { display: inline; }
"""


def _status_badge(status) -> rx.Component:
    return rx.cond(
        status == "rejected",
        rx.badge(t("inbox.rejected"), color_scheme="orange"),
        rx.badge(t("inbox.failed"), color_scheme="red"),
    )


def _replay_button(row: dict) -> rx.Component:
    return rx.button(
        rx.icon("rotate-ccw", size=14),
        t("inbox.replay"),
        size="1",
        variant="soft",
        on_click=InboxState.replay(row["id"]),
        class_name="inbox-replay",
        white_space="nowrap",
        flex_shrink="0",
    )


def _shop(row: dict) -> rx.Component:
    return rx.vstack(
        rx.cond(
            row["shop"] != "",
            rx.text(row["shop"], size="2"),
            rx.text(t("inbox.unknown_shop"), size="2", color_scheme="gray"),
        ),
        rx.text(row["store"], size="1", color_scheme="gray"),
        spacing="0",
    )


def _reason(row: dict) -> rx.Component:
    """The plain reason, in the reader's language (the technical one is behind 展开)."""
    return rx.text(
        rx.cond(LangState.lang == "en", row["reason_en"], row["reason"]),
        size="2",
        weight="medium",
        color=rx.cond(row["status"] == "rejected", rx.color("orange", 11), rx.color("red", 11)),
        class_name="inbox-reason",
        white_space="normal",
    )


def _raw(row: dict) -> rx.Component:
    """展开: the technical reason, the message type and the raw text, for whoever fixes it."""
    return rx.el.details(
        rx.el.summary(
            rx.el.span(t("inbox.show_raw"), class_name="when-closed"),
            rx.el.span(t("inbox.hide_raw"), class_name="when-open"),
        ),
        rx.vstack(
            rx.text(t("inbox.technical"), row["error"], size="1", color_scheme="gray", style=MONO),
            rx.text(
                t("inbox.raw"),
                " ",
                row["kind"],
                " · #",
                row["id"],
                rx.el.br(),
                row["preview"],
                size="1",
                color_scheme="gray",
                style=MONO,
            ),
            spacing="1",
            padding="8px",
            border_radius="6px",
            background=rx.color("gray", 3),
            width="100%",
        ),
        class_name="inbox-raw",
    )


def _table_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(platform_badge(row["source"])),
        rx.table.cell(_shop(row)),
        rx.table.cell(rx.text(row["received"], size="2", white_space="nowrap")),
        rx.table.cell(
            rx.vstack(
                rx.hstack(_status_badge(row["status"]), _reason(row), align="center", spacing="2"),
                _raw(row),
                spacing="1",
                max_width="560px",
            )
        ),
        rx.table.cell(_replay_button(row)),
        class_name="inbox-row",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(t("inbox.col.source")),
                    rx.table.column_header_cell(t("inbox.col.shop")),
                    rx.table.column_header_cell(t("inbox.col.received")),
                    rx.table.column_header_cell(t("inbox.col.reason")),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(InboxState.rows, _table_row)),
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
                platform_badge(row["source"]),
                _status_badge(row["status"]),
                rx.spacer(),
                _replay_button(row),
                align="center",
                width="100%",
            ),
            _reason(row),
            rx.hstack(_shop(row), rx.spacer(), rx.text(row["received"], size="1", color_scheme="gray"), width="100%"),
            _raw(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="inbox-card",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(id="inbox-status"),
            rx.select.content(
                rx.select.item(t("inbox.all_problems"), value="all"),
                rx.select.item(t("inbox.failed"), value="failed"),
                rx.select.item(t("inbox.rejected"), value="rejected"),
            ),
            value=rx.cond(InboxState.f_status == "", "all", InboxState.f_status),
            on_change=InboxState.set_status,
            size="2",
        ),
        rx.badge(
            t("inbox.failed"),
            " ",
            InboxState.counts.get("failed", 0).to_string(),
            color_scheme="red",
            variant="surface",
        ),
        rx.badge(
            t("inbox.rejected"),
            " ",
            InboxState.counts.get("rejected", 0).to_string(),
            color_scheme="orange",
            variant="surface",
        ),
        rx.badge(
            t("inbox.waiting"),
            " ",
            InboxState.counts.get("received", 0).to_string(),
            color_scheme="gray",
            variant="surface",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
        width="100%",
        margin_bottom="12px",
    )


def _replay_all() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("rotate-ccw", size=16),
                t("inbox.replay_all"),
                disabled=InboxState.total == 0,
                id="inbox-replay-all",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("inbox.replay_all")),
            rx.alert_dialog.description(t("inbox.replay_confirm")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("inbox.replay_all"), on_click=InboxState.replay_all)),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="440px",
        ),
    )


def inbox_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            rx.el.style(DETAILS_CSS),
            page_header("inbox.title", _replay_all()),
            rx.text(t("inbox.hint"), size="2", color_scheme="gray", margin_bottom="12px"),
            _filters(),
            rx.cond(
                InboxState.total == 0,
                rx.center(
                    rx.vstack(
                        rx.icon("circle-check", size=40, color=rx.color("green", 9)),
                        rx.text(t("inbox.empty"), color_scheme="gray"),
                        align="center",
                    ),
                    padding="48px 16px",
                    width="100%",
                ),
                rx.fragment(
                    _table(),
                    rx.vstack(
                        rx.foreach(InboxState.rows, _card), spacing="2", width="100%", display=["flex", "flex", "none"]
                    ),
                ),
            ),
            pager(
                page=InboxState.page,
                pages=InboxState.pages,
                total=InboxState.total,
                on_prev=InboxState.go_page(InboxState.page - 1),
                on_next=InboxState.go_page(InboxState.page + 1),
            ),
            width="100%",
            spacing="0",
        ),
        active="/inbox",
        title_key="nav.inbox",
    )
