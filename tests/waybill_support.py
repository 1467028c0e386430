"""A test-only e-commerce platform ("纸鸢商城") with a 电子面单 service, split shipments and a
seller memo, served by a tiny Starlette app on 127.0.0.1. Nothing outside the tests knows it."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import httpx
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations import registry
from integrations.base import PlatformError
from integrations.contract import WriteRequest, check_declared
from integrations.ecommerce_contract import Waybill, WaybillRequest
from integrations.sandbox.server import ServerThread
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.models import Order, OrderLine, Store, utcnow
from qihang_app.services import stores as store_service

CODE = "kite_mall"
FLAGS = {"1": ("红旗", "Red"), "4": ("蓝旗", "Blue")}


class KitePlatform:
    """The platform's side: issues numbers (one per object id), takes cancels and write-backs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.numbers: dict[str, str] = {}  # object id → tracking number
        self.issue_calls = 0
        self.cancelled: list[str] = []
        self.writes: list[dict] = []
        self.url = ""

    async def issue(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            self.issue_calls += 1
            if body["receiver"]["name"] == "拒收":  # the platform refuses this one order
                return JSONResponse({"ok": False, "code": "isv.address-invalid", "msg": "收件地址不可达"})
            number = self.numbers.setdefault(body["object_id"], f"KT{7700000000 + len(self.numbers) + 1}")
        return JSONResponse(
            {
                "ok": True,
                "tracking_no": number,
                "sort_code": "571-A12 03",
                "route_code": "杭州转运中心",
                "print": {"v": 1},
            }
        )

    async def cancel(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            self.cancelled.append(body["tracking_no"])
        return JSONResponse({"ok": True})

    async def write(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            self.writes.append({**body, "key": request.headers.get("Idempotency-Key", "")})
        return JSONResponse({"ok": True})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/waybill/issue", self.issue, methods=["POST"]),
                Route("/waybill/cancel", self.cancel, methods=["POST"]),
                Route("/write", self.write, methods=["POST"]),
            ]
        )


class KiteClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def post(self, path: str, body: dict, headers: dict | None = None) -> dict:
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False, timeout=5) as http:
            answer = (await http.post(path, json=body, headers=headers or {})).json()
        if not answer.get("ok"):
            raise PlatformError(CODE, answer.get("code", "error"), answer.get("msg", ""))
        return answer


class KiteWaybills:
    async def issue(self, client: KiteClient, request: WaybillRequest) -> Waybill:
        answer = await client.post(
            "/waybill/issue",
            {
                "object_id": request.object_id,
                "carrier": request.carrier,
                "order": request.platform_order_id,
                "sender": {"name": request.sender.name, "phone": request.sender.phone, "address": request.sender.full},
                "receiver": {"name": request.receiver.name, "address": request.receiver.full},
                "items": [list(i) for i in request.items],
            },
        )
        return Waybill(
            carrier=request.carrier,
            tracking_no=answer["tracking_no"],
            sort_code=answer["sort_code"],
            route_code=answer["route_code"],
            print_data=answer["print"],
        )

    async def cancel(self, client: KiteClient, carrier: str, tracking_no: str) -> None:
        await client.post("/waybill/cancel", {"carrier": carrier, "tracking_no": tracking_no})


class KiteAdapter:
    profile = PlatformProfile(
        code=CODE,
        name_zh="纸鸢商城",
        name_en="Kite Mall",
        write_backs=frozenset({WriteBack.SHIP, WriteBack.MEMO}),
        instant_retail=False,
        pullable=False,
        splits_shipments=True,
        waybill_carriers=("ZTO", "YTO"),
        memo_flags=FLAGS,
    )
    webhooks = ()
    rate_limit_codes = frozenset()
    credential_codes = frozenset()
    waybills = KiteWaybills()

    def client(self, shop, *, on_token=None, retry=None) -> KiteClient:
        return KiteClient(shop.credentials["base_url"])

    def credentials_fingerprint(self, shop) -> tuple:
        return (shop.credentials.get("base_url"),)

    async def write_back(self, client: KiteClient, request: WriteRequest) -> None:
        check_declared(self, request)
        body = {
            "action": str(request.action),
            "order": request.platform_order_id,
            "carrier": request.carrier,
            "tracking_no": request.tracking_no,
            "line_ids": list(request.line_ids),
            "memo": request.memo,
            "flag": request.flag,
        }
        await client.post("/write", body, {"Idempotency-Key": request.idempotency_key})


@contextmanager
def kite_platform():
    """The adapter registered and its platform served on loopback for the block."""
    registry.register(KiteAdapter())
    platform = KitePlatform()
    try:
        with ServerThread(platform.app()) as server:
            platform.url = server.url
            yield platform
    finally:
        registry.unregister(CODE)


def kite_shop(session: Session, *, admin, store_id: int, base_url: str = "http://127.0.0.1:9", key: str = "K1") -> int:
    shop = store_service.create_shop(
        session,
        actor=admin,
        store_id=store_id,
        platform=CODE,
        platform_shop_id=f"kite-{key}",
        name=f"纸鸢{key}",
        credentials={"app_key": "kite", "app_secret": "kite-secret", "base_url": base_url},
    )
    store = session.get(Store, store_id)
    store.address, store.phone = store.address or "浙江省杭州市西湖区文三路 1 号", store.phone or "0571-88880000"
    session.add(store)
    session.flush()
    return shop.id


def kite_order(session: Session, *, shop_id: int, store_id: int, no: str, receiver: str = "王五", lines=3) -> int:
    order = Order(
        platform=CODE,
        shop_id=shop_id,
        store_id=store_id,
        platform_order_id=no,
        display_no=no,
        status="to_ship",
        receiver_name=receiver,
        receiver_phone="138****0000",
        receiver_address="上海市徐汇区衡山路 8 号",
        paid_fen=3000,
        placed_at=utcnow(),
    )
    session.add(order)
    session.flush()
    for n in range(1, lines + 1):
        session.add(
            OrderLine(
                order_id=order.id, line_no=n, name=f"风筝{n}", quantity=n, paid_fen=1000, platform_line_id=f"{no}-L{n}"
            )
        )
    session.flush()
    return order.id
