"""Move shop credentials (and ERP connections' secret keys) stored under the public development DATA_KEY to the configured key.

Older installs (and any first run before the keys file existed) encrypted credentials with the
development default; once a real DATA_KEY is in use they would no longer decrypt.
"""

from __future__ import annotations

from pydantic import SecretStr
from sqlmodel import Session, select

from qihang_app.config import DEV_DATA_KEY, Settings
from qihang_app.models import ErpConnection, Shop

from .crypto import CredentialsError, decrypt_credentials, encrypt_credentials


def reencrypt_dev_key_credentials(session: Session, *, settings: Settings) -> int:
    """Re-encrypt every shop whose credentials open with the development key; returns how many.

    Does nothing while the development key is itself the configured one. Shops under any other
    key are left alone. The caller commits.
    """
    if settings.data_key.get_secret_value() in ("", DEV_DATA_KEY):
        return 0
    dev = settings.model_copy(update={"data_key": SecretStr(DEV_DATA_KEY)})
    moved = 0
    for shop in session.exec(select(Shop).where(Shop.credentials_encrypted != "")).all():
        try:
            plain = decrypt_credentials(shop.credentials_encrypted, settings=dev)
        except CredentialsError:
            continue
        shop.credentials_encrypted = encrypt_credentials(plain, settings=settings)
        moved += 1
    # ERP connections' secret keys are encrypted the same way
    for conn in session.exec(select(ErpConnection).where(ErpConnection.secrets_encrypted != "")).all():
        try:
            plain = decrypt_credentials(conn.secrets_encrypted, settings=dev)
        except CredentialsError:
            continue
        conn.secrets_encrypted = encrypt_credentials(plain, settings=settings)
        moved += 1
    session.flush()
    return moved
