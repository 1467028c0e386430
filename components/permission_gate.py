"""An action shown only to users whose role holds its permission. The handler checks again
(state/permissions.py): hiding is for a calm screen, not for safety."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from qihang_app.domain.permissions import KEYS
from state.auth import AuthState


def when_can(permission: str, component: rx.Component, otherwise: rx.Component | None = None) -> rx.Component:
    """`component` for holders of `permission` (a key of domain/permissions.py), else `otherwise`."""
    if permission not in KEYS:
        raise ValueError(f"unknown permission {permission!r}")
    shown = AuthState.perms.contains(permission)
    return rx.cond(shown, component, otherwise) if otherwise is not None else rx.cond(shown, component)


def no_access() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("lock", size=36, color=rx.color("gray", 8)),
            rx.text(t("gate.no_page"), size="3", weight="medium"),
            rx.text(t("gate.ask_admin"), size="2", color_scheme="gray", text_align="center"),
            align="center",
            spacing="2",
        ),
        padding="64px 16px",
        width="100%",
        class_name="no-access",
    )


def page_gate(permission: str, body: rx.Component) -> rx.Component:
    """A page's body for holders of its page permission; a calm "no access" panel for the others
    (typed the address, or followed an old link). Nothing while the permissions are not loaded yet,
    so a reload does not flash the panel."""
    return when_can(permission, body, rx.cond(AuthState.perms.length() > 0, no_access(), rx.fragment()))
