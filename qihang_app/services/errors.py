"""Exceptions raised by services (see the package docstring).

A refusal a person may read carries a message key of qihang_app/i18n.py and its parameters,
`ValidationError(key="stores.err.name_required")`, and the UI shows it in the reader's language.
str() of such an error is the English text, for logs and scripts. A bare text is still accepted
for messages nobody reads on screen. `field` names the form input the refusal belongs to, so a
page can show it next to that input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from qihang_app.domain.input_rules import InputError, check
from qihang_app.i18n import tr

T = TypeVar("T")


class ServiceError(Exception):
    def __init__(self, text: str = "", /, *, key: str | None = None, field: str = "", **params: object) -> None:
        self.key = key
        self.field = field
        self.params = params
        super().__init__(tr(key, "en", **params) if key else text)


class NotFoundError(ServiceError, LookupError):
    """The row does not exist."""


class ConflictError(ServiceError, ValueError):
    """The change clashes with existing data (duplicate, still referenced, last admin...)."""


class ValidationError(ServiceError, ValueError):
    """An argument is malformed or out of range."""


def checked(field: str, rule: Callable[..., T], value: object, **options: object) -> T:
    """A typed value through a rule of domain/input_rules.py; a broken rule is a ValidationError
    on that field (its key comes from the rule, see tests/domain/test_input_rules.py)."""
    try:
        return check(field, rule, value, **options)
    except InputError as exc:
        raise _refusal(exc) from None


def _refusal(exc: InputError) -> ValidationError:
    return ValidationError(key=exc.key, field=exc.field, **exc.params)
