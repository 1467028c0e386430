"""Shop credentials for webhooks and workers: which shop a payload belongs to, and the keys to
verify it and to call the platform. Secrets are decrypted here and never reach the UI."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from qihang_app.models import Shop

from .stores import get_shop_credentials


@dataclass(frozen=True)
class ShopAuth:
    """What a webhook or worker needs to verify and call for one shop. Holds secrets: never UI."""

    id: int
    store_id: int
    platform: str
    platform_shop_id: str
    enabled: bool
    credentials: dict

    @property
    def app_key(self) -> str:
        c = self.credentials
        return str(c.get("app_key") or c.get("app_id") or c.get("client_key") or "")

    @property
    def secret(self) -> str:
        c = self.credentials
        return str(c.get("app_secret") or c.get("client_secret") or "")

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return f"ShopAuth(id={self.id}, platform={self.platform!r}, shop={self.platform_shop_id!r})"


def webhook_shops(session: Session, *, platform: str) -> list[ShopAuth]:
    """Every shop of a platform with decrypted credentials (webhooks cache this briefly)."""
    shops = session.exec(select(Shop).where(Shop.platform == platform).order_by(Shop.id)).all()
    result = []
    for shop in shops:
        try:  # (the shop is in the identity map: no second query)
            credentials = get_shop_credentials(session, shop_id=shop.id)
        except Exception:  # a shop with unreadable credentials cannot verify anything
            credentials = {}
        result.append(
            ShopAuth(
                id=shop.id,
                store_id=shop.store_id,
                platform=shop.platform,
                platform_shop_id=shop.platform_shop_id,
                enabled=shop.enabled,
                credentials=credentials,
            )
        )
    return result


def shop_auth(session: Session, *, shop_id: int) -> ShopAuth | None:
    shop = session.get(Shop, shop_id)
    if shop is None:
        return None
    return ShopAuth(
        id=shop.id,
        store_id=shop.store_id,
        platform=shop.platform,
        platform_shop_id=shop.platform_shop_id,
        enabled=shop.enabled,
        credentials=get_shop_credentials(session, shop_id=shop.id),
    )
