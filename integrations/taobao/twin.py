"""淘宝天猫's double in the sandbox: the TOP router, OAuth pages, TMC stream, its ids."""

from __future__ import annotations

import secrets

import httpx
from starlette.routing import Route

from integrations.taobao import twin_auth, twin_tmc, twin_wire
from integrations.taobao.spec import PLATFORM
from integrations.taobao.twin_api import GATEWAY_PATH, PREFIX, router
from integrations.taobao.twin_state import ACCESS_TTL, REFRESH_TTL, STATE, issue_token


async def inspect(request):
    """What the OMS did that the TOP API has no read for (parcels per line, memos, waybills, TMC)."""
    from starlette.responses import JSONResponse

    tid = request.query_params.get("tid", "")
    app_key = request.query_params.get("app_key", "")
    queue = STATE.tmc.get(app_key)
    return JSONResponse(
        {
            "shipped": STATE.shipped.get(tid, {}),
            "memo": STATE.memos.get(tid),
            "waybills": [dict(w, cp_code=k[1]) for k, w in STATE.waybills.items() if k[0] == app_key],
            "cancelled_waybills": sorted(STATE.cancelled_waybills),
            "tmc_pending": len(queue.pending) if queue else 0,
            "tmc_confirmed": queue.confirmed if queue else 0,
        }
    )


class TaobaoTwin:
    platform = PLATFORM
    demo_shop = dict(
        shop_id="qihang_official",  # the seller nick (TOP names sellers by nick)
        name="启航官方旗舰店(天猫)",
        app_id="12345678",
        secret="sandbox-taobao-secret",
        lat=31.2304,
        lng=121.4737,
    )

    def routes(self) -> list:
        return [
            Route(PREFIX + GATEWAY_PATH, router, methods=["POST", "GET"]),
            Route(PREFIX + "/oauth/authorize", twin_auth.authorize, methods=["GET"]),
            Route(PREFIX + "/oauth/token", twin_auth.token, methods=["POST"]),
            Route(PREFIX + "/tmc/stream", twin_tmc.stream, methods=["GET"]),
            Route(PREFIX + "/_twin", inspect, methods=["GET"]),
        ]

    def new_shop_ids(self, number: int) -> tuple[str, str]:
        return f"sandbox_seller_{number}", str(20_000_000 + number * 97 + secrets.randbelow(97))

    def order_id(self, rng) -> str:
        return f"3{rng.randrange(10**18):018d}"  # 19 digits: beyond JS numbers, kept as text

    def item_ids(self, rng, index: int, sku: str) -> tuple[str, str]:
        return str(600_000_000_000 + index), str(4_000_000_000_000 + index)

    def receiver_phone(self, rng) -> str:
        return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"  # the real number; the API masks it

    def push_for(self, order, shop, event: str, details: dict):
        twin_wire.publish(order, shop, event, details)  # TMC messages, consumed over the stream
        return None  # no webhooks

    def callback_url(self, shop, push_type: str) -> str:
        return ""

    def encode_push(self, url: str, push_type: str, payload: dict, shop):
        raise NotImplementedError("Taobao delivers messages over TMC, not webhooks")

    def delivered(self, response: httpx.Response) -> bool:
        return True

    def oms_credentials(self, shop, sandbox_url: str) -> dict:
        """What the shop form stores, with a pre-issued session so the demo needs no OAuth click."""
        session, expires = issue_token("s", shop.app_id, shop.secret, shop.shop_id, ACCESS_TTL)
        refresh, refresh_expires = issue_token("r", shop.app_id, shop.secret, shop.shop_id, REFRESH_TTL)
        return {
            "app_key": shop.app_id,
            "app_secret": shop.secret,
            "base_url": f"{sandbox_url}{PREFIX}{GATEWAY_PATH}",
            "auth_url": f"{sandbox_url}{PREFIX}/oauth/authorize",
            "token_url": f"{sandbox_url}{PREFIX}/oauth/token",
            "tmc_url": f"{sandbox_url}{PREFIX}/tmc/stream",
            "access_token": session,
            "access_token_expires": expires,
            "refresh_token": refresh,
            "refresh_token_expires": refresh_expires,
            "decrypt": True,
        }


TWIN = TaobaoTwin()
