"""告警设置 pieces: a channel card, the channel dialog, a rule row, a sent-message line."""

from __future__ import annotations

import reflex as rx

from components.form_bits import WRAP, field, field_error
from components.i18n import t
from qihang_app.domain.alert_inputs import LIMITS
from state.alerts import AlertsState

RULE_CODES = (
    "new_order_unaccepted",
    "refund_request",
    "rider_problem",
    "board_backlog",
    "token_expiring",
    "worker_down",
    "redis_down",
    "outbox_dead",
    "erp_push_dead",
)
UNITS = ("minutes", "seconds", "hours", "orders", "rows")


def _robot_label(kind) -> rx.Component:
    return rx.foreach(
        AlertsState.robot_options, lambda r: rx.cond(r[0] == kind, rx.badge(r[1], size="2"), rx.fragment())
    )


def _confirm_delete(channel_id) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(t("common.delete"), size="3", variant="ghost", color_scheme="red")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("common.delete")),
            rx.alert_dialog.description(t("common.confirm_delete")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(t("common.delete"), color_scheme="red", on_click=AlertsState.delete(channel_id))
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="400px",
        ),
    )


def channel_card(row: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _robot_label(row["kind"]),
                rx.text(row["name"], weight="bold", size="3", style=WRAP),
                rx.spacer(),
                rx.cond(row["enabled"], rx.fragment(), rx.badge(t("common.disabled"), color_scheme="gray")),
                align="center",
                width="100%",
            ),
            rx.text(
                rx.cond(row["store_name"], row["store_name"], t("alerts.field.all_stores")),
                size="2",
                color_scheme="gray",
            ),
            rx.text(row["url_hint"], size="1", color_scheme="gray", font_family="monospace", style=WRAP),
            rx.hstack(
                rx.cond(
                    row["quiet"], rx.badge(rx.icon("moon", size=12), row["quiet"], color_scheme="gray"), rx.fragment()
                ),
                rx.badge(t("alerts.field.max_per_hour"), " ", row["max_per_hour"], color_scheme="gray"),
                wrap="wrap",
                spacing="2",
            ),
            rx.cond(AlertsState.test_results[row["id"]], rx.text(AlertsState.test_results[row["id"]], size="2")),
            rx.hstack(
                rx.button(
                    rx.cond(AlertsState.testing == row["id"], rx.spinner(size="1"), rx.icon("send", size=14)),
                    t("alerts.test"),
                    size="3",
                    variant="soft",
                    on_click=AlertsState.send_test(row["id"]),
                    disabled=AlertsState.testing != "",
                    id="alert-test-" + row["id"],
                ),
                rx.button(
                    t("common.edit"),
                    size="3",
                    variant="soft",
                    color_scheme="gray",
                    on_click=AlertsState.edit_channel(row),
                ),
                _confirm_delete(row["id"]),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="alert-channel",
    )


def _select(label_key: str, name: str, options, value, on_change, *, extra=None) -> rx.Component:
    items = [extra] if extra is not None else []
    return rx.vstack(
        rx.text(t(label_key), size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%"),
            rx.select.content(*items, rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0]))),
            value=value,
            on_change=on_change,
            size="3",
            name=name,
        ),
        spacing="1",
        width="100%",
    )


def channel_dialog() -> rx.Component:
    form, errors = AlertsState.form, AlertsState.errors
    editing = form["id"] != ""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(editing, t("common.edit"), t("alerts.add_channel"))),
            rx.form(
                rx.vstack(
                    field("alerts.field.name", "name", form["name"], errors, limit="shop_name"),
                    _select(
                        "alerts.field.kind",
                        "kind",
                        AlertsState.robot_options,
                        form["kind"],
                        lambda v: AlertsState.set_form_value("kind", v),
                    ),
                    _select(
                        "alerts.field.store",
                        "store_id",
                        AlertsState.store_options,
                        rx.cond(form["store_id"] == "", "all", form["store_id"]),
                        lambda v: AlertsState.set_form_value("store_id", rx.cond(v == "all", "", v)),
                        extra=rx.select.item(t("alerts.field.all_stores"), value="all"),
                    ),
                    rx.vstack(
                        rx.text(t("alerts.field.url"), size="2", weight="medium"),
                        rx.input(
                            name="url",
                            placeholder=rx.cond(editing, form["url_hint"], "https://…"),
                            max_length=LIMITS["webhook_url"],
                            width="100%",
                            size="3",
                        ),
                        field_error(errors["url"]),
                        spacing="1",
                        width="100%",
                    ),
                    rx.cond(
                        AlertsState.kind_needs_secret,
                        rx.vstack(
                            rx.text(t("alerts.field.secret"), size="2", weight="medium"),
                            rx.input(
                                name="secret",
                                type="password",
                                placeholder=rx.cond(editing, t("alerts.field.secret_keep"), "SEC…"),
                                max_length=LIMITS["robot_secret"],
                                width="100%",
                                size="3",
                            ),
                            field_error(errors["secret"]),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.vstack(
                        rx.text(t("alerts.field.quiet"), size="2", weight="medium"),
                        rx.hstack(
                            rx.input(name="quiet_start", type="time", default_value=form["quiet_start"], size="3"),
                            rx.text("–"),
                            rx.input(name="quiet_end", type="time", default_value=form["quiet_end"], size="3"),
                            align="center",
                        ),
                        field_error(errors["quiet_start"]),
                        spacing="1",
                        width="100%",
                    ),
                    field(
                        "alerts.field.max_per_hour",
                        "max_per_hour",
                        form["max_per_hour"],
                        errors,
                        limit="hourly_cap",
                        input_mode="numeric",
                    ),
                    rx.checkbox(
                        t("alerts.field.enabled"), name="enabled", default_checked=form["enabled"] != "", size="3"
                    ),
                    rx.cond(AlertsState.form_error, rx.callout(AlertsState.form_error, color_scheme="red", size="1")),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3", type="button")
                        ),
                        rx.button(t("common.save"), size="3", type="submit", id="alert-save"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AlertsState.save,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=AlertsState.dialog,
        on_open_change=AlertsState.set_dialog,
    )


def _unit(unit) -> rx.Component:
    return rx.match(unit, *[(u, t(f"alerts.unit.{u}")) for u in UNITS], "")


def rule_row(rule: dict) -> rx.Component:
    name = rx.match(rule["code"], *[(c, t(f"alerts.rule.{c}")) for c in RULE_CODES], rule["code"])
    return rx.hstack(
        rx.switch(
            checked=rule["enabled"] != "",
            on_change=lambda on: AlertsState.toggle_rule(rule["code"], on),
            size="3",
        ),
        rx.text(name, size="3", style=WRAP),
        rx.spacer(),
        rx.cond(
            rule["unit"] != "",
            rx.hstack(
                rx.input(
                    default_value=rule["threshold"],
                    on_blur=lambda v: AlertsState.save_threshold(rule["code"], v),
                    width="72px",
                    size="2",
                    input_mode="numeric",
                    max_length=6,
                    key=rule["code"] + rule["threshold"],
                ),
                rx.text(_unit(rule["unit"]), size="2", color_scheme="gray"),
                align="center",
                spacing="1",
            ),
        ),
        align="center",
        width="100%",
        spacing="3",
        padding_y="6px",
    )


def history_line(row: dict) -> rx.Component:
    status = rx.match(
        row["status"],
        ("sent", rx.badge(t("alerts.status.sent"), color_scheme="green")),
        ("failed", rx.badge(t("alerts.status.failed"), color_scheme="red")),
        rx.badge(t("alerts.status.sending"), color_scheme="blue"),
    )
    kind = rx.match(
        row["kind"], ("resolve", t("alerts.kind.resolve")), ("test", t("alerts.kind.test")), t("alerts.kind.fire")
    )
    rule = rx.match(row["rule"], *[(c, t(f"alerts.rule.{c}")) for c in RULE_CODES], "")
    return rx.vstack(
        rx.hstack(
            status,
            rx.text(kind, size="2"),
            rx.text(rule, size="2"),
            rx.spacer(),
            rx.text(row["when"], size="1", color_scheme="gray"),
            width="100%",
            wrap="wrap",
        ),
        rx.text(row["channel"], size="1", color_scheme="gray"),
        rx.cond(row["error"], rx.text(row["error"], size="1", color=rx.color("red", 11), style=WRAP)),
        spacing="1",
        width="100%",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )
