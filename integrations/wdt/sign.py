"""旺店通 企业版 signature (§2.1): every parameter but `sign`, sorted by key, written as
`LL-key:VVVV-value` (lengths in characters, zero-padded), joined by ";", then the appsecret;
md5, lowercase hex. Lengths count characters as the PHP server does ("北京" is 0002)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def signing_string(secret: str, params: Mapping[str, object]) -> str:
    items = sorted((k, str(v)) for k, v in params.items() if k != "sign")
    return ";".join(f"{len(k):02d}-{k}:{len(v):04d}-{v}" for k, v in items) + secret


def wdt_sign(secret: str, params: Mapping[str, object]) -> str:
    return hashlib.md5(signing_string(secret, params).encode("utf-8")).hexdigest()
