"""Refusals shown next to the input they belong to: {field name: message in the tab's language}."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain.input_rules import InputError
from qihang_app.services.errors import ServiceError
from state.auth import translate


async def messages(state: rx.State, problems: dict[str, InputError]) -> dict[str, str]:
    """Every field's broken rule, translated."""
    return {field: await translate(state, p.key, **p.params) for field, p in problems.items()}


async def placed(state: rx.State, exc: ServiceError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """A service's refusal on its field (renamed to the form's input name), or {} when it names none."""
    if not exc.field or not exc.key:
        return {}
    field = (rename or {}).get(exc.field, exc.field)
    return {field: await translate(state, exc.key, **exc.params)}
