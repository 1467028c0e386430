"""聚水潭 signature (§1.4): md5(app_secret + concat(key + value, sorted by key)), lowercase hex.

`sign` itself and empty values are left out; `biz` is signed as the exact JSON text sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def signing_string(secret: str, params: Mapping[str, object]) -> str:
    pairs = sorted((k, str(v)) for k, v in params.items() if k != "sign" and v is not None and str(v) != "")
    return secret + "".join(k + v for k, v in pairs)


def jst_sign(secret: str, params: Mapping[str, object]) -> str:
    return hashlib.md5(signing_string(secret, params).encode("utf-8")).hexdigest()
