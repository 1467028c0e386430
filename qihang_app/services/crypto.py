"""Secrets at rest: Fernet for platform credentials, argon2id for passwords, random tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from qihang_app.config import Settings, get_settings

_HKDF_INFO = b"qihang-oms credentials v1"
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class CredentialsError(ValueError):
    """Stored credentials cannot be decrypted (wrong DATA_KEY or corrupted)."""


@lru_cache(maxsize=4)
def _fernet(data_key: str) -> Fernet:
    # HKDF turns any DATA_KEY string into the 32 bytes Fernet needs.
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(data_key.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


def _key(settings: Settings | None) -> str:
    return (settings or get_settings()).data_key.get_secret_value()


def encrypt_credentials(credentials: dict, *, settings: Settings | None = None) -> str:
    if not isinstance(credentials, dict):
        raise TypeError("credentials must be a dict")
    plain = json.dumps(credentials, ensure_ascii=False, sort_keys=True).encode()
    return _fernet(_key(settings)).encrypt(plain).decode("ascii")


def decrypt_credentials(token: str, *, settings: Settings | None = None) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet(_key(settings)).decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsError("cannot decrypt shop credentials: wrong DATA_KEY?") from exc


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


# Verified against when the username is unknown, so both cases take the same time.
DUMMY_PASSWORD_HASH = hash_password(secrets.token_urlsafe(16))


def new_token() -> str:
    """A random bearer token (256 bits, URL-safe). Give it to the client; store hash_token()."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
