"""The ERP contract: a kind of ERP is registered once and connected per ERP connection row.

The outbox relay pushes orders, cancels and after-sales through `ErpAdapter`; shipments come back
by `fetch_shipments` (polling ERPs) or on our inbound API (`parse_callback`).

A failed call raises `integrations.base.PlatformError(erp, code, message, retryable=...)`: the
relay retries the retryable ones. A rate-limit answer is `integrations.erp_base.RateLimited`
(retryable, `retry_after` seconds: come back no sooner); an order the ERP cannot take as shaped is
code "bad_order", an event the ERP's API lacks is "unsupported" (both final).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NotRequired, Protocol, TypedDict

# ---- ERPs --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    """Part of a shipment: which of the order's lines, and how many (a partial shipment)."""

    sku: str  # the line's ERP SKU code as pushed ("" when the ERP names only the line)
    quantity: int  # 0: all of that line (旺店通 names shipped lines, not quantities)
    line_no: str = ""  # our line id as pushed, when the ERP names it


@dataclass(frozen=True, slots=True)
class Shipment:
    """A shipment the ERP reports for one of our orders."""

    order_ref: str  # the order number as pushed
    carrier: str  # the carrier's code in our carrier list (the adapter maps the ERP's own)
    tracking_no: str
    shipped_at: datetime | None = None
    lines: tuple[ShipmentLine, ...] = ()  # empty: the whole order
    ack_ref: str = ""  # what the adapter needs to acknowledge it (WDT's rec_id); empty when none


@dataclass(frozen=True, slots=True)
class AfterSaleResult:
    after_sale_ref: str
    outcome: str  # "resend" 补发 / "exchange" 换货 / "return" 退货 / "refund_only"
    tracking_no: str = ""
    note: str = ""
    carrier: str = ""  # our carrier code of the replacement parcel (补发 / 换货), when known


@dataclass(frozen=True, slots=True)
class ErpField:
    """One credential or setting an ERP connection needs (drives the connection form)."""

    name: str  # key in ErpKeys.keys
    label_zh: str
    label_en: str
    secret: bool = False  # stored encrypted, never shown again
    required: bool = True
    hint_zh: str = ""
    hint_en: str = ""


class ErpOrderLine(TypedDict):
    line_no: str  # our line id, unique within the order (JST outer_oi_id, WDT oid suffix)
    sku: str  # the ERP's SKU code (from the SKU link)
    name: str
    quantity: int
    price_fen: int  # unit price actually charged, tax included
    amount_fen: int  # what the line costs after discounts


class ErpOrder(TypedDict):
    """What `push_order` takes: one order, money in fen (each adapter converts to 元)."""

    order_no: str  # our order number: the ERP's idempotency key (so_id / tid / FBillNo)
    created_at: datetime
    paid_at: NotRequired[datetime | None]  # None: not paid yet
    customer_code: str  # the ERP customer the buyer maps to (account mapping)
    buyer_name: NotRequired[str]
    receiver_name: str
    receiver_phone: str
    province: NotRequired[str]
    city: NotRequired[str]
    district: NotRequired[str]
    address: str  # the street part (the full address when province/city/district are empty)
    lines: list[ErpOrderLine]
    total_fen: int  # what the buyer pays, freight included
    freight_fen: NotRequired[int]
    paid_fen: NotRequired[int]
    buyer_note: NotRequired[str]
    seller_note: NotRequired[str]


class ErpAfterSale(TypedDict):
    """What `push_after_sale` takes."""

    after_sale_no: str  # our after-sale number: the ERP's idempotency key (outer_as_id / refund_no)
    order_no: str  # the order as pushed
    kind: str  # "refund_only" / "return" / "resend" / "exchange" (as AfterSaleResult.outcome)
    refund_fen: int
    reason: NotRequired[str]
    created_at: NotRequired[datetime]
    lines: list[dict[str, Any]]  # {"line_no", "sku", "quantity", "amount_fen"}
    return_carrier: NotRequired[str]  # our carrier code of the buyer's return parcel
    return_tracking_no: NotRequired[str]


class ErpKeys(Protocol):
    """One ERP connection with its decrypted keys (the services' connection row satisfies this)."""

    id: int
    erp: str  # the ErpKind's code
    base_url: str
    keys: Mapping[str, str]  # by ErpField.name


class ErpAdapter(Protocol):
    """One connection to one ERP: what the outbox relay, the shipment poll and the API routes call."""

    code: str
    name_zh: str
    name_en: str

    async def push_order(self, order: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Send one order; returns the ERP's document number (the same for a repeated key)."""

    async def cancel_order(
        self, order_ref: str, *, reason: str, idempotency_key: str, order: Mapping[str, Any] | None = None
    ) -> None:
        """Cancel the order pushed as `order_ref`. ERPs that cancel by pushing the order again in a
        closed state (旺店通) use `order` (the ErpOrder as pushed) when given."""

    async def push_after_sale(self, after_sale: Mapping[str, Any], *, idempotency_key: str) -> str: ...

    async def fetch_shipments(self, since: datetime) -> list[Shipment]: ...

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> bool: ...

    def parse_callback(self, body: bytes) -> list[Shipment | AfterSaleResult]: ...


class ErpTwin(Protocol):
    """The ERP's double inside the loopback sandbox: verifies signatures and enforces limits as the
    ERP does, stores what it received, and produces shipments after a delay."""

    erp: str
    demo_keys: dict[str, str]  # the demo connection's keys, by ErpField.name

    def routes(self) -> list: ...  # starlette routes of the ERP's API, mounted by the sandbox

    def new_state(self) -> Any: ...  # its integrations.sandbox.erp_twin.ErpTwinState, with the ERP's limits


class ErpKind(Protocol):
    """A kind of ERP (our own signed API, 聚水潭, 旺店通, 金蝶云星空): registered once, connected per row.

    `connect` builds the `ErpAdapter` for one connection; `check_connection` answers 测试连接 with an
    i18n key and params (never raises); `ack_shipments` confirms polled shipments where the ERP
    wants it (WDT's logistics_sync_ack), a no-op elsewhere; `twin()` is its sandbox twin.
    """

    code: str
    name_zh: str
    name_en: str
    fields: tuple[ErpField, ...]
    default_url: str
    events: frozenset[str]  # which of "order", "cancel", "after_sale" its API takes
    polls_shipments: bool  # shipments come by polling (else they arrive on our inbound API)
    rate_limit_codes: frozenset[str]

    def connect(self, conn: ErpKeys, http: Any = None) -> ErpAdapter: ...

    async def check_connection(self, conn: ErpKeys) -> tuple[str, dict[str, Any]]: ...

    async def ack_shipments(self, conn: ErpKeys, shipments: list[Shipment]) -> None: ...

    def sign(self, secret: str, params: Mapping[str, Any]) -> str:
        """The ERP's signature over a request's parameters (the signing tool prints it)."""

    def twin(self) -> ErpTwin: ...
