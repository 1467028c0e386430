"""JD fixtures: a shop on the sandbox twin, its stored credentials and a client over loopback."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from integrations import registry
from integrations.sandbox.store import Shop
from tests.integrations.conftest import FAST_RETRY


@dataclass
class Keys:  # what the worker hands an adapter (services.shop_auth.ShopAuth has the same shape)
    id: int
    platform: str
    platform_shop_id: str
    app_key: str
    secret: str
    credentials: dict = field(default_factory=dict)


@pytest.fixture
def jd():
    return registry.platform("jd")


@pytest.fixture
def jd_shop(make_shop):
    return make_shop("jd")


@pytest.fixture
def jd_keys(sandbox_url):
    def build(shop: dict, **overrides) -> Keys:
        fields = {k: shop[k] for k in ("shop_id", "name", "app_id", "secret", "lat", "lng")}
        credentials = registry.platform("jd").twin().oms_credentials(Shop(platform="jd", **fields), sandbox_url)
        credentials.update(overrides)
        return Keys(1, "jd", shop["shop_id"], shop["app_id"], shop["secret"], credentials)

    return build


@pytest.fixture
def jd_client(jd, jd_keys):
    def build(shop: dict, **overrides):
        return jd.client(jd_keys(shop, **overrides), retry=FAST_RETRY)

    return build


@pytest.fixture
def jd_inspect(sandbox_url):
    import httpx

    def read() -> dict:
        return httpx.get(sandbox_url + "/jd/_inspect", trust_env=False, timeout=10).json()

    return read


async def collect(iterator) -> list:
    return [item async for item in iterator]
