"""角色 (roles.manage): sets of permissions the merchant names; 管理员 / 店长 / 店员 are presets."""

import reflex as rx

from components.audit_bits import in_lang
from components.form_bits import field_error
from components.i18n import t
from components.layout import app_shell, page_header
from components.permission_gate import page_gate
from qihang_app.domain.input_rules import LIMITS
from qihang_app.domain.permissions import GROUPS, PERMISSIONS
from state.roles import RolesState

WRAP = {"overflow_wrap": "anywhere", "word_break": "break-word", "min_width": "0"}


def _name(r: dict) -> rx.Component:
    """Presets in the reader's language; a merchant's own role as they named it."""
    return rx.match(
        r["key"],
        ("admin", t("role.admin")),
        ("manager", t("role.manager")),
        ("staff", t("role.staff")),
        r["name"],
    )


def _confirm_delete(r: dict, size: str) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.icon_button(
                rx.icon("trash-2", size=16),
                variant="ghost",
                color_scheme="red",
                size=size,
                aria_label="delete",
                class_name="role-delete",
                disabled=r["preset"] == "1",
            )  # fmt: skip
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("common.delete")),
            rx.alert_dialog.description(rx.text(t("common.delete"), " ", r["name"], "？")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        t("common.delete"),
                        color_scheme="red",
                        on_click=RolesState.delete(r["id"]),
                        id="role-delete-confirm",
                    )  # fmt: skip
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="400px",
        ),
    )


def _actions(r: dict, size: str) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("pencil", size=14),
            t("common.edit"),
            size=size,
            variant="soft",
            on_click=RolesState.edit_role(r),
            class_name="role-edit",
        ),  # fmt: skip
        _confirm_delete(r, size),
        spacing="3",
        align="center",
    )


def _badges(r: dict) -> rx.Component:
    return rx.hstack(
        rx.cond(r["preset"] == "1", rx.badge(t("roles.preset"), color_scheme="blue")),
        rx.badge(rx.icon("users", size=12), r["users"], color_scheme="gray"),
        spacing="1",
    )


def _role_card(r: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(_name(r), weight="bold", size="3"), rx.spacer(), _badges(r), width="100%", align="center"
            ),
            rx.text(in_lang(r["summary"], r["summary_en"]), size="2", color_scheme="gray", style=WRAP),
            _actions(r, "2"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="role-card",
    )


def _role_row(r: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(rx.text(_name(r), weight="medium"), _badges(r), align="center")),
        rx.table.cell(
            rx.text(in_lang(r["summary"], r["summary_en"]), size="2", color_scheme="gray", style=WRAP),
            max_width="560px",
        ),
        rx.table.cell(_actions(r, "1")),
        class_name="role-row",
    )


def _group(group: str) -> rx.Component:
    """One block of the picker (pages, order actions, …): the registry is static, only the ticks live."""
    return rx.vstack(
        rx.hstack(
            rx.text(t(f"roles.group.{group}"), weight="bold", size="2"),
            rx.spacer(),
            rx.button(
                t("roles.select_all"), size="1", variant="ghost", type="button", on_click=RolesState.toggle_group(group)
            ),  # fmt: skip
            width="100%",
            align="center",
        ),
        rx.grid(
            *[
                rx.checkbox(
                    in_lang(p.zh, p.en),
                    checked=RolesState.chosen.contains(p.key),
                    on_change=lambda _v, key=p.key: RolesState.toggle(key),
                    size="3",
                    class_name="perm-" + p.key.replace(".", "-"),
                )
                for p in PERMISSIONS
                if p.group == group
            ],
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        spacing="2",
        width="100%",
        padding="12px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
    )


def role_dialog() -> rx.Component:
    f, e = RolesState.form, RolesState.errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(f["id"] == "", t("roles.new"), t("roles.edit"))),
            rx.form(
                rx.vstack(
                    rx.text(t("roles.name"), size="2", weight="medium"),
                    rx.input(
                        name="name",
                        default_value=f["name"],
                        width="100%",
                        size="3",
                        max_length=LIMITS["display_name"],
                        id="role-name",
                    ),  # fmt: skip
                    field_error(e["name"]),
                    rx.text(t("roles.permissions"), size="2", weight="medium"),
                    rx.vstack(*[_group(g) for g in GROUPS], spacing="2", width="100%"),
                    field_error(e["permissions"]),
                    rx.cond(
                        RolesState.form_error != "",
                        rx.callout(
                            RolesState.form_error,
                            color_scheme="red",
                            icon="triangle-alert",
                            size="1",
                            width="100%",
                            id="role-form-error",
                        ),  # fmt: skip
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("common.save"), type="submit", id="role-save", size="3"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="2",
                ),
                on_submit=RolesState.save,
                reset_on_submit=False,
            ),
            max_width="640px",
            max_height="90vh",
            overflow_y="auto",
        ),
        open=RolesState.dialog,
        on_open_change=RolesState.set_dialog,
    )


def roles_page() -> rx.Component:
    return app_shell(
        page_gate(
            "page.roles",
            rx.vstack(
                page_header(
                    "roles.title",
                    rx.button(rx.icon("plus", size=16), t("roles.new"), on_click=RolesState.new_role, id="role-add"),
                ),
                rx.text(t("roles.hint"), size="2", color_scheme="gray"),
                rx.vstack(
                    rx.foreach(RolesState.roles, _role_card), width="100%", spacing="2", display=["flex", "none"]
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(t("roles.name")),
                            rx.table.column_header_cell(t("roles.permissions")),
                            rx.table.column_header_cell(t("common.actions")),
                        )
                    ),
                    rx.table.body(rx.foreach(RolesState.roles, _role_row)),
                    variant="surface",
                    width="100%",
                    display=["none", "table"],
                ),
                role_dialog(),
                width="100%",
            ),
        ),
        active="/roles",
        title_key="nav.roles",
    )
