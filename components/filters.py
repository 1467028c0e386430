"""Filter controls the list pages share: a select whose first choice is "all" (stored as "")."""

from __future__ import annotations

import reflex as rx

from components.i18n import t


def all_select(all_key: str, value, on_change, items: list, id_: str, *, flex=None) -> rx.Component:
    """A filter select: 全部… first (the state keeps "" for it), then `items`. With `flex` it sits
    in a box of that flex (full-width trigger) so filter rows wrap evenly on a phone."""
    select = rx.select.root(
        rx.select.trigger(id=id_, **({"width": "100%"} if flex is not None else {})),
        rx.select.content(rx.select.item(t(all_key), value="all"), *items),
        value=rx.cond(value == "", "all", value),
        on_change=on_change,
        size="2",
    )
    return select if flex is None else rx.box(select, flex=flex)
