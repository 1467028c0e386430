"""An action shown only to users whose role holds its permission. The handler checks again
(state/permissions.py): hiding is for a calm screen, not for safety."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain.permissions import KEYS
from state.auth import AuthState


def when_can(permission: str, component: rx.Component, otherwise: rx.Component | None = None) -> rx.Component:
    """`component` for holders of `permission` (a key of domain/permissions.py), else `otherwise`."""
    if permission not in KEYS:
        raise ValueError(f"unknown permission {permission!r}")
    shown = AuthState.perms.contains(permission)
    return rx.cond(shown, component, otherwise) if otherwise is not None else rx.cond(shown, component)
