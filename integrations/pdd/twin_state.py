"""What PDD's twin remembers beside the shared sandbox store: OAuth codes and tokens, seller
notes, 电子面单 numbers, which shops lack the decrypt permission."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from integrations.pdd.spec import ACCESS_TOKEN_TTL, PLATFORM, REFRESH_TOKEN_TTL
from integrations.sandbox.store import IssuedToken, Shop

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

CODE_TTL = 600


@dataclass
class PddState:
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # code → (shop id, expires)
    token_shop: dict[str, str] = field(default_factory=dict)  # issued access token → shop id
    refresh: dict[str, tuple[str, float]] = field(default_factory=dict)  # refresh token → (shop, expires)
    expired_standing: set[str] = field(default_factory=set)  # standing tokens a fault expired
    notes: dict[str, dict] = field(default_factory=dict)  # order_sn → {note, tag, tag_name}
    waybills: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # (shop, wp, object) → bill
    no_decrypt: set[str] = field(default_factory=set)  # shop ids without the decrypt permission
    serial: int = 0


def state(sandbox: Sandbox) -> PddState:
    found = getattr(sandbox, "pdd_twin_state", None)
    if found is None:
        found = sandbox.pdd_twin_state = PddState()
    return found


def _mac(shop: Shop, kind: str) -> str:
    return hmac.new(shop.secret.encode(), f"{kind}:{shop.shop_id}".encode(), hashlib.sha256).hexdigest()[:24]


def standing_tokens(shop: Shop) -> tuple[str, str]:
    """(access, refresh) pre-issued for a shop, derived from its secret, so the demo shop works
    without clicking through OAuth and the twin can check them without having issued them."""
    return f"pdds.{shop.shop_id}.{_mac(shop, 'access')}", f"pddr.{shop.shop_id}.{_mac(shop, 'refresh')}"


def standing_shop(sandbox: Sandbox, token: str, prefix: str) -> Shop | None:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != prefix:
        return None
    shop = sandbox.store.shops.get((PLATFORM, parts[1]))
    kind = "access" if prefix == "pdds" else "refresh"
    return shop if shop is not None and hmac.compare_digest(parts[2], _mac(shop, kind)) else None


def issue(sandbox: Sandbox, shop: Shop, *, refresh_token: str = "") -> dict:
    """A new access token (and a refresh token unless one is kept) as the token APIs answer."""
    st, now = state(sandbox), time.time()
    access = "pdda." + secrets.token_hex(20)
    sandbox.store.tokens[access] = IssuedToken(access, shop.app_id, now + ACCESS_TOKEN_TTL)
    st.token_shop[access] = shop.shop_id
    if not refresh_token:
        refresh_token = "pddr." + secrets.token_hex(20)
        st.refresh[refresh_token] = (shop.shop_id, now + REFRESH_TOKEN_TTL)
    refresh_expires = st.refresh.get(refresh_token, (shop.shop_id, now + REFRESH_TOKEN_TTL))[1]
    return {
        "access_token": access,
        "expires_in": ACCESS_TOKEN_TTL,
        "expires_at": int(now + ACCESS_TOKEN_TTL),
        "refresh_token": refresh_token,
        "refresh_token_expires_in": int(refresh_expires - now),
        "refresh_token_expires_at": int(refresh_expires),
        "owner_id": shop.shop_id,
        "owner_name": shop.name,
        "scope": ["pdd.order.*", "pdd.refund.*", "pdd.goods.*", "pdd.logistics.*", "pdd.waybill.*"],
    }
