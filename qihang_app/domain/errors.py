"""Base error of the pure domain layer."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule was broken; the message is safe to show to the user."""
