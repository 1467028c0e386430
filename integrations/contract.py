"""The contract every partner adapter implements: platforms, carriers and ERPs.

A platform adapter is one object (see `PlatformAdapter`) that the webhook routes, the workers
(ingest, sweeps, outbox relay, connection tests), the shop form, the demo seed, the sandbox and the
signing tool reach through `integrations.registry`. Nothing outside `integrations/` branches on a
platform's name: it asks the adapter, or the adapter's pure `PlatformProfile` (domain.partners).

Carriers (integrations.carrier_contract) and ERPs (integrations.erp_contract) follow the same idea:
a kind registered once, connected per account.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from integrations.base import PlatformError, RetryPolicy, Token
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    PlatformEvent,
    PlatformOrder,
    PlatformRefund,
    PlatformSku,
)


class Unsupported(PlatformError):
    """The partner has no call for this action: known before any request, never retried."""

    def __init__(self, platform: str, action: str) -> None:
        super().__init__(platform, "unsupported", f"no {platform} call for {action}")
        self.action = action


# ---- what adapters receive -----------------------------------------------------------------------


class ShopKeys(Protocol):
    """A shop's decrypted credentials (services.inbox.ShopAuth satisfies this)."""

    id: int
    platform: str
    platform_shop_id: str
    app_key: str
    secret: str
    credentials: dict


TokenSaver = Callable[[int, Token], Awaitable[None]]


def _float(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """One platform write-back as the outbox row carries it (platform-neutral values)."""

    action: WriteBack
    platform_order_id: str
    idempotency_key: str
    reason_code: str = ""
    reason: str = ""
    delivery_status: DeliveryStatus | None = None
    courier_name: str = ""
    courier_phone: str = ""
    carrier: str = ""
    tracking_no: str = ""
    refund_id: str = ""
    stock: tuple[tuple[str, str, int], ...] = ()  # (platform item id, sku id, quantity)
    sold_out: tuple[tuple[str, str], ...] = ()  # (item id, sku id) now at zero: 售罄 where there is a call
    on_sale: tuple[tuple[str, str], ...] = ()  # back in stock: 上架 again
    # 缺货退款: the lines refunded (platform item id, sku id, quantity) and the money in fen
    refund_lines: tuple[tuple[str, str, int], ...] = ()
    amount_fen: int = 0
    latitude: float | None = None  # the rider's last position (GCJ-02), for delivery statuses
    longitude: float | None = None
    line_ids: tuple[str, ...] = ()  # SHIP of part of an order: the platform line ids in this parcel
    memo: str = ""  # MEMO: the seller memo text
    flag: str = ""  # MEMO: the platform's flag code (PlatformProfile.memo_flags)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], idempotency_key: str) -> WriteRequest:
        status = payload.get("delivery_status")
        return cls(
            action=WriteBack(payload["action"]),
            platform_order_id=str(payload.get("platform_order_id", "")),
            idempotency_key=idempotency_key,
            reason_code=str(payload.get("reason_code") or ""),
            reason=str(payload.get("reason") or ""),
            delivery_status=DeliveryStatus(status) if status else None,
            courier_name=str(payload.get("courier_name") or ""),
            courier_phone=str(payload.get("courier_phone") or ""),
            carrier=str(payload.get("carrier") or ""),
            tracking_no=str(payload.get("tracking_no") or ""),
            refund_id=str(payload.get("refund_id") or ""),
            latitude=_float(payload.get("latitude")),
            longitude=_float(payload.get("longitude")),
            stock=tuple((str(i), str(s), int(q)) for i, s, q in payload.get("stock") or ()),
            sold_out=tuple((str(i), str(s)) for i, s in payload.get("sold_out") or ()),
            on_sale=tuple((str(i), str(s)) for i, s in payload.get("on_sale") or ()),
            refund_lines=tuple((str(i), str(s), int(q)) for i, s, q in payload.get("refund_lines") or ()),
            amount_fen=int(payload.get("amount_fen") or 0),
            line_ids=tuple(str(x) for x in payload.get("line_ids") or ()),
            memo=str(payload.get("memo") or ""),
            flag=str(payload.get("flag") or ""),
        )


# ---- webhooks --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer in the platform's own envelope."""

    status: int
    body: bytes
    media_type: str = "application/json"


@dataclass(slots=True)
class WebhookRequest:
    body: bytes
    text: str  # the body as stored (UTF-8, or base64 when it was not UTF-8)
    headers: Mapping[str, str]
    path_params: Mapping[str, str]
    not_utf8: bool = False


@dataclass(slots=True)
class Inspected:
    """What a route learns from a push before it knows the shop."""

    kind: str  # stored as inbox.kind (push type / event name)
    shop_key: str = ""  # the platform's shop id in the payload
    app_key: str = ""  # the app id in the payload
    dedup_key: str = ""  # the platform's message id: a re-delivery is stored once
    headers: dict[str, Any] = field(default_factory=dict)  # kept with the raw row
    error: str = ""  # malformed: stored `failed` and answered `bad_request`
    refuse: str = ""  # well-formed but not for us: stored `rejected` and answered `rejected`
    immediate: Answer | None = None  # answer at once, store nothing (e.g. an empty URL probe)
    app_only_lookup: bool = False  # the shop may be found by app key alone (URL checks)
    parsed: Any = None  # the spec's own parse of the body, reused by `verify` (parse once)


@dataclass(frozen=True, slots=True)
class Verified:
    ok: bool
    reason: str = ""
    headers: dict[str, Any] = field(default_factory=dict)  # e.g. the URL that was signed
    immediate: Answer | None = None  # e.g. the answer to a URL-check challenge


@dataclass(frozen=True, slots=True)
class ParsedPush:
    events: list[PlatformEvent]
    source: str  # shown in 数据接收: "push order_new", ...


class WebhookSpec(Protocol):
    """One receiving endpoint of a platform. The route is generic; this says what is special."""

    path: str  # starlette path, may carry parameters (e.g. "/api/webhooks/x/{kind:str}")
    methods: tuple[str, ...]

    def inspect(self, request: WebhookRequest) -> Inspected: ...

    def verify(self, request: WebhookRequest, inspected: Inspected, shop: ShopKeys, signed_urls: list[str]) -> Verified:
        """Check the signature with the shop's secret (and the replay window)."""

    def reverify(self, body: str, headers: Mapping[str, Any], shop: ShopKeys) -> str:
        """A replayed rejected row: '' when today's credentials verify it (no time window)."""

    def ack(self) -> Answer: ...

    def rejected(self, reason: str, *, unknown_shop: bool) -> Answer: ...

    def bad_request(self, reason: str) -> Answer: ...


# ---- pulls -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PullWindow:
    start: datetime
    end: datetime
    sweep: bool  # True: the cron sweep (skip what is known); False: a manual pull re-reads all


class PullLookups(Protocol):
    """What a pull may ask the OMS (answered by the worker from the database)."""

    async def known_day_seqs(self, since: datetime, until: datetime) -> set[int]: ...

    async def open_order_ids(self, since: datetime, limit: int) -> list[str]: ...


@dataclass(slots=True)
class PullPage:
    orders: list[dict]  # raw order details, each mapped by `map_order`
    requests: int = 1  # API calls this page cost (shown as 页数 in the pull log)


@dataclass(slots=True)
class ProductPage:
    """One page of a shop's product list, every SKU mapped (money in fen)."""

    skus: list[PlatformSku]
    requests: int = 1
    total: int | None = None  # SKUs in the whole list, when the platform says


# ---- sandbox twin ------------------------------------------------------------------------------------


class SandboxTwin(Protocol):
    """The platform's double inside the loopback sandbox (integrations.sandbox hosts every twin)."""

    platform: str
    demo_shop: dict  # shop_id, name, app_id, secret, lat, lng of the demo shop

    def routes(self) -> list: ...  # starlette routes of the platform's API

    def new_shop_ids(self, number: int) -> tuple[str, str]: ...  # (shop id, app id)

    def order_id(self, rng) -> str: ...

    def item_ids(self, rng, index: int, sku: str) -> tuple[str, str]: ...  # (item id, sku id)

    def receiver_phone(self, rng) -> str: ...

    def push_for(self, order, shop, event: str, details: dict) -> tuple[str, dict] | None: ...

    def callback_url(self, shop, push_type: str) -> str: ...

    def encode_push(self, url: str, push_type: str, payload: dict, shop) -> tuple[bytes, dict[str, str]]: ...

    def delivered(self, response) -> bool: ...  # did the receiver accept the push

    def oms_credentials(self, shop, sandbox_url: str) -> dict: ...  # what the shop form stores


# ---- the platform adapter ----------------------------------------------------------------------------


@runtime_checkable
class PlatformAdapter(Protocol):
    profile: PlatformProfile
    webhooks: tuple[WebhookSpec, ...]
    # The platform's own error codes that mean "slow down" / "credentials are wrong".
    rate_limit_codes: frozenset[int]
    credential_codes: frozenset[int]

    def client(self, shop: ShopKeys, *, on_token: TokenSaver | None = None, retry: RetryPolicy | None = None) -> Any:
        """An API client for the shop (credentials may carry `base_url`, e.g. the sandbox)."""

    def credentials_fingerprint(self, shop: ShopKeys) -> tuple:
        """What, when changed, needs a new client."""

    def parse_push(self, kind: str, body: str) -> ParsedPush: ...

    def map_order(self, raw: dict) -> PlatformOrder: ...

    async def fetch_order(self, client: Any, order_id: str) -> dict: ...

    def pull(
        self, client: Any, shop: ShopKeys, window: PullWindow, lookups: PullLookups
    ) -> AsyncIterator[PullPage]: ...

    def pull_products(self, client: Any, shop: ShopKeys) -> AsyncIterator[ProductPage]:
        """Every SKU of the shop's product list (店铺商品), page by page."""

    async def write_back(self, client: Any, request: WriteRequest) -> None:
        """Perform one declared write-back; raises Unsupported for anything undeclared."""

    async def fetch_refunds(self, client: Any, order_id: str) -> list[PlatformRefund]:
        """The platform's refund query for one order (sweeps recover refunds whose push was
        lost); [] when the order has none. Raises Unsupported when the platform has no query."""

    async def check_connection(self, client: Any, shop: ShopKeys) -> tuple[str, dict]:
        """One cheap authenticated read: (i18n key, params) of the success message."""

    def sign(self, secret: str, *, params: dict | None, body: bytes | None, url: str | None) -> tuple[str, str]:
        """(signature, the string that was hashed) — for `python -m integrations.sign`."""

    def twin(self) -> SandboxTwin: ...


def check_declared(adapter: PlatformAdapter, request: WriteRequest) -> None:
    """Refuse an undeclared write-back before any I/O."""
    if not adapter.profile.supports(request.action):
        raise Unsupported(adapter.profile.code, request.action.value)


# The carrier contract lives in integrations.carrier_contract, the ERP contract in
# integrations.erp_contract; e-commerce capabilities (OAuth, message stream, refund pull, 电子面单)
# in integrations.ecommerce_contract.
