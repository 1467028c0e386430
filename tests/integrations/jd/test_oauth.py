"""JD OAuth against the twin: authorize page → 授权 link → code → token → refresh."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from integrations.base import PlatformError
from integrations.jd.spec import Method
from tests.integrations.conftest import FAST_RETRY

REDIRECT = "https://oms.example.invalid/api/oauth/jd/callback"


async def _authorize(jd, keys, state: str = "st-1") -> str:
    url = jd.oauth.authorize_url(keys, REDIRECT, state)
    assert url.startswith(keys.credentials["auth_url"] + "/oauth2/to_login?")
    async with httpx.AsyncClient(trust_env=False) as http:
        page = await http.get(url + "&vender_id=" + keys.platform_shop_id)
    assert page.status_code == 200 and "授权" in page.text
    link = re.search(r"href='([^']+)'", page.text).group(1).replace("&amp;", "&")
    assert link.startswith(REDIRECT + "?")
    query = parse_qs(urlparse(link).query)
    assert query["state"] == [state]
    return query["code"][0]


async def test_code_to_token_to_refresh(jd, jd_shop, jd_keys, new_order):
    keys = jd_keys(jd_shop, access_token="", refresh_token="")
    code = await _authorize(jd, keys)
    grant = await jd.oauth.exchange_code(keys, code, REDIRECT)
    assert grant.platform_shop_id == jd_shop["shop_id"] and grant.refresh_token and grant.expires_at.tzinfo
    assert "access_token" not in grant.raw and "refresh_token" not in grant.raw
    keys.credentials.update(grant.credentials())
    placed = new_order(jd_shop)
    client = jd.client(keys, retry=FAST_RETRY)
    assert (await jd.fetch_order(client, placed["order_id"]))["orderId"] == placed["order_id"]
    fresh = await jd.oauth.refresh(keys)
    assert fresh.access_token != grant.access_token
    keys.credentials.update(fresh.credentials())
    assert (await jd.fetch_order(jd.client(keys, retry=FAST_RETRY), placed["order_id"]))["orderId"]


async def test_a_code_works_once_and_needs_the_secret(jd, jd_shop, jd_keys):
    keys = jd_keys(jd_shop)
    code = await _authorize(jd, keys)
    keys.secret = "wrong"
    with pytest.raises(PlatformError):
        await jd.oauth.exchange_code(keys, code, REDIRECT)
    keys.secret = jd_shop["secret"]
    await jd.oauth.exchange_code(keys, code, REDIRECT)
    with pytest.raises(PlatformError):
        await jd.oauth.exchange_code(keys, code, REDIRECT)


async def test_an_unknown_token_is_refused_without_a_refresh_token(jd, jd_shop, jd_keys, control):
    keys = jd_keys(jd_shop, access_token="nope", refresh_token="")
    with pytest.raises(PlatformError) as info:
        await jd.fetch_order(jd.client(keys, retry=FAST_RETRY), "1")
    assert info.value.code == "19"
    assert control.get("/requests", params={"platform": "jd", "path": Method.ORDER_GET, "result": "19"}).json()


async def test_a_refused_refresh_surfaces(jd, jd_shop, jd_keys):
    keys = jd_keys(jd_shop, access_token="nope", refresh_token="revoked")
    with pytest.raises(PlatformError) as info:
        await jd.fetch_order(jd.client(keys, retry=FAST_RETRY), "1")
    assert info.value.code == "10003" and int(info.value.code) in jd.credential_codes
