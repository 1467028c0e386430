"""What every carrier kind and adapter shares: connecting an account, 测试连接 in plain words, the
calls a carrier lacks (refused before any request), the carrier's own errors as PlatformError."""

from __future__ import annotations

from typing import Any

from integrations.base import PlatformError, RetryPolicy
from integrations.carrier_contract import Booking, CarrierField, CarrierKeys, DeliveryOrder, RiderUpdate, Unsupported
from integrations.carrier_http import CarrierCaller, carrier_error
from qihang_app.domain.money import fen_to_yuan_str


def estimate_minutes(distance_m: int) -> int:
    """Minutes to delivery where a carrier quotes none: about 20 to accept and pick up, then
    250 m a minute on the road."""
    return 20 + max(0, distance_m) // 250


class CarrierAdapterBase:
    """One account of one carrier. Subclasses implement the carrier's calls."""

    def __init__(self, kind: CarrierKindBase, account: CarrierKeys, http: Any = None, retry: RetryPolicy | None = None):
        self.kind = kind
        self.code, self.name_zh, self.name_en = kind.code, kind.name_zh, kind.name_en
        self.account = account
        self.keys = account.keys
        missing = [f.name for f in kind.fields if f.required and not str(account.keys.get(f.name) or "").strip()]
        if missing:
            raise PlatformError(kind.code, "missing_keys", f"missing {', '.join(missing)}")
        self.base_url = (account.base_url or kind.default_url).rstrip("/")
        self.caller = CarrierCaller(kind.code, str(account.id or ""), http=http, retry=retry)

    def error(self, code: object, message: str) -> PlatformError:
        return carrier_error(self.code, code, message, self.kind.rate_limit_codes)

    async def redispatch(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        raise Unsupported(self.code, "redispatch")

    async def add_tip(self, carrier_order_id: str, *, tip_fen: int) -> None:
        raise Unsupported(self.code, "add_tip")

    async def balance(self) -> int:
        raise Unsupported(self.code, "balance")

    async def status(self, carrier_order_id: str) -> RiderUpdate:
        raise Unsupported(self.code, "status")

    async def probe(self) -> None:
        """One cheap authenticated call (测试连接 of carriers without a balance)."""
        await self.balance()


class CarrierKindBase:
    """A carrier registered once; `adapter` is the class `connect` builds per account."""

    code = ""
    name_zh = ""
    name_en = ""
    fields: tuple[CarrierField, ...] = ()
    default_url = ""
    has_balance = True
    tips = True
    redispatch = False
    callbacks = True
    rate_limit_codes: frozenset[str] = frozenset()
    balance_codes: frozenset[str] = frozenset()
    no_rider_codes: frozenset[str] = frozenset()
    credential_codes: frozenset[str] = frozenset()
    adapter: type[CarrierAdapterBase] = CarrierAdapterBase
    # What the carrier expects back from a status callback: taken, and refused (it retries).
    callback_ack: dict[str, Any] = {"code": 0, "msg": "ok"}
    callback_refused: dict[str, Any] = {"code": 1, "msg": "refused"}

    def connect(self, account: CarrierKeys, http: Any = None, retry: RetryPolicy | None = None) -> Any:
        return self.adapter(self, account, http, retry)

    async def check_connection(self, account: CarrierKeys, http: Any = None) -> tuple[str, dict[str, Any]]:
        from integrations.errors import plain_error  # errors reads the registry, which imports the kinds

        try:
            adapter = self.connect(account, http)
            if self.has_balance:
                return "carrier.test.ok_balance", {"balance": fen_to_yuan_str(await adapter.balance())}
            await adapter.probe()
            return "carrier.test.ok", {}
        except PlatformError as exc:
            if exc.code == "missing_keys":
                return "carrier.test.missing_keys", {}
            return "carrier.test.failed", {"reason": plain_error(exc)}
