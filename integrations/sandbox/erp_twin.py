"""What every ERP twin keeps: the documents it received (deduped by the ERP's own key), the
rate windows it enforces, and the shipments it produces a configurable delay after an order.

Each twin (integrations/<erp>/twin_api.py) speaks its ERP's wire and keeps its state here, one
`ErpTwinState` per ERP inside the sandbox; `/_control/erp/<erp>/...` reads and steers it.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.routing import Route

from integrations.sandbox.control import _body, handled
from integrations.sandbox.store import SimError
from qihang_app.domain import express_carriers as carriers

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

# Carriers the twins hand out in turn, as (our code, 中文名); each twin writes its ERP's own code.
SHIP_CARRIERS = (("SF", "顺丰速运"), ("ZTO", "中通快递"), ("YTO", "圆通速递"), ("YD", "韵达快递"), ("JT", "极兔速递"))


@dataclass
class ErpDoc:
    account: str  # the ERP account / shop the document belongs to
    key: str  # the ERP's idempotency field (so_id / tid / FBillNo / outer_as_id / refund_no)
    kind: str  # "order" / "after_sale"
    erp_no: str  # the ERP's own number for it (o_id / as_id / FBillNo)
    payload: dict[str, Any]  # as last received
    received_at: float
    pushes: int = 1  # how many times it arrived (the first creates, the rest update)
    cancelled: bool = False
    shipped: bool = False


@dataclass
class ErpShipment:
    id: int  # increasing: doubles as JST's ts and WDT's rec_id
    account: str
    order_key: str
    erp_no: str
    carrier: str  # our carrier code (each twin writes it in its ERP's words)
    carrier_name: str
    tracking_no: str
    shipped_at: float
    lines: list[tuple[str, int]] = field(default_factory=list)  # (sku, qty); empty = whole order
    acked: bool = False


class ErpTwinState:
    def __init__(self, erp: str, *, per_second: int = 0, per_minute: int = 0, ship_delay: float = 5.0) -> None:
        self.erp = erp
        self.per_second = per_second  # 0 = no limit
        self.per_minute = per_minute
        self.ship_delay = ship_delay  # seconds from first receipt to the shipment; < 0: never by itself
        self.accounts: dict[str, dict[str, str]] = {}  # by the ERP's identity key: the keys it issued
        self.docs: dict[tuple[str, str, str], ErpDoc] = {}
        self.shipments: list[ErpShipment] = []
        self.index: dict[tuple[str, ...], str] = {}  # a twin's own lookups (WDT: which tid owns an oid)
        self.answers: Counter[str] = Counter()  # by answer code, for the tests
        self._calls: dict[str, deque[float]] = {}
        self._ids = itertools.count(1)
        self._numbers = itertools.count(1)

    # ---- limits --------------------------------------------------------------------------------

    def over_limit(self, account: str, now: float | None = None) -> str:
        """ "second" / "minute" when this call breaks a window (it is not counted), else ""."""
        now = time.time() if now is None else now
        calls = self._calls.setdefault(account, deque())
        while calls and calls[0] <= now - 60:
            calls.popleft()
        if self.per_second and sum(1 for at in calls if at > now - 1) >= self.per_second:
            return "second"
        if self.per_minute and len(calls) >= self.per_minute:
            return "minute"
        calls.append(now)
        return ""

    # ---- documents -----------------------------------------------------------------------------

    def next_number(self) -> int:
        return next(self._numbers)

    def receive(self, account: str, key: str, kind: str, payload: dict[str, Any], erp_no: str = "") -> ErpDoc:
        """Create the document, or update it when the key is known (the ERP's upsert)."""
        doc = self.docs.get((account, kind, key))
        if doc is None:
            doc = ErpDoc(account, key, kind, erp_no or str(self.next_number()), payload, time.time())
            self.docs[(account, kind, key)] = doc
        else:
            doc.payload, doc.pushes = payload, doc.pushes + 1
        return doc

    def find(self, account: str, kind: str, key: str) -> ErpDoc | None:
        return self.docs.get((account, kind, key))

    # ---- shipments -----------------------------------------------------------------------------

    def ship(
        self, doc: ErpDoc, *, carrier: str = "", tracking_no: str = "", lines: list[tuple[str, int]] | None = None
    ) -> ErpShipment:
        number = next(self._ids)
        known = carriers.carrier(carrier)
        code, name = (known.code, known.name_zh) if known else SHIP_CARRIERS[number % len(SHIP_CARRIERS)]
        shipment = ErpShipment(
            number, doc.account, doc.key, doc.erp_no, code, name,
            tracking_no or f"{code}{7_000_000_000 + number:010d}", time.time(), list(lines or []),
        )  # fmt: skip
        self.shipments.append(shipment)
        doc.shipped = not lines  # a partial shipment leaves the rest to ship
        return shipment

    def tick(self, now: float | None = None) -> None:
        """Ship every order whose delay has passed (called on each poll: no background task)."""
        if self.ship_delay < 0:
            return
        now = time.time() if now is None else now
        for doc in list(self.docs.values()):
            if (
                doc.kind == "order"
                and not doc.shipped
                and not doc.cancelled
                and now >= doc.received_at + self.ship_delay
            ):
                self.ship(doc)

    def view(self) -> dict[str, Any]:
        return {
            "erp": self.erp,
            "settings": {"per_second": self.per_second, "per_minute": self.per_minute, "ship_delay": self.ship_delay},
            "documents": [asdict(d) for d in self.docs.values()],
            "shipments": [asdict(s) for s in self.shipments],
            "answers": dict(self.answers),
        }


def state_of(request: Request, erp: str) -> ErpTwinState:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox.erp_state(erp)


# ---- /_control/erp/<erp>/... -------------------------------------------------------------------


async def read(request: Request) -> dict:
    return state_of(request, request.path_params["erp"]).view()


async def add_account(request: Request) -> dict:
    """{"id": "<the ERP's identity key: app_key / sid / AppID>", "keys": {...}}: issue an account."""
    state, body = state_of(request, request.path_params["erp"]), await _body(request)
    state.accounts[str(body["id"])] = {str(k): str(v) for k, v in dict(body["keys"]).items()}
    return {"id": str(body["id"]), "keys": state.accounts[str(body["id"])]}


async def settings(request: Request) -> dict:
    """{"per_second": 5, "per_minute": 100, "ship_delay": 2.0} (any of them)."""
    state, body = state_of(request, request.path_params["erp"]), await _body(request)
    for name in ("per_second", "per_minute"):
        if name in body:
            setattr(state, name, max(0, int(body[name])))
    if "ship_delay" in body:
        state.ship_delay = float(body["ship_delay"])
    return state.view()["settings"]


async def ship_now(request: Request) -> dict:
    """{"account", "key", "carrier"?: "SF", "tracking_no"?, "lines"?: [["SKU", 1], ...]}"""
    state, body = state_of(request, request.path_params["erp"]), await _body(request)
    doc = state.find(str(body["account"]), "order", str(body["key"]))
    if doc is None or doc.cancelled:
        raise SimError(404, "no such order (or it was cancelled)")
    lines = [(str(sku), int(qty)) for sku, qty in body.get("lines") or []]
    shipment = state.ship(
        doc, carrier=str(body.get("carrier") or ""), tracking_no=str(body.get("tracking_no") or ""), lines=lines
    )
    return asdict(shipment)


routes = [
    Route("/_control/erp/{erp}", handled(read), methods=["GET"]),
    Route("/_control/erp/{erp}/settings", handled(settings), methods=["POST"]),
    Route("/_control/erp/{erp}/accounts", handled(add_account), methods=["POST"]),
    Route("/_control/erp/{erp}/ship", handled(ship_now), methods=["POST"]),
]
