"""Platform credentials are encrypted at rest and never leave through UI-facing rows."""

from __future__ import annotations

import dataclasses

import pytest

from qihang_app.models import Shop
from qihang_app.services import crypto, stores
from qihang_app.services.crypto import CredentialsError, decrypt_credentials, encrypt_credentials

SECRET = "app-secret-值-0123456789"


def test_credentials_are_encrypted_in_the_database(session, world):
    shop = stores.create_shop(
        session,
        actor=world.admin,
        store_id=world.store_a,
        platform="douyin_laike",
        platform_shop_id="7000000000000000001",
        name="抖音A",
        credentials={"app_key": "k-1", "app_secret": SECRET, "access_token": "tok-xyz"},
    )
    session.commit()
    raw = session.connection().exec_driver_sql(f"SELECT credentials_encrypted FROM shops WHERE id = {shop.id}").scalar()
    for plain in (SECRET, "tok-xyz", "app_secret", "k-1"):
        assert plain not in raw
    creds = stores.get_shop_credentials(session, shop_id=shop.id)
    assert creds == {"app_key": "k-1", "app_secret": SECRET, "access_token": "tok-xyz"}

    stores.update_shop_credentials(session, shop_id=shop.id, changes={"access_token": "tok-2"})
    assert stores.get_shop_credentials(session, shop_id=shop.id)["access_token"] == "tok-2"
    assert stores.get_shop_credentials(session, shop_id=shop.id)["app_secret"] == SECRET


def test_shop_views_carry_no_credentials(session, world):
    view = stores.list_shops(session, actor=world.admin)[0]
    shop = session.get(Shop, view.id)
    assert shop.credentials_encrypted
    values = [str(v) for v in dataclasses.asdict(view).values()]
    assert not any(shop.credentials_encrypted in v or "secret-a" in v for v in values)
    assert view.has_credentials is True


def test_ciphertext_is_bound_to_the_data_key(settings):
    token = encrypt_credentials({"app_secret": SECRET}, settings=settings)
    assert decrypt_credentials(token, settings=settings) == {"app_secret": SECRET}
    other = settings.model_copy(update={"data_key": type(settings.data_key)("another-key")})
    with pytest.raises(CredentialsError):
        decrypt_credentials(token, settings=other)
    assert encrypt_credentials({"a": 1}, settings=settings) != encrypt_credentials(
        {"a": 1}, settings=settings
    )  # random IV: equal secrets do not look equal


def test_tokens_are_random_and_hashed():
    a, b = crypto.new_token(), crypto.new_token()
    assert a != b and len(a) >= 43
    assert crypto.hash_token(a) != a and len(crypto.hash_token(a)) == 64
