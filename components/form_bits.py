"""Form inputs that carry their length limit and show their own refusal right below them."""

import reflex as rx

from components.i18n import t
from qihang_app.domain.input_rules import LIMITS

# Long stored text wraps inside its cell instead of pushing the other columns away.
WRAP = {"overflow_wrap": "anywhere", "word_break": "break-word", "min_width": "0"}


def field_error(message) -> rx.Component:
    """The message of one input, in red under it (nothing when the input is fine)."""
    return rx.cond(
        message, rx.text(message, size="1", color=rx.color("red", 11), class_name="field-error", role="alert")
    )


def field(label_key: str, name: str, value, errors, *, limit: str | None = None, **props) -> rx.Component:
    """Label, input and its message; `errors` is the form state's {input name: message} var."""
    if limit:
        props["max_length"] = LIMITS[limit]
    return rx.vstack(
        rx.text(t(label_key), size="2", weight="medium"),
        rx.input(name=name, default_value=value, width="100%", size="3", **props),
        field_error(errors[name]),
        spacing="1",
        width="100%",
    )
