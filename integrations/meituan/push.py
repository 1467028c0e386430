"""Checking and decoding Meituan pushes (callbacks). The route stays thin: verify, store raw, ack.

Meituan signs pushes like requests: md5(our callback URL + "?" + sorted params but sig + secret).
The URL must be the one configured in the console (the public URL), not what a proxy forwards.
"""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from integrations.form import unquote_form as unquote_plus  # urllib's result, C-speed decoding
from integrations.meituan.sign import meituan_sig
from integrations.meituan.spec import ACK_OK, JSON_FIELDS, TEXT_FIELDS, ErrorCode, error_body

DEFAULT_REPLAY_WINDOW = 300  # seconds either side of our clock

_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


@dataclass(frozen=True, slots=True)
class PushCheck:
    ok: bool
    reason: str = ""

    @property
    def answer(self) -> dict:
        """JSON body to send back: ack on success, a 703 error otherwise (§1.2)."""
        return dict(ACK_OK) if self.ok else error_body(ErrorCode.BAD_SIG, self.reason)


def is_probe(params: Mapping[str, str]) -> bool:
    """Meituan checks a callback URL with an empty request when it is saved; answer it with ok."""
    return not params


def verify_push(
    callback_url: str,
    params: Mapping[str, str],
    app_secret: str,
    *,
    expected_app_id: str | None = None,
    now: float | None = None,
    replay_window: int = DEFAULT_REPLAY_WINDOW,
) -> PushCheck:
    """`params` are the form values decoded once by the web framework (do not decode them again)."""
    sig = params.get("sig", "")
    if not sig:
        return PushCheck(False, "missing sig")
    if expected_app_id is not None and str(params.get("app_id", "")) != str(expected_app_id):
        return PushCheck(False, "unknown app_id")
    expected = meituan_sig(callback_url, params, app_secret)
    if not _same(sig.lower(), expected):
        return PushCheck(False, "sig mismatch")
    try:
        sent_at = int(params.get("timestamp", ""))
    except ValueError:
        return PushCheck(False, "missing timestamp")
    current = time.time() if now is None else now
    if abs(current - sent_at) > replay_window:
        return PushCheck(False, "timestamp outside the replay window")
    return PushCheck(True)


def decode_push_fields(params: Mapping[str, str]) -> dict:
    """Second decoding step: URL-encoded-again text fields, and JSON fields into Python objects."""
    decoded: dict = dict(params)
    for name in TEXT_FIELDS:
        if name in decoded:
            decoded[name] = _unquote_if_encoded(decoded[name])
    for name in JSON_FIELDS:
        value = decoded.get(name)
        if isinstance(value, str) and value:
            decoded[name] = parse_json_field(value)
    return decoded


def parse_json_field(value: str) -> object:
    text = value.strip()
    if not text.startswith(("[", "{")):
        text = unquote_plus(text)  # it came encoded a second time
    return json.loads(text)


def _unquote_if_encoded(value: str) -> str:
    # Only values carrying %XX escapes were encoded again; a plain '+' elsewhere is a real plus.
    return unquote_plus(value) if _PERCENT_ESCAPE.search(value) else value


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())  # constant time
