"""拼多多's double in the sandbox: its gateway and authorize page (twin_api), its wire format
(twin_wire), its ids. PDD pushes nothing here: the OMS pulls."""

from __future__ import annotations

import secrets

import httpx

from integrations.pdd import twin_api
from integrations.pdd.spec import PLATFORM
from integrations.pdd.twin_state import standing_tokens
from integrations.sandbox.store import ACCEPTED, AWAITING_ACCEPT


class PddTwin:
    platform = PLATFORM
    demo_shop = dict(
        shop_id="870000001",
        name="启航优选旗舰店(拼多多)",
        app_id="pddsandbox0001",
        secret="sandbox-pdd-secret",
        lat=31.2304,
        lng=121.4737,
    )

    def routes(self) -> list:
        return twin_api.routes

    def new_shop_ids(self, number: int) -> tuple[str, str]:
        return str(880_000_000 + number), secrets.token_hex(16)

    def order_id(self, rng) -> str:
        # PDD order_sn: yymmdd-15 digits
        return f"{rng.randrange(240101, 261231):06d}-{rng.randrange(10**14, 10**15)}"

    def item_ids(self, rng, index: int, sku: str) -> tuple[str, str]:
        return str(300_000_000_000 + index), str(1_200_000_000_000 + index)

    def receiver_phone(self, rng) -> str:
        return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"  # plain: PDD sends it encrypted

    def push_for(self, order, shop, event: str, details: dict):
        # PDD has no accept step: a paid order waits for shipment at once (待发货), so the
        # sandbox's accept timeout never cancels it. Nothing is pushed.
        if event == "paid" and order.stage == AWAITING_ACCEPT:
            order.stage = ACCEPTED
        return None

    def callback_url(self, shop, push_type: str) -> str:
        return ""

    def encode_push(self, url: str, push_type: str, payload: dict, shop):
        raise NotImplementedError("拼多多 pushes nothing in the sandbox")

    def delivered(self, response: httpx.Response) -> bool:
        return True

    def oms_credentials(self, shop, sandbox_url: str) -> dict:
        access, refresh = standing_tokens(shop)
        base = f"{sandbox_url}{twin_api.PREFIX}"
        return {
            "app_key": shop.app_id,
            "app_secret": shop.secret,
            "access_token": access,
            "refresh_token": refresh,
            "base_url": base + twin_api.GATEWAY_PATH,
            "auth_url": base + twin_api.AUTHORIZE_PATH,
            "decrypt": True,
        }


TWIN = PddTwin()
