"""Meituan `sig`: md5(url_without_query + "?" + sorted k=v joined by & + app_secret), lowercase hex.

Values are joined raw (not URL-encoded). `sig` itself and binary fields are left out. Pushes are
verified with the same rule over our callback URL and the once-decoded form values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

UNSIGNED_FIELDS = frozenset({"sig", "img_data"})


def canonical_string(url: str, params: Mapping[str, object], app_secret: str) -> str:
    base = url.split("?", 1)[0]
    pairs = sorted((k, v) for k, v in params.items() if k not in UNSIGNED_FIELDS and v is not None)
    joined = "&".join(f"{k}={_text(v)}" for k, v in pairs)
    return f"{base}?{joined}{app_secret}"


def meituan_sig(url: str, params: Mapping[str, object], app_secret: str) -> str:
    return hashlib.md5(canonical_string(url, params, app_secret).encode("utf-8")).hexdigest()


def _text(value: object) -> str:
    # Python would write True/False; the wire (PHP/Java) uses 1/0, so callers pass strings.
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
