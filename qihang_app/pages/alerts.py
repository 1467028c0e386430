"""告警设置: group robots that hear about problems, the rules, and what was sent lately."""

import reflex as rx

from components.alert_forms import channel_card, channel_dialog, history_line, rule_row
from components.i18n import t
from components.layout import app_shell, page_header
from state.alerts import AlertsState
from state.auth import AuthState


def _section(title_key: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(t(title_key), size="4"), *children, spacing="3", width="100%")


def alerts_page() -> rx.Component:
    channels = _section(
        "alerts.channels",
        rx.cond(
            AlertsState.channels.length() > 0,
            rx.grid(
                rx.foreach(AlertsState.channels, channel_card),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.text(t("alerts.empty"), color_scheme="gray"),
        ),
    )
    rules = rx.cond(
        AuthState.is_admin,
        _section("alerts.rules", rx.card(rx.foreach(AlertsState.rules, rule_row), width="100%")),
    )
    history = _section("alerts.history", rx.card(rx.foreach(AlertsState.history, history_line), width="100%"))
    body = rx.vstack(
        page_header(
            "alerts.title",
            rx.button(
                rx.icon("plus", size=16),
                t("alerts.add_channel"),
                size="3",
                on_click=AlertsState.new_channel,
                id="alert-add",
            ),
        ),
        channels,
        rules,
        history,
        channel_dialog(),
        spacing="5",
        width="100%",
    )
    return app_shell(body, active="/alerts", title_key="alerts.title")
