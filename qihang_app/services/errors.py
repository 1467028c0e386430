"""Exceptions raised by services (see the package docstring)."""

from __future__ import annotations


class NotFoundError(LookupError):
    """The row does not exist."""


class ConflictError(ValueError):
    """The change clashes with existing data (duplicate, still referenced, last admin...)."""


class ValidationError(ValueError):
    """An argument is malformed or out of range."""
