"""Messages stored for later reading (an order's exception reason, a timeline note): a catalog
key and its parameters, encoded as one string so a text column can hold it.

The reader's language is known only when the text is shown, so nothing stores finished words.
`qihang_app.i18n.render` turns an encoded message into words; a parameter may itself be an
encoded message (translated too) or a {"zh": …, "en": …} pair (picked by language).
"""

from __future__ import annotations

import json

PREFIX = "i18n:"


def encode(key: str, **params: object) -> str:
    """`key` with `params` as one string; the same message always encodes the same way."""
    body = {"k": key, "p": params} if params else {"k": key}
    return PREFIX + json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def decode(stored: str | None) -> tuple[str, dict] | None:
    """(key, params) of an encoded message; None for any other text (a platform's own words,
    a plain key, an old stored sentence)."""
    if not stored or not stored.startswith(PREFIX):
        return None
    try:
        body = json.loads(stored[len(PREFIX) :])
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("k"), str):
        return None
    params = body.get("p") or {}
    return (body["k"], params) if isinstance(params, dict) else None
