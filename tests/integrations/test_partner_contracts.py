"""The carrier and ERP contracts, each with a test implementation over real loopback HTTP, so the
issues that add 达达 / 顺丰同城 / 聚水潭 … fill in the same shape: registered once, idempotent
create / push, signed callbacks verified before they are parsed."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations import registry
from integrations.carrier_base import CarrierAdapterBase, CarrierKindBase
from integrations.carrier_contract import (
    Account,
    Booking,
    CarrierAdapter,
    CarrierKind,
    DeliveryOrder,
    Quote,
    RiderUpdate,
    Unsupported,
)
from integrations.erp_contract import AfterSaleResult, ErpAdapter, Shipment
from integrations.sandbox.server import ServerThread
from qihang_app.domain.platform_order import DeliveryStatus

SECRET = b"partner-secret"


def _sig(body: bytes) -> str:
    return hmac.new(SECRET, body, hashlib.sha256).hexdigest()


class PartnerServer:
    """Both partners' far side: books riders and takes orders, once per idempotency key."""

    def __init__(self) -> None:
        self.bookings: dict[str, str] = {}
        self.documents: dict[str, str] = {}
        self.calls: list[str] = []

    async def book(self, request: Request) -> JSONResponse:
        key = request.headers["idempotency-key"]
        self.calls.append("book")
        self.bookings.setdefault(key, f"RIDE{len(self.bookings) + 1:04d}")
        return JSONResponse({"id": self.bookings[key]})

    async def quote(self, request: Request) -> JSONResponse:
        return JSONResponse({"fee": 650, "distance": 2300, "eta": 28})

    async def order(self, request: Request) -> JSONResponse:
        key = request.headers["idempotency-key"]
        self.calls.append("order")
        self.documents.setdefault(key, f"ERP{len(self.documents) + 1:05d}")
        return JSONResponse({"doc": self.documents[key]})

    async def shipments(self, request: Request) -> JSONResponse:
        return JSONResponse([{"ref": "QH1", "carrier": "SF", "no": "SF1234567890"}])

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/book", self.book, methods=["POST"]),
                Route("/quote", self.quote, methods=["POST"]),
                Route("/orders", self.order, methods=["POST"]),
                Route("/shipments", self.shipments, methods=["GET"]),
            ]
        )


class LoopbackCarrier(CarrierAdapterBase):
    async def _post(self, path: str, body: dict, key: str = "") -> dict:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            answer = await http.post(self.base_url + path, json=body, headers={"Idempotency-Key": key} if key else {})
        return answer.json()

    async def quote(self, order: DeliveryOrder) -> Quote:
        data = await self._post("/quote", {"ref": order.order_ref})
        return Quote(self.code, data["fee"], data["distance"], data["eta"])

    async def create(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        return Booking((await self._post("/book", {"ref": order.order_ref}, idempotency_key))["id"])

    async def cancel(self, carrier_order_id: str, *, reason: str, reason_code: str = "") -> None:
        return None

    def verify_callback(self, body: bytes, headers, query) -> bool:
        return hmac.compare_digest(headers.get("x-sign", ""), _sig(body))

    def parse_callback(self, body: bytes) -> RiderUpdate:
        data = json.loads(body)
        states = {"picked": DeliveryStatus.DELIVERING, "done": DeliveryStatus.DELIVERED}
        return RiderUpdate(
            order_ref=data["ref"],
            carrier_order_id=data["id"],
            status=states[data["state"]],
            rider_name=data.get("rider", ""),
            rider_phone=data.get("phone", ""),
        )


class LoopbackKind(CarrierKindBase):
    code, name_zh, name_en = "loopback_riders", "测试跑腿", "Test riders"
    fields = ()
    has_balance, tips = False, False
    adapter = LoopbackCarrier


class LoopbackErp:
    code, name_zh, name_en = "loopback_erp", "测试ERP", "Test ERP"

    def __init__(self, url: str) -> None:
        self.url = url

    async def push_order(self, order, *, idempotency_key: str) -> str:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            answer = await http.post(
                self.url + "/orders", json=dict(order), headers={"Idempotency-Key": idempotency_key}
            )
        return answer.json()["doc"]

    async def cancel_order(self, order_ref: str, *, reason: str, idempotency_key: str) -> None:
        return None

    async def push_after_sale(self, after_sale, *, idempotency_key: str) -> str:
        return await self.push_order(after_sale, idempotency_key=idempotency_key)

    async def fetch_shipments(self, since: datetime) -> list[Shipment]:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            rows = (await http.get(self.url + "/shipments")).json()
        return [Shipment(r["ref"], r["carrier"], r["no"]) for r in rows]

    def verify_callback(self, body: bytes, headers) -> bool:
        return hmac.compare_digest(headers.get("x-sign", ""), _sig(body))

    def parse_callback(self, body: bytes) -> list[Shipment | AfterSaleResult]:
        data = json.loads(body)
        return [AfterSaleResult(r["ref"], r["outcome"]) for r in data["results"]]


@pytest.fixture
def partner():
    server = PartnerServer()
    with ServerThread(server.app()) as running:
        server.url = running.url
        yield server
    registry.unregister_carrier(LoopbackKind.code)


DELIVERY = DeliveryOrder(
    order_ref="QH1",
    store_ref="S1",
    pickup_address="南京西路 1 号",
    pickup_lat=31.229,
    pickup_lng=121.448,
    receiver_name="林女士",
    receiver_phone="13800001234",
    receiver_address="衡山路 1 号",
    receiver_lat=31.21,
    receiver_lng=121.44,
    value_fen=5970,
)


async def test_a_carrier_on_the_contract(partner):
    kind: CarrierKind = registry.register_carrier(LoopbackKind())
    assert registry.carrier("loopback_riders") is kind  # a kind is registered once ...
    carrier: CarrierAdapter = kind.connect(Account(kind.code, {}, base_url=partner.url))  # ... connected per account
    assert (await carrier.quote(DELIVERY)).fee_fen == 650
    first = await carrier.create(DELIVERY, idempotency_key="ride:QH1")
    again = await carrier.create(DELIVERY, idempotency_key="ride:QH1")  # a retried job
    assert first == again == Booking("RIDE0001") and len(partner.bookings) == 1
    body = json.dumps({"ref": "QH1", "id": first.carrier_order_id, "state": "picked", "rider": "王师傅"}).encode()
    assert not carrier.verify_callback(body, {"x-sign": "0" * 64}, {})
    assert carrier.verify_callback(body, {"x-sign": _sig(body)}, {})
    update = carrier.parse_callback(body)
    assert update.status is DeliveryStatus.DELIVERING and update.rider_name == "王师傅"
    with pytest.raises(Unsupported):  # a call the kind does not offer is refused before any request
        await carrier.add_tip(first.carrier_order_id, tip_fen=200)
    assert await kind.check_connection(Account(kind.code, {}, base_url="http://127.0.0.1:9")) == (
        "carrier.test.failed",
        {"reason": "i18n:" + '{"k":"carrier_err.unsupported","p":{"carrier":{"en":"Test riders","zh":"测试跑腿"}}}'},
    )


async def test_an_erp_on_the_contract(partner):
    erp: ErpAdapter = LoopbackErp(partner.url)  # one connection (kinds are registered, not adapters)
    doc = await erp.push_order({"ref": "QH1"}, idempotency_key="erp:order:QH1")
    assert doc == await erp.push_order({"ref": "QH1"}, idempotency_key="erp:order:QH1")
    assert len(partner.documents) == 1
    (shipment,) = await erp.fetch_shipments(datetime.now(UTC))
    assert shipment.tracking_no == "SF1234567890"
    body = json.dumps({"results": [{"ref": "AS1", "outcome": "resend"}]}).encode()
    assert erp.verify_callback(body, {"x-sign": _sig(body)})
    assert erp.parse_callback(body) == [AfterSaleResult("AS1", "resend")]
