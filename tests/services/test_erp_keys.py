"""ERP connections' secret keys stored under the public development DATA_KEY move to the
configured key with the shops' credentials; the secret never shows in what the screen gets."""

from __future__ import annotations

from pydantic import SecretStr

from qihang_app.config import DEV_DATA_KEY
from qihang_app.models import ErpConnection
from qihang_app.services.credential_keys import reencrypt_dev_key_credentials
from qihang_app.services.crypto import decrypt_credentials, encrypt_credentials

from .factories import build_world


def test_erp_secrets_move_to_the_real_key(session, settings):
    build_world(session)
    dev = settings.model_copy(update={"data_key": SecretStr(DEV_DATA_KEY)})
    conn = ErpConnection(name="ERP", erp="qihang", base_url="http://127.0.0.1:9/", inbound_key="k")
    conn.secrets_encrypted = encrypt_credentials({"secret": "erp-s"}, settings=dev)
    session.add(conn)
    session.commit()
    assert reencrypt_dev_key_credentials(session, settings=settings) >= 1
    session.commit()
    assert decrypt_credentials(session.get(ErpConnection, conn.id).secrets_encrypted, settings=settings) == {
        "secret": "erp-s"
    }
    assert "erp-s" not in session.get(ErpConnection, conn.id).secrets_encrypted
