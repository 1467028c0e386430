"""App shell: a sidebar on desk screens, a top bar with a slide-out menu on phones."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from state.auth import AuthState
from state.lang import LangState

FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif'

# (route, message key, icon, the page's permission: the menu shows what the role may open)
NAV = [
    ("/board", "nav.board", "layout-dashboard", "page.board"),
    ("/orders", "nav.orders", "receipt-text", "page.orders"),
    ("/aftersales", "nav.aftersales", "undo-2", "page.aftersales"),
    ("/products", "nav.products", "package", "page.products"),
    ("/shop-products", "nav.shop_products", "link", "page.shop_products"),
    ("/reports", "nav.reports", "chart-column", "page.reports"),
    ("/stores", "nav.stores", "store", "page.stores"),
    ("/stock", "nav.stock", "boxes", "page.stock"),
    ("/delivery", "nav.delivery", "bike", "page.delivery"),
    ("/inbox", "nav.inbox", "inbox", "page.inbox"),
    ("/erp/pushes", "nav.erp_pushes", "send", "page.erp_pushes"),
    ("/erp", "nav.erp", "plug", "page.erp"),
    ("/users", "nav.users", "users", "page.users"),
    ("/roles", "nav.roles", "shield-check", "page.roles"),
    ("/audit", "nav.audit", "scroll-text", "page.audit"),
    ("/alerts", "nav.alerts", "bell-ring", "page.alerts"),
    ("/system", "nav.system", "activity", "page.system"),
]


def _nav_item(route: str, key: str, icon: str, active: str) -> rx.Component:
    is_active = route == active
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18),
            rx.text(t(key), size="3", weight=rx.cond(is_active, "bold", "regular")),
            align="center",
            spacing="3",
            padding_x="12px",
            padding_y="10px",
            border_radius="8px",
            background=rx.cond(is_active, rx.color("accent", 4), "transparent"),
            color=rx.cond(is_active, rx.color("accent", 11), rx.color("gray", 12)),
            _hover={"background": rx.color("accent", 3)},
            width="100%",
        ),
        href=route,
        underline="none",
        width="100%",
    )


def _nav_items(active: str) -> list[rx.Component]:
    return [
        rx.cond(AuthState.perms.contains(permission), _nav_item(route, key, icon, active), rx.fragment())
        for route, key, icon, permission in NAV
    ]


def _user_block() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.avatar(fallback=AuthState.display_name[:1], size="2", radius="full"),
            rx.vstack(
                rx.text(AuthState.display_name, size="2", weight="medium"),
                rx.text(
                    rx.match(
                        AuthState.role,
                        ("admin", t("role.admin")),
                        ("manager", t("role.manager")),
                        ("staff", t("role.staff")),
                        AuthState.role_name,
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="0",
            ),
            align="center",
        ),
        rx.hstack(
            rx.button(
                rx.icon("languages", size=16),
                t("app.lang_switch"),
                variant="soft",
                size="2",
                on_click=LangState.toggle,
                id="lang-switch",
            ),
            rx.button(
                rx.icon("log-out", size=16),
                t("nav.logout"),
                variant="ghost",
                size="2",
                color_scheme="gray",
                on_click=AuthState.logout,
            ),
            spacing="2",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def _logo() -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.icon("ship", size=20, color="white"),
            background=rx.color("accent", 9),
            border_radius="8px",
            padding="6px",
            display="flex",
        ),
        rx.heading(t("app.name"), size="4", weight="bold"),
        align="center",
        spacing="2",
    )


def _sidebar(active: str) -> rx.Component:
    return rx.vstack(
        _logo(),
        rx.separator(),
        rx.vstack(*_nav_items(active), spacing="1", width="100%"),
        rx.spacer(),
        _user_block(),
        width="220px",
        min_width="220px",
        height="100vh",
        overflow_y="auto",  # a long menu on a short screen still reaches the language switch
        position="sticky",
        top="0",
        padding="16px",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        display=["none", "none", "flex"],
    )


def _topbar(title) -> rx.Component:
    return rx.hstack(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(rx.icon("menu", size=22), variant="ghost", size="3", aria_label="menu", id="nav-menu")
            ),
            rx.drawer.overlay(z_index="40"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        _logo(),
                        rx.separator(),
                        rx.vstack(*_nav_items(""), spacing="1", width="100%"),
                        rx.spacer(),
                        _user_block(),
                        height="100%",
                        overflow_y="auto",  # an admin's long menu on a phone still reaches 退出登录
                        padding="16px",
                    ),
                    width="80vw",
                    max_width="300px",
                    height="100%",
                    top="0",
                    left="0",
                    background=rx.color("gray", 1),
                    z_index="50",
                ),
            ),
            direction="left",
        ),
        rx.heading(title, size="4"),
        rx.spacer(),
        rx.button(t("app.lang_switch"), variant="soft", size="1", on_click=LangState.toggle),
        align="center",
        padding_x="12px",
        height="52px",
        position="sticky",
        top="0",
        z_index="30",
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        display=["flex", "flex", "none"],
        width="100%",
    )


def app_shell(content: rx.Component, *, active: str, title_key: str, wide: bool = False) -> rx.Component:
    return rx.hstack(
        _sidebar(active),
        rx.box(
            _topbar(t(title_key)),
            rx.box(
                content,
                padding=["0 12px 12px", "0 16px 16px", "0 16px 16px", "8px 16px"] if wide else ["12px", "16px", "24px"],
                width="100%",
                max_width="none" if wide else "1400px",
            ),
            width="100%",
            min_width="0",
        ),
        spacing="0",
        width="100%",
        align="start",
        font_family=FONT,
    )


def page_header(title_key: str, *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.heading(t(title_key), size="6", display=["none", "none", "block"]),
        rx.spacer(display=["none", "none", "block"]),
        *actions,
        align="center",
        width="100%",
        margin_bottom="16px",
        wrap="wrap",
        spacing="2",
    )
