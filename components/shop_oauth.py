"""门店与店铺, OAuth 授权 bits: the token line of a shop row, its 授权 / 重新授权 button, and the
result notice after the platform sent the browser back."""

import reflex as rx

from components.i18n import t
from state.auth import AuthState
from state.shop_oauth import ShopOAuthState


def token_badge(shop: dict) -> rx.Component:
    return rx.match(
        shop["token_state"],
        ("warn", rx.badge(rx.icon("clock", size=12), t("oauth.badge.warn"), color_scheme="amber", size="1")),
        ("lapsed", rx.badge(rx.icon("circle-alert", size=12), t("oauth.badge.lapsed"), color_scheme="red", size="1")),
        ("reauth", rx.badge(rx.icon("key-round", size=12), t("oauth.badge.reauth"), color_scheme="red", size="1")),
        ("none", rx.badge(t("oauth.badge.none"), color_scheme="gray", size="1")),
        rx.fragment(),
    )


def token_line(shop: dict) -> rx.Component:
    """授权到期 / 刷新到期 in Asia/Shanghai time, with a badge when it lapses soon or did."""
    return rx.cond(
        shop["authorizes"] == "1",
        rx.hstack(
            token_badge(shop),
            rx.cond(
                shop["access_expires"] != "",
                rx.text(t("oauth.access_label"), " ", shop["access_expires"], size="1", color_scheme="gray",
                        class_name="tabular token-access"),
            ),
            rx.cond(
                shop["refresh_expires"] != "",
                rx.text(t("oauth.refresh_label"), " ", shop["refresh_expires"], size="1", color_scheme="gray",
                        class_name="tabular token-refresh"),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
            class_name="shop-token",
        ),
    )  # fmt: skip


def authorize_button(shop: dict) -> rx.Component:
    """Opens the platform's authorize page in a new tab (the start route makes the one-time state)."""
    return rx.cond(
        (shop["authorizes"] == "1") & AuthState.perms.contains("shops.credentials"),
        rx.link(
            rx.button(
                rx.icon("key-round", size=14),
                rx.cond(shop["token_state"] == "none", t("oauth.authorize"), t("oauth.reauthorize")),
                size="1",
                variant="soft",
                color_scheme=rx.cond(shop["token_state"] == "ok", "gray", "indigo"),
                class_name="shop-authorize",
            ),
            href="/api/oauth/" + shop["platform"] + "/start?shop_id=" + shop["id"],
            is_external=True,
        ),
    )


def oauth_notice() -> rx.Component:
    return rx.cond(
        ShopOAuthState.notice != "",
        rx.callout(
            rx.hstack(
                rx.text(ShopOAuthState.notice, flex="1"),
                rx.icon_button(rx.icon("x", size=14), variant="ghost", size="1", on_click=ShopOAuthState.dismiss),
                align="center",
                width="100%",
            ),
            icon=rx.cond(ShopOAuthState.notice_ok, "circle-check", "triangle-alert"),
            color_scheme=rx.cond(ShopOAuthState.notice_ok, "green", "red"),
            width="100%",
            id="oauth-notice",
        ),
    )
