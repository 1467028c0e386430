"""Taobao fixtures: a fresh seller shop on the twin, its stored credentials, adapter clients."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from integrations import registry
from integrations.sandbox.store import Shop
from tests.integrations.conftest import FAST_RETRY

ADAPTER = registry.platform("taobao")


@dataclass
class Keys:  # the shape services.inbox.ShopAuth hands the adapter
    id: int
    platform: str
    platform_shop_id: str
    app_key: str
    secret: str
    credentials: dict = field(default_factory=dict)


@pytest.fixture
def tb_shop(make_shop):
    return make_shop("taobao")


@pytest.fixture
def tb_keys(sandbox_url):
    def build(shop: dict, **credentials) -> Keys:
        fields = {k: shop[k] for k in ("shop_id", "name", "app_id", "secret", "lat", "lng")}
        stored = ADAPTER.twin().oms_credentials(Shop(platform="taobao", **fields), sandbox_url)
        stored.update(credentials)
        return Keys(1, "taobao", shop["shop_id"], shop["app_id"], shop["secret"], stored)

    return build


@pytest.fixture
def tb_client(tb_keys, http):
    def build(shop: dict, *, on_token=None, retry=FAST_RETRY, **credentials):
        client = ADAPTER.client(tb_keys(shop, **credentials), on_token=on_token, retry=retry)
        client._http = http
        return client

    return build


@pytest.fixture
def twin_view(sandbox_url, http):
    async def read(**query) -> dict:
        response = await http.get(f"{sandbox_url}/taobao/_twin", params=query)
        return response.json()

    return read


def requests_for(control, method: str) -> list[dict]:
    return control.get("/requests", params={"platform": "taobao", "path": method}).json()
