"""The signature of QiHang's own ERP API, both directions (docs: /api/docs).

X-QiHang-Signature = lowercase hex HMAC-SHA256(key = secret, message = timestamp + "\n" + raw body).
Calls more than WINDOW seconds off are refused; a signature seen before inside the window is a
replay (the receiver remembers signatures: the OMS in its database, the twin in memory).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

KEY_HEADER = "X-QiHang-Key"
TIMESTAMP_HEADER = "X-QiHang-Timestamp"
SIGNATURE_HEADER = "X-QiHang-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
WINDOW = 300  # seconds either side


class SignatureRefused(Exception):
    """`code` is the stable machine-readable reason (also the inbound API's error code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()


def signed_headers(key: str, secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        KEY_HEADER: key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    return (headers.get(name) or headers.get(name.lower()) or "").strip()


def key_of(headers: Mapping[str, str]) -> str:
    """The caller's key (which connection): checked before anything else."""
    key = _header(headers, KEY_HEADER)
    if not key:
        raise SignatureRefused("unsigned", f"{KEY_HEADER} is missing")
    return key


def verify(headers: Mapping[str, str], body: bytes, secret: str, *, now: float | None = None) -> str:
    """Check timestamp and signature; returns the signature (for the replay check) or raises."""
    timestamp, given = _header(headers, TIMESTAMP_HEADER), _header(headers, SIGNATURE_HEADER)
    if not timestamp or not given:
        raise SignatureRefused("unsigned", f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureRefused("bad_timestamp", f"{TIMESTAMP_HEADER} must be unix seconds")
    if abs((time.time() if now is None else now) - int(timestamp)) > WINDOW:
        raise SignatureRefused("expired", f"the timestamp is more than {WINDOW} s away from our clock")
    if not hmac.compare_digest(signature(secret, timestamp, body), given.lower()):
        raise SignatureRefused("bad_signature", "the signature does not match the body and timestamp")
    return given.lower()
