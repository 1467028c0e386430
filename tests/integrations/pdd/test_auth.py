"""PDD tokens: expiry → refresh (saved), rate limits retried, and the OAuth round trip."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from integrations.base import PlatformError
from integrations.ecommerce_contract import capability
from integrations.pdd.spec import Api


async def test_an_expired_token_is_refreshed_once_and_saved(adapter, pdd_shop, client_for, control):
    saved = []

    async def on_token(shop_id, token):
        saved.append((shop_id, token))

    client = client_for(pdd_shop, on_token=on_token)
    control.post("/faults", json={"kind": "expire_token", "platform": "pdd", "shop_id": pdd_shop["shop_id"]})
    data = await client.call(Api.GOODS_LIST, {"page": 1, "page_size": 1})
    assert data["total_count"] == 20
    assert client.refresh_count == 1 and [s for s, _ in saved] == [7]
    assert saved[0][1].value == client.access_token and client.access_token.startswith("pdda.")
    results = [r["result"] for r in control.get("/requests", params={"platform": "pdd"}).json()[-3:]]
    assert results == ["10019", "ok", "ok"]  # expired, refresh, the call again


async def test_without_a_refresh_token_expiry_is_a_credential_error(adapter, pdd_shop, client_for, control):
    client = client_for(pdd_shop, refresh_token=None)
    control.post("/faults", json={"kind": "expire_token", "platform": "pdd", "shop_id": pdd_shop["shop_id"]})
    with pytest.raises(PlatformError) as info:
        await client.call(Api.GOODS_LIST, {"page": 1, "page_size": 1})
    assert int(info.value.code) in adapter.credential_codes and not info.value.retryable


async def test_a_token_near_its_stored_expiry_is_refreshed_before_the_call(pdd_shop, client_for):
    client = client_for(pdd_shop, access_token_expires=1.0)
    await client.call(Api.GOODS_LIST, {"page": 1, "page_size": 1})
    assert client.refresh_count == 1


async def test_rate_limit_is_retried(adapter, pdd_shop, client_for, control):
    control.post("/faults", json={"kind": "rate_limit", "platform": "pdd", "count": 2})
    data = await client_for(pdd_shop).call(Api.GOODS_LIST, {"page": 1, "page_size": 1})
    assert data["total_count"] == 20
    results = [r["result"] for r in control.get("/requests", params={"platform": "pdd"}).json()[-3:]]
    assert results == ["70031", "70031", "ok"]
    assert 70031 in adapter.rate_limit_codes


async def test_oauth_authorize_code_token_refresh(adapter, pdd_shop, keys_for, client_for, sandbox_url):
    oauth = capability(adapter, "oauth")
    assert oauth is not None and adapter.profile.authorizes
    keys = keys_for(pdd_shop, access_token=None, refresh_token=None)
    redirect = "http://127.0.0.1:9/oauth/pdd/callback"
    url = oauth.authorize_url(keys, redirect, "st-123")
    assert url.startswith(sandbox_url + "/pdd/open.html?") and "response_type=code" in url
    async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as http:
        page = await http.get(url)
        assert page.status_code == 200 and "授权" in page.text
        link = page.text.split("href='")[1].split("'")[0]
        answer = await http.get(sandbox_url + link.replace("&amp;", "&"))
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    query = parse_qs(back.query)
    assert f"{back.scheme}://{back.netloc}{back.path}" == redirect and query["state"] == ["st-123"]

    grant = await oauth.exchange_code(keys, query["code"][0], redirect)
    assert grant.platform_shop_id == pdd_shop["shop_id"] and grant.refresh_token
    assert "access_token" not in grant.raw and grant.expires_at.timestamp() > 0
    with pytest.raises(PlatformError):  # a code is used once
        await oauth.exchange_code(keys, query["code"][0], redirect)

    stored = grant.credentials()
    client = client_for(pdd_shop, **stored)
    assert (await client.call(Api.GOODS_LIST, {"page": 1, "page_size": 1}))["total_count"] == 20

    again = await oauth.refresh(keys_for(pdd_shop, **stored))
    assert again.access_token != grant.access_token
    fresh = client_for(pdd_shop, access_token=again.access_token, refresh_token=None)
    assert (await fresh.call(Api.GOODS_LIST, {"page": 1, "page_size": 1}))["total_count"] == 20


async def test_a_foreign_or_unknown_token_is_refused(pdd_shop, make_shop, client_for):
    other = make_shop("pdd")
    stolen = client_for(other).access_token  # another app's standing token
    with pytest.raises(PlatformError) as info:
        await client_for(pdd_shop, access_token=stolen, refresh_token=None).call(Api.GOODS_LIST, {"page": 1})
    assert info.value.code == "10035"
