"""Optional capabilities of a platform adapter, beyond `integrations.contract.PlatformAdapter`.

E-commerce platforms (淘宝天猫, 京东, 拼多多, ...) add what instant retail does not need. An adapter
offers a capability by carrying the attribute (`adapter.oauth`, `adapter.stream`,
`adapter.refund_pull`, `adapter.waybills`) and declaring it in its `PlatformProfile`
(`authorizes`, `streams`, `refunds_pullable`, `waybill_carriers`), so the services and the UI learn
it without importing integrations. `capability(adapter, name)` returns None when it is absent.

Credentials convention for token platforms (`ShopKeys.credentials`, stored encrypted):
`access_token`, `access_token_expires` (epoch seconds), `refresh_token`, `refresh_token_expires`,
`base_url` (the API, e.g. the sandbox) and `auth_url` (the platform's authorize page).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from integrations.base import Token
from integrations.contract import PullWindow, ShopKeys
from qihang_app.domain.platform_order import PlatformRefund


def capability(adapter: Any, name: str) -> Any:
    """The adapter's capability object, or None when the platform has no such service."""
    return getattr(adapter, name, None)


# ---- OAuth (授权) ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grant:
    """A token the platform issued for one shop (from a code, or by refreshing)."""

    access_token: str
    expires_at: datetime  # timezone-aware
    refresh_token: str = ""
    refresh_expires_at: datetime | None = None
    platform_shop_id: str = ""  # whose token this is (seller nick / vender id / mall id)
    shop_name: str = ""
    raw: dict = field(default_factory=dict)  # the platform's answer, without the tokens

    def token(self) -> Token:
        """The token a client hands its saver (with the refresh token, which a refresh may rotate)."""
        refresh_at = self.refresh_expires_at.timestamp() if self.refresh_expires_at else None
        return Token(self.access_token, self.expires_at.timestamp(), self.refresh_token, refresh_at)

    def credentials(self) -> dict[str, Any]:
        """What the OAuth service merges into the shop's stored credentials."""
        out: dict[str, Any] = {
            "access_token": self.access_token,
            "access_token_expires": self.expires_at.timestamp(),
        }
        if self.refresh_token:
            out["refresh_token"] = self.refresh_token
        if self.refresh_expires_at is not None:
            out["refresh_token_expires"] = self.refresh_expires_at.timestamp()
        return out


class OAuthFlow(Protocol):
    """authorize URL → the platform redirects back with a code → token; refresh before expiry."""

    def authorize_url(self, shop: ShopKeys, redirect_uri: str, state: str) -> str: ...

    async def exchange_code(self, shop: ShopKeys, code: str, redirect_uri: str) -> Grant: ...

    async def refresh(self, shop: ShopKeys) -> Grant:
        """A new token from `credentials['refresh_token']`; PlatformError when it was refused."""


# ---- message stream (e.g. Taobao TMC) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamMessage:
    """One message from a long-lived message service, stored in the inbox like a push."""

    kind: str  # inbox.kind, parsed later by `adapter.parse_push(kind, body)`
    body: str  # the message as received (kept raw)
    dedup_key: str  # the platform's message id: a re-delivery is stored once
    shop_key: str  # the platform's shop id (or seller nick) the message is for
    confirm_id: str  # what `confirm` acknowledges once the message is safely stored


class MessageStream(Protocol):
    def messages(self, client: Any, shop: ShopKeys) -> AsyncIterator[list[StreamMessage]]:
        """Batches as they arrive over one connection; returns when the connection closes."""

    async def confirm(self, client: Any, shop: ShopKeys, confirm_ids: list[str]) -> None:
        """Acknowledge stored messages (unconfirmed ones are delivered again)."""


# ---- refund pull ----------------------------------------------------------------------------------


@dataclass(slots=True)
class RefundPage:
    refunds: list[PlatformRefund]
    requests: int = 1


class RefundPull(Protocol):
    def pull(self, client: Any, shop: ShopKeys, window: PullWindow) -> AsyncIterator[RefundPage]:
        """Refunds changed inside the window (the platform's own window and paging rules)."""


# ---- 电子面单 (e-waybill) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    phone: str
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""

    @property
    def full(self) -> str:
        return "".join(p for p in (self.province, self.city, self.district, self.detail) if p)


@dataclass(frozen=True, slots=True)
class WaybillRequest:
    carrier: str  # our express code (qihang_app.domain.express_carriers)
    platform_order_id: str
    object_id: str  # idempotency: asking again with the same id returns the same number
    sender: Address
    receiver: Address  # may be masked: the platform resolves the real one from the order
    items: tuple[tuple[str, int], ...] = ()  # (name, quantity)
    weight_g: int = 0


@dataclass(frozen=True, slots=True)
class Waybill:
    carrier: str  # our express code
    tracking_no: str
    sort_code: str = ""  # 大头笔 / 三段码 printed large on the label
    route_code: str = ""  # 集包地 / package centre
    print_data: dict = field(default_factory=dict)  # the platform's print payload, kept raw


class WaybillService(Protocol):
    """The platform's 电子面单 service (菜鸟 for Taobao, JD's and PDD's own)."""

    async def issue(self, client: Any, request: WaybillRequest) -> Waybill: ...

    async def cancel(self, client: Any, carrier: str, tracking_no: str) -> None:
        """Return an unused number to the merchant's balance."""
