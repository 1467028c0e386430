"""美团闪购's double in the sandbox: its open API (twin_api), its pushes (twin_wire), its ids."""

from __future__ import annotations

import time

import httpx

from integrations.meituan import twin_api, twin_wire
from integrations.meituan.spec import PLATFORM
from integrations.sandbox import fake_data


class MeituanTwin:
    platform = PLATFORM
    demo_shop = dict(
        shop_id="MT-SH-0001",
        name="启航便利店(静安店)",
        app_id="4485",
        secret="sandbox-meituan-secret",
        lat=31.2290,
        lng=121.4480,
    )

    def routes(self) -> list:
        return twin_api.routes

    def new_shop_ids(self, number: int) -> tuple[str, str]:
        return f"MT{number:06d}", str(5000 + number)

    def order_id(self, rng) -> str:
        return f"27{rng.randrange(10**15):015d}"  # ids overflow JS numbers

    def item_ids(self, rng, index: int, sku: str) -> tuple[str, str]:
        return f"SPU{index:05d}", sku  # Meituan ids are the merchant's own codes

    def receiver_phone(self, rng) -> str:
        return fake_data.privacy_phone(rng)

    def push_for(self, order, shop, event: str, details: dict):
        return twin_wire.push_for(order, shop, event, details)

    def callback_url(self, shop, push_type: str) -> str:
        return twin_wire.callback_url(shop, push_type)

    def encode_push(self, url: str, push_type: str, payload: dict, shop):
        body = twin_wire.encode_push(url, payload, shop, time.time())
        return body, {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}

    def delivered(self, response: httpx.Response) -> bool:
        try:
            return response.json().get("data") == "ok"
        except (ValueError, AttributeError):
            return False

    def oms_credentials(self, shop, sandbox_url: str) -> dict:
        return {"app_id": shop.app_id, "app_secret": shop.secret, "base_url": f"{sandbox_url}{twin_api.PREFIX}"}


TWIN = MeituanTwin()
