"""PDD fixtures: a fresh sandbox shop per test and the adapter's client for it (over loopback)."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest

from integrations import registry
from integrations.sandbox.store import Shop
from tests.integrations.conftest import FAST_RETRY


@dataclass
class Keys:  # the shape of services.inbox.ShopAuth
    id: int
    platform: str
    platform_shop_id: str
    app_key: str
    secret: str
    credentials: dict = field(default_factory=dict)


@pytest.fixture
def adapter():
    return registry.platform("pdd")


@pytest.fixture
def pdd_shop(make_shop):
    return make_shop("pdd")


@pytest.fixture
def keys_for(sandbox_url):
    def build(shop: dict, **overrides) -> Keys:
        fields = {k: shop[k] for k in ("shop_id", "name", "app_id", "secret", "lat", "lng")}
        credentials = registry.platform("pdd").twin().oms_credentials(Shop(platform="pdd", **fields), sandbox_url)
        credentials.update(overrides)
        credentials = {k: v for k, v in credentials.items() if v is not None}
        return Keys(7, "pdd", shop["shop_id"], shop["app_id"], shop["secret"], credentials)

    return build


@pytest.fixture
def client_for(adapter, keys_for):
    def build(shop: dict, *, on_token=None, retry=FAST_RETRY, **overrides):
        return adapter.client(keys_for(shop, **overrides), on_token=on_token, retry=retry)

    return build


@pytest.fixture
def writes(control):
    def read(shop: dict, api: str | None = None) -> list[dict]:
        params = {"platform": "pdd", "shop_id": shop["shop_id"]}
        if api:
            params["api"] = api
        return control.get("/writebacks", params=params).json()

    return read


@pytest.fixture
def twin_state(sandbox_url):
    """GET the twin's notes/waybills of a shop; with settings, POST them first (e.g. decrypt)."""

    def call(shop: dict, **settings) -> dict:
        url = f"{sandbox_url}/pdd/_twin/state"
        with httpx.Client(trust_env=False, timeout=10) as http:
            if settings:
                http.post(url, json={"shop_id": shop["shop_id"], **settings}).raise_for_status()
            return http.get(url, params={"shop_id": shop["shop_id"]}).json()

    return call
