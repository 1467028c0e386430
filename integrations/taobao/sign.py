"""TOP request signature (platform-apis.md §4): sort every parameter but `sign` by name, join
key+value with nothing between (empty values skipped), then
md5: MD5(secret + s + secret); hmac: HMAC-MD5(secret, s); hmac-sha256: HMAC-SHA256(secret, s).
A request body (batch calls) is appended to s. The result is upper-case hex."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping


def base_string(params: Mapping[str, object], body: bytes | None = None) -> str:
    joined = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and v not in (None, ""))
    return joined + (body.decode("utf-8") if body else "")


def top_sign(
    secret: str, params: Mapping[str, object], *, body: bytes | None = None, method: str = ""
) -> tuple[str, str]:
    """(signature, the string that was hashed). The method is `params['sign_method']` unless given."""
    method = (method or str(params.get("sign_method") or "md5")).lower()
    base = base_string(params, body)
    key = secret.encode("utf-8")
    if method == "md5":
        wrapped = secret + base + secret
        return hashlib.md5(wrapped.encode("utf-8")).hexdigest().upper(), wrapped
    if method == "hmac":
        return hmac.new(key, base.encode("utf-8"), hashlib.md5).hexdigest().upper(), base
    if method == "hmac-sha256":
        return hmac.new(key, base.encode("utf-8"), hashlib.sha256).hexdigest().upper(), base
    raise ValueError(f"unknown TOP sign_method {method!r} (md5, hmac, hmac-sha256)")


def verify(secret: str, params: Mapping[str, object]) -> bool:
    try:
        expected, _ = top_sign(secret, params)
    except ValueError:
        return False
    return hmac.compare_digest(expected, str(params.get("sign") or "").upper())
