"""登录."""

import reflex as rx

from components.form_bits import field_error
from components.i18n import t
from components.layout import FONT
from qihang_app.domain.input_rules import LIMITS
from state.auth import LoginState
from state.lang import LangState


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.box(
                            rx.icon("ship", size=26, color="white"),
                            background=rx.color("accent", 9),
                            border_radius="10px",
                            padding="8px",
                            display="flex",
                        ),
                        rx.spacer(),
                        rx.button(
                            t("app.lang_switch"), variant="ghost", size="1", type="button", on_click=LangState.toggle
                        ),
                        width="100%",
                        align="center",
                    ),
                    rx.heading(t("login.title"), size="6"),
                    rx.text(t("login.subtitle"), size="2", color_scheme="gray"),
                    rx.text(t("login.username"), size="2", weight="medium", margin_top="8px"),
                    rx.input(
                        name="username",
                        id="username",
                        size="3",
                        width="100%",
                        auto_complete="username",
                        auto_focus=True,
                        auto_capitalize="none",
                        max_length=LIMITS["username"],
                    ),
                    field_error(LoginState.errors["username"]),
                    rx.text(t("login.password"), size="2", weight="medium"),
                    rx.input(
                        name="password",
                        id="password",
                        type="password",
                        size="3",
                        width="100%",
                        auto_complete="current-password",
                        max_length=LIMITS["password"],
                    ),
                    field_error(LoginState.errors["password"]),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(
                            LoginState.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            size="1",
                            width="100%",
                            id="login-error",
                        ),
                    ),
                    rx.button(
                        t("login.submit"), type="submit", size="3", width="100%", margin_top="8px", id="login-submit"
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=LoginState.submit,
                reset_on_submit=False,
            ),
            width="100%",
            max_width="400px",
            size="4",
        ),
        min_height="100vh",
        padding="16px",
        background=f"linear-gradient(160deg, {rx.color('accent', 3)}, {rx.color('gray', 2)})",
        font_family=FONT,
    )
