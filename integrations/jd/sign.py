"""JD's request signature (§5): sort the parameters by name, join name+value (empty values and
`sign`/`format`/`sign_method` left out), wrap with the secret on both sides, MD5, uppercase hex."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from integrations.jd.spec import TIME_FORMAT, UNSIGNED
from qihang_app.domain.clock import SHANGHAI


def base_string(secret: str, params: Mapping[str, object]) -> str:
    pairs = sorted((str(k), str(v)) for k, v in params.items() if k not in UNSIGNED and v not in (None, ""))
    return secret + "".join(k + v for k, v in pairs) + secret


def jd_sign(secret: str, params: Mapping[str, object]) -> str:
    return hashlib.md5(base_string(secret, params).encode("utf-8")).hexdigest().upper()


def verify(secret: str, params: Mapping[str, object]) -> bool:
    given = str(params.get("sign") or "").upper()
    return bool(given) and hmac.compare_digest(given.encode(), jd_sign(secret, params).encode())


def jd_time(moment: datetime) -> str:
    """An aware datetime as JD writes times: Shanghai wall clock, to the second."""
    return moment.astimezone(SHANGHAI).strftime(TIME_FORMAT)


def parse_jd_time(text: str) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(str(text)[:19], TIME_FORMAT).replace(tzinfo=SHANGHAI)
