"""The carrier contract (instant delivery): a kind of carrier is registered once and connected per
carrier account of a store.

`CarrierKind` says what the carrier offers (balance, tips, re-dispatch, callbacks) and drives the
account form; `connect(account)` gives the `CarrierAdapter` that quotes, books, cancels, tips and
reads balance for that account, and verifies and parses the carrier's status callbacks into one
`RiderUpdate` in the unified rider state. Coordinates are GCJ-02 and money is int fen on this side
of the contract; each adapter converts at its edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from integrations.contract import Unsupported  # noqa: F401  (adapters raise it for a missing call)
from integrations.erp_contract import ErpField
from qihang_app.domain.platform_order import DeliveryStatus

# An account form field has the same shape as an ERP connection's (name, labels, secret, hint).
CarrierField = ErpField


@dataclass(frozen=True, slots=True)
class DeliveryOrder:
    """What a carrier needs to carry one order (coordinates in GCJ-02, money in fen)."""

    # Our id of this dispatch as the carrier sees it: a create is idempotent on it, so calling the
    # same carrier again after a cancel needs a new ref (e.g. a "-2" suffix) unless kind.redispatch.
    order_ref: str
    store_ref: str  # the carrier's id of our store, where it has one
    pickup_address: str
    pickup_lat: float
    pickup_lng: float
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    receiver_lat: float
    receiver_lng: float
    value_fen: int
    weight_g: int = 1000
    note: str = ""
    city: str = "上海"  # name of the city (carriers price and dispatch per city)
    city_code: str = "021"
    callback_url: str = ""  # where to send status callbacks, for carriers that take it per order
    tip_fen: int = 0


@dataclass(frozen=True, slots=True)
class Quote:
    carrier: str
    fee_fen: int
    distance_m: int
    eta_minutes: int
    quote_ref: str = ""  # some carriers book against a quote id


@dataclass(frozen=True, slots=True)
class Booking:
    """A booked ride: the carrier's order id and what it will charge (fen)."""

    carrier_order_id: str
    fee_fen: int = 0
    distance_m: int = 0


@dataclass(frozen=True, slots=True)
class RiderUpdate:
    """One status callback of a carrier, mapped to the unified rider state."""

    order_ref: str
    carrier_order_id: str
    status: DeliveryStatus
    rider_name: str = ""
    rider_phone: str = ""
    lat: float | None = None  # GCJ-02
    lng: float | None = None
    reason: str = ""
    at: datetime | None = None
    carrier_status: str = ""  # the carrier's own code, kept for the timeline and support
    reassigned: bool = False  # another rider took the order over (the state may go back)


class CarrierKeys(Protocol):
    """One carrier account of a store with its decrypted keys (the services' account row)."""

    id: int
    carrier: str  # the CarrierKind's code
    base_url: str
    keys: Mapping[str, str]  # by CarrierField.name
    callback_url: str  # where the OMS takes this carrier's callbacks ('' when configured at the carrier)


class CarrierAdapter(Protocol):
    """One carrier account: what dispatch calls. Every failure is a PlatformError."""

    code: str
    name_zh: str
    name_en: str

    async def quote(self, order: DeliveryOrder) -> Quote: ...

    async def create(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        """Book a rider; a repeat for the same order_ref returns the same booking."""

    async def redispatch(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        """Publish a cancelled or expired order again (`Unsupported` where the carrier has no call)."""

    async def cancel(self, carrier_order_id: str, *, reason: str, reason_code: str = "") -> None: ...

    async def add_tip(self, carrier_order_id: str, *, tip_fen: int) -> None: ...

    async def balance(self) -> int:
        """The account's balance in fen (Unsupported where the carrier shows none)."""

    async def status(self, carrier_order_id: str) -> RiderUpdate:
        """Ask the carrier where a ride is (when callbacks are lost): the same RiderUpdate a callback
        gives, with the rider's position where the carrier tells it (Unsupported where it has no query)."""

    def verify_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool: ...

    def parse_callback(self, body: bytes) -> RiderUpdate: ...


class CarrierTwin(Protocol):
    """The carrier's double inside the loopback sandbox: verifies signatures as the carrier does,
    books rides on the shared rider desk (integrations.sandbox.riders) and sends signed callbacks."""

    carrier: str
    prefix: str  # where its API is mounted in the sandbox
    demo_account: dict[str, Any]  # key, secret, shop, balance_fen of the demo account

    def routes(self) -> list: ...  # starlette routes of the carrier's API

    def account_keys(self, account: Any, sandbox_url: str) -> dict[str, str]: ...  # what the form stores

    def encode_callback(self, ride: Any, account: Any, event: str, at: float) -> tuple[str, bytes, dict[str, str]]:
        """(url, body, headers) of the status callback for one rider event, signed."""

    def delivered(self, status: int, body: bytes) -> bool: ...  # did the OMS accept the callback


class CarrierKind(Protocol):
    """A kind of carrier (达达, 顺丰同城, 闪送, 美团跑腿): registered once, connected per account.

    `check_connection` answers 测试连接 with (i18n key, params) and never raises; `sign` gives
    the carrier's signature over request parameters (or a raw body) and the string that was hashed.
    """

    code: str
    name_zh: str
    name_en: str
    fields: tuple[CarrierField, ...]
    default_url: str
    has_balance: bool
    tips: bool
    redispatch: bool  # can publish a cancelled or expired order again
    callbacks: bool  # status arrives by callback (else by polling)
    rate_limit_codes: frozenset[str]
    balance_codes: frozenset[str]  # "the balance is too low"
    no_rider_codes: frozenset[str]  # "no rider can take it" (capacity, hours, distance)
    credential_codes: frozenset[str]
    callback_ack: dict[str, Any]  # the body that tells the carrier a callback was taken
    callback_refused: dict[str, Any]  # … and that it was not (bad signature): it may retry

    def connect(self, account: CarrierKeys, http: Any = None) -> CarrierAdapter: ...

    async def check_connection(self, account: CarrierKeys, http: Any = None) -> tuple[str, dict[str, Any]]: ...

    def sign(self, secret: str, params: Mapping[str, str], body: bytes | None = None) -> tuple[str, str]: ...

    def twin(self) -> CarrierTwin: ...


@dataclass(frozen=True, slots=True)
class Account:
    """A plain CarrierKeys (tests, the signing tool, the demo)."""

    carrier: str
    keys: Mapping[str, str]
    base_url: str = ""
    callback_url: str = ""
    id: int = 0
