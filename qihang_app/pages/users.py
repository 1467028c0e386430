"""用户 (admin): who may log in, their role and which stores they see."""

import reflex as rx

from components.audit_bits import in_lang
from components.form_bits import field_error
from components.i18n import t
from components.layout import app_shell, page_header
from qihang_app.domain.input_rules import LIMITS
from state.users import UsersState

ELLIPSIS = {"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap", "max_width": "200px"}


def _role_label(u: dict) -> rx.Component:
    return in_lang(u["role_name"], u["role_name_en"])


def _actions(u: dict, size: str) -> rx.Component:
    """编辑 · 停用/启用 · 删除 (always visible: no hover-only controls on a phone)."""
    return rx.hstack(
        rx.icon_button(
            rx.icon("pencil", size=16), variant="ghost", size=size, on_click=UsersState.edit_user(u), aria_label="edit"
        ),
        rx.button(
            rx.cond(u["enabled"] == "1", t("users.disable"), t("users.enable")),
            size=size,
            variant="soft",
            color_scheme=rx.cond(u["enabled"] == "1", "gray", "green"),
            on_click=UsersState.set_enabled(u["id"], u["enabled"] != "1"),
            class_name="user-toggle",
        ),
        _confirm_delete(u, size),
        spacing="3",
        align="center",
    )


def _stores_of(u: dict) -> rx.Component:
    return rx.cond(
        u["all_stores"] == "1",
        rx.text(t("users.all_stores"), size="2", color_scheme="gray"),
        rx.cond(
            u["stores"] == "",
            rx.badge(
                rx.icon("triangle-alert", size=12),
                t("users.no_stores"),
                color_scheme="amber",
                class_name="user-no-stores",
            ),
            rx.hstack(
                rx.foreach(
                    UsersState.store_options,
                    lambda s: rx.cond(
                        ("," + u["stores"] + ",").contains("," + s["id"] + ","), rx.badge(s["name"], variant="surface")
                    ),
                ),
                wrap="wrap",
                spacing="1",
            ),
        ),
    )


def _user_card(u: dict) -> rx.Component:
    """The phone's row: name and badges on top, the stores, then the actions."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(u["display_name"], weight="medium", style=ELLIPSIS, title=u["display_name"]),
                    rx.text(u["username"], size="1", color_scheme="gray", style=ELLIPSIS, title=u["username"]),
                    spacing="0",
                    flex="1",
                    min_width="0",
                ),
                _role_badge(u),
                _enabled_badge(u),
                width="100%",
                align="center",
            ),
            _stores_of(u),
            _actions(u, "2"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="user-card",
    )


def _role_badge(u: dict) -> rx.Component:
    return rx.badge(_role_label(u), color_scheme=rx.match(u["role"], ("admin", "red"), ("manager", "blue"), "gray"))


def _enabled_badge(u: dict) -> rx.Component:
    return rx.cond(
        u["enabled"] == "1",
        rx.badge(t("common.enabled"), color_scheme="green"),
        rx.badge(t("common.disabled"), color_scheme="gray"),
    )


def _user_row(u: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(u["display_name"], weight="medium", style=ELLIPSIS, title=u["display_name"]),
                rx.text(u["username"], size="1", color_scheme="gray", style=ELLIPSIS, title=u["username"]),
                spacing="0",
                max_width="200px",
            ),
            max_width="200px",
        ),
        rx.table.cell(_role_badge(u)),
        rx.table.cell(_stores_of(u)),
        rx.table.cell(_enabled_badge(u)),
        rx.table.cell(rx.text(u["last_login"], size="2")),
        rx.table.cell(_actions(u, "1")),
        class_name="user-row",
    )


def _confirm_delete(u: dict, size: str) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.icon_button(
                rx.icon("trash-2", size=16),
                variant="ghost",
                color_scheme="red",
                size=size,
                aria_label="delete",
                class_name="user-delete",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("common.delete") + " " + u["username"]),
            rx.alert_dialog.description(t("users.delete_hint")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        t("common.delete"),
                        color_scheme="red",
                        on_click=UsersState.delete(u["id"]),
                        id="user-delete-confirm",
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="400px",
        ),
    )


def user_dialog() -> rx.Component:
    f = UsersState.form
    E = UsersState.errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(f["id"] == "", t("users.add"), t("users.edit"))),
            rx.form(
                rx.vstack(
                    rx.text(t("users.username"), size="2", weight="medium"),
                    rx.input(
                        name="username",
                        default_value=f["username"],
                        disabled=f["id"] != "",
                        width="100%",
                        size="3",
                        max_length=LIMITS["username"],
                        auto_capitalize="none",
                        placeholder=t("users.username_hint"),
                        id="user-username",
                    ),
                    field_error(E["username"]),
                    rx.text(t("users.display_name"), size="2", weight="medium"),
                    rx.input(
                        name="display_name",
                        default_value=f["display_name"],
                        width="100%",
                        size="3",
                        max_length=LIMITS["display_name"],
                        id="user-display-name",
                    ),
                    field_error(E["display_name"]),
                    rx.text(t("users.password"), size="2", weight="medium"),
                    rx.input(
                        name="password",
                        type="password",
                        width="100%",
                        size="3",
                        auto_complete="new-password",
                        max_length=LIMITS["password"],
                        placeholder=t("users.password_hint"),
                        id="user-password",
                    ),
                    field_error(E["password"]),
                    rx.text(t("users.role"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="user-role"),
                        rx.select.content(
                            rx.foreach(
                                UsersState.role_options,
                                lambda r: rx.select.item(in_lang(r["name"], r["name_en"]), value=r["key"]),
                            )
                        ),
                        value=f["role"],
                        on_change=UsersState.set_role,
                        size="3",
                    ),
                    rx.text(t("users.stores"), size="2", weight="medium"),
                    rx.cond(
                        UsersState.all_store_roles.contains(f["role"]),
                        rx.text(t("users.all_stores"), size="2", color_scheme="gray"),
                        rx.flex(
                            rx.foreach(
                                UsersState.store_options,
                                lambda s: rx.checkbox(
                                    s["name"],
                                    checked=UsersState.grants.contains(s["id"]),
                                    on_change=lambda _v: UsersState.toggle_grant(s["id"]),
                                ),
                            ),
                            gap="12px",
                            wrap="wrap",
                        ),
                    ),
                    rx.cond(
                        E["stores"],
                        field_error(E["stores"]),
                        rx.cond(
                            ~UsersState.all_store_roles.contains(f["role"]),
                            rx.text(t("users.stores_hint"), size="1", color_scheme="gray"),
                        ),
                    ),
                    rx.checkbox(t("common.enabled"), name="enabled", default_checked=f["enabled"] == "1"),
                    field_error(E["enabled"]),
                    rx.cond(
                        UsersState.form_error != "",
                        rx.callout(
                            UsersState.form_error, color_scheme="red", icon="triangle-alert", size="1", width="100%"
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("common.save"), type="submit", id="user-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="2",
                ),
                on_submit=UsersState.save,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=UsersState.dialog,
        on_open_change=UsersState.set_dialog,
    )


def users_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header(
                "users.title",
                rx.button(rx.icon("user-plus", size=16), t("users.add"), on_click=UsersState.new_user, id="user-add"),
            ),
            rx.vstack(rx.foreach(UsersState.users, _user_card), width="100%", spacing="2", display=["flex", "none"]),
            rx.scroll_area(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(t("users.display_name")),
                            rx.table.column_header_cell(t("users.role")),
                            rx.table.column_header_cell(t("users.stores")),
                            rx.table.column_header_cell(t("common.enabled")),
                            rx.table.column_header_cell(t("users.last_login")),
                            rx.table.column_header_cell(t("common.actions")),
                        )
                    ),
                    rx.table.body(rx.foreach(UsersState.users, _user_row)),
                    variant="surface",
                    width="100%",
                    min_width="640px",
                ),
                scrollbars="horizontal",
                width="100%",
                display=["none", "block"],
            ),
            user_dialog(),
            width="100%",
        ),
        active="/users",
        title_key="nav.users",
    )
