"""京东 POP's double in the sandbox: the routerjson gateway (twin_api), OAuth, its ids.

JD has no push to the OMS here (orders are polled), so `push_for` sends nothing. It does one thing
on the paid event: JD has no accept step, so a paid order is ready to ship (待出库) at once.
"""

from __future__ import annotations

import secrets
import time

import httpx

from integrations.jd import twin_api
from integrations.jd.spec import PLATFORM
from integrations.sandbox.store import ACCEPTED, AWAITING_ACCEPT

PREISSUED_TTL = 365 * 24 * 3600


class JdTwin:
    platform = PLATFORM
    demo_shop = dict(
        shop_id="600001",
        name="启航便利店(京东旗舰店)",
        app_id="JDSANDBOX0001",
        secret="sandbox-jd-secret",
        lat=31.2240,
        lng=121.4760,
    )

    def routes(self) -> list:
        return twin_api.routes

    def new_shop_ids(self, number: int) -> tuple[str, str]:
        return str(600_000 + number), secrets.token_hex(16).upper()

    def order_id(self, rng) -> str:
        return f"3{rng.randrange(10**11):011d}"

    def item_ids(self, rng, index: int, sku: str) -> tuple[str, str]:
        return str(10_000_000 + index), str(100_000_000_000 + index)  # (wareId, skuId)

    def receiver_phone(self, rng) -> str:
        return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"  # the real number: the wire masks it

    def push_for(self, order, shop, event: str, details: dict):
        if event == "paid" and order.stage == AWAITING_ACCEPT:
            order.stage, order.confirmed_at = ACCEPTED, order.created_at
        return None

    def callback_url(self, shop, push_type: str) -> str:
        return ""

    def encode_push(self, url: str, push_type: str, payload: dict, shop):
        return b"", {}

    def delivered(self, response: httpx.Response) -> bool:
        return True

    def oms_credentials(self, shop, sandbox_url: str) -> dict:
        return {
            "app_key": shop.app_id,
            "app_secret": shop.secret,
            "vender_id": shop.shop_id,
            "base_url": f"{sandbox_url}{twin_api.PREFIX}{twin_api.GATEWAY_PATH}",
            "auth_url": f"{sandbox_url}{twin_api.PREFIX}",
            "access_token": twin_api.preissued(shop),
            "access_token_expires": time.time() + PREISSUED_TTL,
            "refresh_token": twin_api.preissued(shop, "refresh"),
            "refresh_token_expires": time.time() + PREISSUED_TTL,
            "decrypt": True,
        }


TWIN = JdTwin()
