"""OAuth (authorize page → code → session → refresh), session expiry → refresh, rate limits
retried, and the twin's refusals of a bad signature or a stale timestamp."""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.base import PlatformError
from integrations.taobao.client import TaobaoClient
from integrations.taobao.oauth import TaobaoOAuth
from integrations.taobao.spec import Method
from tests.integrations.conftest import FAST_RETRY
from tests.integrations.taobao.conftest import ADAPTER, requests_for

REDIRECT = "https://oms.example.invalid/shops/oauth/callback"


async def _authorize(http, keys, state="s-1") -> str:
    page = await http.get(ADAPTER.oauth.authorize_url(keys, REDIRECT, state))
    assert page.status_code == 200 and "授权" in page.text
    href = unescape(re.search(r"id='authorize' href='([^']+)'", page.text).group(1))
    target = urlsplit(href)
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT
    query = parse_qs(target.query)
    assert query["state"] == [state]
    return query["code"][0]


async def test_authorize_code_token_refresh(tb_shop, tb_keys, http):
    keys = tb_keys(tb_shop, access_token="", refresh_token="")
    oauth = TaobaoOAuth(http)
    url = oauth.authorize_url(keys, REDIRECT, "st")
    assert "response_type=code" in url and f"client_id={tb_shop['app_id']}" in url
    code = await _authorize(http, keys)
    grant = await oauth.exchange_code(keys, code, REDIRECT)
    assert grant.platform_shop_id == tb_shop["shop_id"] and grant.access_token and grant.refresh_token
    assert grant.expires_at.timestamp() > time.time() + 3600 and "access_token" not in grant.raw
    stored = grant.credentials()
    assert set(stored) == {"access_token", "access_token_expires", "refresh_token", "refresh_token_expires"}
    with pytest.raises(PlatformError) as info:  # a code is used once
        await oauth.exchange_code(keys, code, REDIRECT)
    assert info.value.code == "invalid_grant"
    # the new session works, and a refresh gives another one
    client = TaobaoClient(
        keys.app_key, keys.secret, session=grant.access_token, base_url=keys.credentials["base_url"], http=http
    )
    assert "user" in await client.call(Method.USER_SELLER_GET, {"fields": "nick"})
    keys.credentials.update(stored)
    again = await oauth.refresh(keys)
    assert again.access_token and again.platform_shop_id == tb_shop["shop_id"]


def test_the_stored_credentials_carry_app_keys_and_a_session(tb_shop, tb_keys):
    stored = tb_keys(tb_shop).credentials
    assert (stored["app_key"], stored["app_secret"]) == (tb_shop["app_id"], tb_shop["secret"])
    assert stored["access_token"] and stored["refresh_token"] and stored["access_token_expires"] > time.time()


async def test_a_wrong_redirect_or_secret_is_refused(tb_shop, tb_keys, http):
    keys = tb_keys(tb_shop)
    oauth = TaobaoOAuth(http)
    code = await _authorize(http, keys)
    with pytest.raises(PlatformError) as info:
        await oauth.exchange_code(keys, code, REDIRECT + "/other")
    assert info.value.code == "invalid_grant"
    keys.secret = "wrong"
    with pytest.raises(PlatformError) as info:
        await oauth.refresh(keys)
    assert info.value.code == "invalid_client"


async def test_an_expired_session_is_refreshed_once_and_saved(tb_shop, tb_client, control, new_order):
    placed = new_order(tb_shop)
    saved = []

    async def on_token(shop_id, token):
        saved.append((shop_id, token))

    client = tb_client(tb_shop, on_token=on_token)
    old = client.session
    control.post("/faults", json={"kind": "expire_token", "platform": "taobao", "shop_id": tb_shop["shop_id"]})
    trade = await ADAPTER.fetch_order(client, placed["order_id"])
    assert trade["tid"] == placed["order_id"]
    assert client.refresh_count == 1 and client.session != old
    assert [(shop_id, token.value) for shop_id, token in saved] == [(1, client.session)]
    assert any(r["result"] == "27" for r in requests_for(control, Method.TRADE_FULLINFO))


async def test_a_session_about_to_expire_is_refreshed_first(tb_shop, tb_client, control):
    client = tb_client(tb_shop, access_token_expires=time.time() + 30)
    before = len(requests_for(control, Method.ITEMS_ONSALE))
    await ADAPTER.check_connection(client, None)
    assert client.refresh_count == 1
    assert len(requests_for(control, Method.ITEMS_ONSALE)) == before + 1  # no refused call first


async def test_without_a_refresh_token_the_expiry_is_a_credentials_error(tb_shop, tb_client, control):
    client = tb_client(tb_shop, refresh_token="")
    control.post("/faults", json={"kind": "expire_token", "platform": "taobao", "shop_id": tb_shop["shop_id"]})
    with pytest.raises(PlatformError) as info:
        await ADAPTER.check_connection(client, None)
    assert int(info.value.code) in ADAPTER.credential_codes and not info.value.retryable


async def test_rate_limit_is_retried(tb_shop, tb_client, control):
    client = tb_client(tb_shop)
    control.post(
        "/faults", json={"kind": "rate_limit", "platform": "taobao", "path_contains": "items.onsale", "count": 2}
    )
    key, params = await ADAPTER.check_connection(client, None)
    assert key == "shops.test.ok_products" and params["n"] == 10
    results = [r["result"] for r in requests_for(control, Method.ITEMS_ONSALE)][-3:]
    assert results == ["7", "7", "ok"]
    assert 7 in ADAPTER.rate_limit_codes


async def test_rate_limit_gives_up_within_the_budget(tb_shop, tb_client, control):
    control.post("/faults", json={"kind": "rate_limit", "platform": "taobao", "count": 10})
    with pytest.raises(PlatformError) as info:
        await ADAPTER.check_connection(tb_client(tb_shop), None)
    assert info.value.code == "7" and "accesscontrol.limited-by-api-access-count" in info.value.message


async def test_bad_signature_and_stale_timestamp_are_refused(tb_shop, tb_keys, http, monkeypatch):
    keys = tb_keys(tb_shop)
    wrong = TaobaoClient(
        keys.app_key, "not-the-secret", base_url=keys.credentials["base_url"], http=http, retry=FAST_RETRY
    )
    with pytest.raises(PlatformError) as info:
        await wrong.call(Method.USER_SELLER_GET)
    assert info.value.code == "25"
    for method in ("hmac", "hmac-sha256"):  # the twin checks every sign method
        client = TaobaoClient(
            keys.app_key, keys.secret, session=keys.credentials["access_token"],
            base_url=keys.credentials["base_url"], http=http, sign_method=method,
        )  # fmt: skip
        assert (await client.call(Method.USER_SELLER_GET))["user"]["nick"] == tb_shop["shop_id"]
    from integrations.taobao import client as client_module

    monkeypatch.setattr(client_module, "top_time", lambda moment: "2020-01-01 00:00:00")
    with pytest.raises(PlatformError) as info:
        await TaobaoClient(keys.app_key, keys.secret, base_url=keys.credentials["base_url"], http=http).call(
            Method.USER_SELLER_GET
        )
    assert info.value.code == "31"
