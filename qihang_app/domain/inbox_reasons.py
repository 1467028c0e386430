"""Why 数据接收 kept a row, in words a merchant understands (pure).

The inbox stores the technical reason ("signature mismatch", "unknown shop '123'", "ValueError:
… (mapping.py:88)") for whoever fixes it; the page leads with one of these message keys and keeps
the technical text behind 展开.
"""

from __future__ import annotations

# (words in the technical reason, lower-cased) → message key; the first match wins.
_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("missing signature", "no signature"), "inbox.reason.missing_signature"),
    (("signature mismatch", "sig mismatch", "bad signature", "invalid signature"), "inbox.reason.signature"),
    (("replay window",), "inbox.reason.too_old"),
    (("unknown shop",), "inbox.reason.unknown_shop"),
    (("payload is for shop",), "inbox.reason.wrong_shop"),
    (("is gone",), "inbox.reason.shop_gone"),
    (("no parser for source", "unknown platform", "no api client"), "inbox.reason.unsupported"),
    (("could not apply",), "inbox.reason.not_applied"),
    (
        ("malformed", "not a webhook envelope", "jsondecodeerror", "missing timestamp", "not utf"),
        "inbox.reason.malformed",
    ),
)


def inbox_reason(status: str, error: str | None) -> str:
    """The message key for a failed or rejected inbox row."""
    text = (error or "").lower()
    for needles, key in _RULES:
        if any(needle in text for needle in needles):
            return key
    return "inbox.reason.refused" if status == "rejected" else "inbox.reason.parse_failed"
