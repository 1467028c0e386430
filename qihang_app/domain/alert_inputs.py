"""What the alert settings form accepts (pure): a robot's webhook address, quiet hours, rule codes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from qihang_app.domain.input_rules import InputError

LIMITS = {"channel_name": 40, "webhook_url": 500, "robot_secret": 256, "max_per_hour": 4}
MAX_PER_HOUR = 600  # DingTalk allows 20 a minute; more than that an hour is noise anyway
MAX_THRESHOLD = 100_000
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def webhook_url(value: object) -> str:
    """An http(s) address with a host, printable ASCII only (robots give such addresses)."""
    clean = str(value or "").strip()
    if not clean:
        raise InputError("alerts.err.url_required")
    if len(clean) > LIMITS["webhook_url"]:
        raise InputError("input.too_long", limit=LIMITS["webhook_url"], length=len(clean))
    parts = urlsplit(clean) if _URL_CHARS.fullmatch(clean) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("alerts.err.bad_url")
    return clean


def masked(url: str) -> str:
    """The address with its token part hidden, for showing on the settings screen."""
    parts = urlsplit(url)
    tail = (parts.query or parts.path.rsplit("/", 1)[-1])[-4:]
    return f"{parts.scheme}://{parts.hostname}{'/…' if parts.path else ''} ****{tail}"


def quiet_hours(start: object, end: object) -> tuple[str | None, str | None]:
    """Both "HH:MM" or both empty."""
    pattern = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
    values = [str(v or "").strip() for v in (start, end)]
    if not any(values):
        return None, None
    if not all(pattern.fullmatch(v) for v in values):
        raise InputError("alerts.err.bad_quiet")
    return values[0], values[1]
