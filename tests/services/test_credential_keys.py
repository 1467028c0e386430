"""Credentials stored under the public development DATA_KEY move to the configured key."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from qihang_app.config import DEV_DATA_KEY
from qihang_app.models import Shop
from qihang_app.services.credential_keys import reencrypt_dev_key_credentials
from qihang_app.services.crypto import CredentialsError, decrypt_credentials, encrypt_credentials

from .factories import build_world


def test_dev_key_credentials_are_reencrypted_under_the_real_key(session, settings):
    world = build_world(session)
    dev = settings.model_copy(update={"data_key": SecretStr(DEV_DATA_KEY)})
    other = settings.model_copy(update={"data_key": SecretStr("some-other-key")})
    shops = session.query(Shop).order_by(Shop.id).all()
    assert len(shops) >= 2, world
    shops[0].credentials_encrypted = encrypt_credentials({"app_secret": "s0"}, settings=dev)
    shops[1].credentials_encrypted = encrypt_credentials({"app_secret": "s1"}, settings=other)
    session.commit()

    assert reencrypt_dev_key_credentials(session, settings=dev) == 0  # dev key in use: no-op
    assert reencrypt_dev_key_credentials(session, settings=settings) == 1
    session.commit()
    assert decrypt_credentials(shops[0].credentials_encrypted, settings=settings) == {"app_secret": "s0"}
    with pytest.raises(CredentialsError):
        decrypt_credentials(shops[0].credentials_encrypted, settings=dev)
    # a shop under another key is left alone
    assert decrypt_credentials(shops[1].credentials_encrypted, settings=other) == {"app_secret": "s1"}
    assert reencrypt_dev_key_credentials(session, settings=settings) == 0  # idempotent
