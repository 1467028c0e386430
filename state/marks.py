"""Declarations on event handlers that need nothing resolved (no imports: any state may use them).

`requires` (state/permissions.py) is the third kind; tests/state/test_permissions.py fails for a
handler carrying none.
"""

from __future__ import annotations

PERMISSION_ATTR = "__permission__"
VIEW_ONLY = "view"
PUBLIC = "public"


def view_only(fn):
    """The handler changes only this tab's view (a dialog opening, a tab switch, the language) and
    reads or writes no data: no permission needed."""
    setattr(fn, PERMISSION_ATTR, VIEW_ONLY)
    return fn


def public(fn):
    """Open to anyone, signed in or not (log in, log out, the login check itself)."""
    setattr(fn, PERMISSION_ATTR, PUBLIC)
    return fn
