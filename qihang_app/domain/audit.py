"""What an audit entry says: stable action keys and credential redaction (pure)."""

from __future__ import annotations

import re

# Values of these fields are never written to the audit trail: only that they changed.
SECRET_FIELD = re.compile(r"(password|secret|token|credential|private|_key$)", re.IGNORECASE)
CHANGED = "changed"


def redact(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Before → after with every secret field replaced by "changed" (on the after side, only when it
    did change; the before side never shows it). Nested dicts are redacted the same way."""
    before = dict(before) if before is not None else None
    after = dict(after) if after is not None else None
    for name in set(before or {}) | set(after or {}):
        old = (before or {}).get(name)
        new = (after or {}).get(name)
        if SECRET_FIELD.search(str(name)):
            if before is not None and name in before:
                before.pop(name)
            if after is not None and name in after:
                if new != old:
                    after[name] = CHANGED
                else:
                    after.pop(name)
        elif isinstance(old, dict) or isinstance(new, dict):
            nested_old, nested_new = redact(
                old if isinstance(old, dict) else None, new if isinstance(new, dict) else None
            )
            if before is not None and name in before:
                before[name] = nested_old if isinstance(old, dict) else old
            if after is not None and name in after:
                after[name] = nested_new if isinstance(new, dict) else new
    return before, after


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    """The fields that differ, on both sides (an edit that changed one field logs one field)."""
    names = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in names if k in before}, {k: after.get(k) for k in names if k in after}


def describe_change(before: dict | None, after: dict | None, *, limit: int = 300) -> str:
    """One line: "status: awaiting_accept → to_ship; phone: → 138…" (the page's 修改前 → 修改后)."""
    before, after = before or {}, after or {}
    parts = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if name in before and name in after:
            parts.append(f"{name}: {_short(old)} → {_short(new)}")
        elif name in after:
            parts.append(f"{name}: {_short(new)}")
        else:
            parts.append(f"{name}: {_short(old)} → ∅")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return "" if value is None else str(value)
