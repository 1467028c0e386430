"""审计日志 (audit.view): every change by a person or an API key, searchable; CSV export."""

import reflex as rx

from components.audit_bits import in_lang
from components.form_bits import WRAP
from components.i18n import t
from components.layout import app_shell, page_header
from components.pager import pager
from components.permission_gate import page_gate
from qihang_app.i18n import MESSAGES
from state.audit import ACTIONS, ACTOR_KINDS, TARGETS, AuditState
from state.auth import AuthState


def _select(all_key: str, value, on_change, keys: list[str], prefix: str, id_: str) -> rx.Component:
    items = [rx.select.item(in_lang(*MESSAGES[f"{prefix}{k}"]), value=k) for k in keys]
    return rx.box(
        rx.select.root(
            rx.select.trigger(width="100%", id=id_),
            rx.select.content(rx.select.item(t(all_key), value="all"), *items),
            value=rx.cond(value == "", "all", value),
            on_change=on_change,
            size="2",
        ),
        flex=["1 1 45%", "1 1 45%", "0 0 150px"],
    )


def _input(name: str, key: str, value, **props) -> rx.Component:
    return rx.input(name=name, placeholder=t(key), default_value=value, key=value, size="2", **props)


def _date(name: str, key: str, value) -> rx.Component:
    """A date input with its label beside it (an empty one shows no hint of its own)."""
    return rx.hstack(
        rx.text(t(key), size="2", color_scheme="gray", white_space="nowrap"),
        _input(name, key, value, type="date", aria_label=name, width="100%"),
        align="center",
        spacing="2",
        flex=["1 1 100%", "1 1 45%", "0 0 200px"],
    )


def filter_bar() -> rx.Component:
    s = AuditState
    grow = ["1 1 45%", "1 1 45%", "1 1 140px"]
    return rx.form(
        rx.flex(
            _select("audit.all_actions", s.f_action, s.set_action, ACTIONS, "audit.act.", "audit-action"),
            _select("audit.all_targets", s.f_target, s.set_target, TARGETS, "audit.target.", "audit-target"),
            _select(
                "audit.all_actor_kinds",
                s.f_actor_kind,
                s.set_actor_kind,
                ACTOR_KINDS,
                "audit.actor_kind.",
                "audit-actor",
            ),
            _input("who", "audit.who", s.f_who, max_length=100, flex=grow, id="audit-who"),
            _input("target_id", "audit.target_id", s.f_target_id, max_length=50, flex=grow),
            _input("text", "audit.text", s.f_text, max_length=200, flex=grow),
            _date("from", "audit.from", s.f_from),
            _date("to", "audit.to", s.f_to),
            rx.hstack(
                rx.button(rx.icon("search", size=16), t("audit.search"), type="submit", size="2", id="audit-search"),
                rx.button(
                    t("audit.reset"),
                    type="button",
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=s.reset_filters,
                ),  # fmt: skip
                spacing="2",
            ),
            gap="8px",
            wrap="wrap",
            width="100%",
            align="center",
        ),
        on_submit=s.search,
        reset_on_submit=False,
        width="100%",
        margin_bottom="12px",
    )


def _card(e: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(in_lang(e["action_zh"], e["action_en"]), color_scheme="blue"),
                rx.text(in_lang(e["target"], e["target_en"]), size="2"),
                rx.spacer(),
                rx.text(e["at"], size="1", color_scheme="gray", class_name="tabular"),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                in_lang(e["who"], e["who_en"]),
                rx.cond(e["address"] != "", " · " + e["address"], ""),
                size="2",
                color_scheme="gray",
            ),
            rx.cond(e["change"] != "", rx.text(in_lang(e["change"], e["change_en"]), size="2", style=WRAP)),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="audit-card",
    )


def _row(e: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(e["at"], size="2", class_name="tabular"), white_space="nowrap"),
        rx.table.cell(rx.text(in_lang(e["who"], e["who_en"]), size="2")),
        rx.table.cell(rx.text(e["address"], size="2", color_scheme="gray")),
        rx.table.cell(rx.badge(in_lang(e["action_zh"], e["action_en"]), color_scheme="blue")),
        rx.table.cell(rx.text(in_lang(e["target"], e["target_en"]), size="2"), white_space="nowrap"),
        rx.table.cell(rx.text(in_lang(e["change"], e["change_en"]), size="2", style=WRAP), max_width="420px"),
        class_name="audit-row",
    )


def audit_page() -> rx.Component:
    s = AuditState
    export = rx.cond(
        AuthState.perms.contains("audit.export"),
        rx.button(
            rx.icon("download", size=16), t("audit.export"), variant="soft", on_click=s.export, id="audit-export"
        ),
    )
    return app_shell(
        page_gate(
            "page.audit",
            rx.vstack(
                page_header("audit.title", export),
                rx.text(t("audit.hint"), size="2", color_scheme="gray"),
                filter_bar(),
                rx.cond(
                    s.total == 0,
                    rx.center(rx.text(t("audit.empty"), color_scheme="gray"), padding="32px", width="100%"),
                ),
                rx.vstack(rx.foreach(s.entries, _card), width="100%", spacing="2", display=["flex", "flex", "none"]),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(t(k))
                                for k in (
                                    "audit.at",
                                    "audit.who",
                                    "audit.address",
                                    "audit.action",
                                    "audit.target",
                                    "audit.change",
                                )
                            ]
                        )  # fmt: skip
                    ),
                    rx.table.body(rx.foreach(s.entries, _row)),
                    variant="surface",
                    width="100%",
                    display=["none", "none", "table"],
                ),
                pager(
                    page=s.page,
                    pages=s.pages,
                    total=s.total,
                    on_prev=s.go_page(s.page - 1),
                    on_next=s.go_page(s.page + 1),
                ),  # fmt: skip
                width="100%",
            ),
        ),
        active="/audit",
        title_key="nav.audit",
    )
