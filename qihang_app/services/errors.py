"""Exceptions raised by services (see the package docstring).

A refusal a person may read carries a message key of qihang_app/i18n.py and its parameters,
`ValidationError(key="stores.err.name_required")`, and the UI shows it in the reader's language.
str() of such an error is the English text, for logs and scripts. A bare text is still accepted
for messages nobody reads on screen.
"""

from __future__ import annotations

from qihang_app.i18n import tr


class ServiceError(Exception):
    def __init__(self, text: str = "", /, *, key: str | None = None, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(tr(key, "en", **params) if key else text)


class NotFoundError(ServiceError, LookupError):
    """The row does not exist."""


class ConflictError(ServiceError, ValueError):
    """The change clashes with existing data (duplicate, still referenced, last admin...)."""


class ValidationError(ServiceError, ValueError):
    """An argument is malformed or out of range."""
