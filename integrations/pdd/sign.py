"""拼多多 request signature: MD5(secret + k1v1k2v2... sorted by key + secret), uppercase hex.

Every parameter is signed except `sign` itself; values are the text sent on the wire (numbers as
their digits, objects as the compact JSON that goes in the body).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping


def wire_text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sign_base(secret: str, params: Mapping[str, object]) -> str:
    joined = "".join(f"{k}{wire_text(params[k])}" for k in sorted(params) if k != "sign")
    return f"{secret}{joined}{secret}"


def pdd_sign(secret: str, params: Mapping[str, object]) -> str:
    return hashlib.md5(sign_base(secret, params).encode("utf-8")).hexdigest().upper()
