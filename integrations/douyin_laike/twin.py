"""抖音来客's double in the sandbox: its open API (twin_api), its webhooks (twin_wire), its ids."""

from __future__ import annotations

import secrets

import httpx

from integrations.douyin_laike import twin_api, twin_wire
from integrations.douyin_laike.spec import PLATFORM
from integrations.sandbox import fake_data


class DouyinLaikeTwin:
    platform = PLATFORM
    demo_shop = dict(
        shop_id="7210000000000001",
        name="启航便利店(徐汇店)",
        app_id="awsandbox0001",
        secret="sandbox-douyin-secret",
        lat=31.1880,
        lng=121.4370,
    )

    def routes(self) -> list:
        return twin_api.routes

    def new_shop_ids(self, number: int) -> tuple[str, str]:
        return str(7_200_000_000_000_000 + number), f"aw{secrets.token_hex(8)}"

    def order_id(self, rng) -> str:
        return f"10{rng.randrange(10**17):017d}"  # ids overflow JS numbers

    def item_ids(self, rng, index: int, sku: str) -> tuple[str, str]:
        return str(1_000_000_000 + index), str(1_800_000_000 + index)

    def receiver_phone(self, rng) -> str:
        return fake_data.masked_phone(rng)

    def push_for(self, order, shop, event: str, details: dict):
        return twin_wire.push_for(order, shop, event, details)

    def callback_url(self, shop, push_type: str) -> str:
        return twin_wire.callback_url(shop)

    def encode_push(self, url: str, push_type: str, payload: dict, shop):
        return twin_wire.encode_push(push_type, payload, shop)

    def delivered(self, response: httpx.Response) -> bool:
        return True  # any HTTP 2xx counts as delivered

    def oms_credentials(self, shop, sandbox_url: str) -> dict:
        return {"client_key": shop.app_id, "client_secret": shop.secret, "base_url": f"{sandbox_url}{twin_api.PREFIX}"}


TWIN = DouyinLaikeTwin()
