"""PDD merchant authorisation: mms.pinduoduo.com authorize page → code →
`pdd.pop.auth.token.create` → `pdd.pop.auth.token.refresh` before the token expires."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from integrations.base import PlatformError
from integrations.contract import ShopKeys
from integrations.ecommerce_contract import Grant
from integrations.pdd.client import PddClient, token_expiry
from integrations.pdd.spec import AUTH_URL, GATEWAY, PLATFORM, Api, ErrorCode

SECRET_FIELDS = ("access_token", "refresh_token")


def grant_from(data: dict, now: float | None = None) -> Grant:
    now = time.time() if now is None else now
    refresh_at = data.get("refresh_token_expires_at") or (
        now + float(data["refresh_token_expires_in"]) if data.get("refresh_token_expires_in") else None
    )
    return Grant(
        access_token=str(data["access_token"]),
        expires_at=datetime.fromtimestamp(token_expiry(data, now), UTC),
        refresh_token=str(data.get("refresh_token") or ""),
        refresh_expires_at=datetime.fromtimestamp(float(refresh_at), UTC) if refresh_at else None,
        platform_shop_id=str(data.get("owner_id") or ""),
        shop_name=str(data.get("owner_name") or ""),
        raw={k: v for k, v in data.items() if k not in SECRET_FIELDS},
    )


class PddOAuth:
    def __init__(self, retry=None) -> None:
        self.retry = retry

    def _client(self, shop: ShopKeys) -> PddClient:
        base = shop.credentials.get("base_url") or GATEWAY
        return PddClient(shop.app_key, shop.secret, base_url=base, mall_id=shop.platform_shop_id, retry=self.retry)

    def authorize_url(self, shop: ShopKeys, redirect_uri: str, state: str) -> str:
        base = shop.credentials.get("auth_url") or AUTH_URL
        query = {
            "response_type": "code",
            "client_id": shop.app_key,
            "redirect_uri": redirect_uri,
            "state": state,
            "view": "web",
        }
        return f"{base}?{urlencode(query)}"

    async def exchange_code(self, shop: ShopKeys, code: str, redirect_uri: str) -> Grant:
        return grant_from(await self._client(shop).token_call(Api.TOKEN_CREATE, {"code": code}))

    async def refresh(self, shop: ShopKeys) -> Grant:
        token = str(shop.credentials.get("refresh_token") or "")
        if not token:
            raise PlatformError(PLATFORM, str(ErrorCode.REFRESH_INVALID), "no refresh_token stored: authorise again")
        return grant_from(await self._client(shop).token_call(Api.TOKEN_REFRESH, {"refresh_token": token}))
