"""A platform the code base has never heard of, defined in this file only, plugs into the
registry and runs end to end over real HTTP: a signed push → inbox → order → board → 接单 →
outbox → its endpoint received the accept (with the idempotency key); then a pull sweep finds an
order whose push never came. Nothing outside this test knows the platform."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations import registry
from integrations.base import PlatformError
from integrations.contract import (
    Answer,
    Inspected,
    ParsedPush,
    PullPage,
    PullWindow,
    Verified,
    WebhookRequest,
    WriteRequest,
    check_declared,
)
from integrations.sandbox.server import ServerThread
from qihang_app.api.routes import build_api
from qihang_app.domain.board import Tab
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.partners import PlatformProfile, WriteBack
from qihang_app.domain.platform_order import (
    DeliveryType,
    EventKind,
    PlatformEvent,
    PlatformOrder,
    PlatformOrderLine,
)
from qihang_app.models import Order
from qihang_app.services import board as board_service
from qihang_app.services import dispatch
from qihang_app.services import stores as store_service
from tests.ingest_support import drain_all
from tests.services.factories import make_actor
from workers.tasks.outbox import relay_outbox
from workers.tasks.sweep import sweep_shop

pytestmark = pytest.mark.timeout(60)

CODE = "lantern_mall"
SECRET = "lantern-secret"


# ---- the platform's own side: a tiny API that records what the OMS did ------------------------


class LanternPlatform:
    def __init__(self) -> None:
        self.orders: dict[str, dict] = {}
        self.accepts: list[dict] = []
        self.lock = threading.Lock()

    async def accept(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            self.accepts.append({"order": body["order_no"], "key": request.headers.get("Idempotency-Key", "")})
        return JSONResponse({"ok": True})

    async def updated(self, request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "orders": list(self.orders.values())})

    async def one(self, request: Request) -> JSONResponse:
        found = self.orders.get(request.path_params["no"])
        return JSONResponse({"ok": bool(found), "order": found}, status_code=200 if found else 404)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/accept", self.accept, methods=["POST"]),
                Route("/orders", self.updated, methods=["GET"]),
                Route("/orders/{no}", self.one, methods=["GET"]),
            ]
        )


def new_raw_order(no: str, shop: str) -> dict:
    now = int(datetime.now(UTC).timestamp())
    return {
        "order_no": no,
        "shop": shop,
        "state": "new",
        "created": now,
        "updated": now,
        "seq": int(no[-2:]),
        "buyer": "林女士",
        "phone": "13800001234",
        "address": "衡山路 1 号",
        "items": [{"sku": "LT-1", "name": "灯笼", "qty": 2, "price_fen": 1500}],
    }


def sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


# ---- the adapter: what the package under integrations/ would hold ------------------------------


def to_order(raw: dict) -> PlatformOrder:
    at = datetime.fromtimestamp(raw["updated"], UTC)
    lines = [
        PlatformOrderLine(
            platform_item_id=i["sku"],
            platform_sku_id=i["sku"],
            name=i["name"],
            quantity=i["qty"],
            unit_price_fen=i["price_fen"],
            paid_fen=i["price_fen"] * i["qty"],
        )
        for i in raw["items"]
    ]
    total = sum(line.paid_fen for line in lines)
    return PlatformOrder(
        platform=CODE,
        platform_shop_id=raw["shop"],
        platform_order_id=raw["order_no"],
        status=OrderStatus.AWAITING_ACCEPT,
        raw_status_code=raw["state"],
        placed_at=datetime.fromtimestamp(raw["created"], UTC),
        updated_at=at,
        day_seq=raw["seq"],
        receiver_name=raw["buyer"],
        receiver_phone=raw["phone"],
        receiver_address=raw["address"],
        delivery_type=DeliveryType.PLATFORM,
        accept_deadline_at=at + timedelta(minutes=5),
        goods_fen=total,
        paid_fen=total,
        paid_at=at,
        lines=lines,
    )


class LanternReceiver:
    path = "/api/webhooks/lantern_mall"
    methods = ("POST",)

    def inspect(self, request: WebhookRequest) -> Inspected:
        try:
            data = json.loads(request.text)
        except ValueError as exc:
            return Inspected(kind="", error=f"not JSON: {exc}")
        return Inspected(
            kind="order",
            shop_key=str(data.get("shop", "")),
            dedup_key=f"lantern:{data.get('msg_id', '')}",
            headers={"signature": request.headers.get("x-lantern-sign", "")},
        )

    def verify(self, request, inspected, shop, signed_urls) -> Verified:
        good = hmac.compare_digest(inspected.headers["signature"], sign(request.body))
        return Verified(good, "" if good else "signature mismatch")

    def reverify(self, body, headers, shop) -> str:
        return "" if headers.get("signature") == sign(body.encode()) else "signature mismatch"

    def ack(self) -> Answer:
        return Answer(200, b'{"ok":true}')

    def rejected(self, reason: str, *, unknown_shop: bool) -> Answer:
        return Answer(401, json.dumps({"ok": False, "why": reason}).encode())

    def bad_request(self, reason: str) -> Answer:
        return Answer(400, b'{"ok":false}')


class LanternClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def get(self, path: str) -> dict:
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False, timeout=5) as http:
            answer = (await http.get(path)).json()
        if not answer.get("ok"):
            raise PlatformError(CODE, "404", "no such order")
        return answer


class LanternAdapter:
    profile = PlatformProfile(
        code=CODE, name_zh="灯笼商城", name_en="Lantern Mall", write_backs=frozenset({WriteBack.ACCEPT})
    )
    webhooks = (LanternReceiver(),)
    rate_limit_codes = frozenset()
    credential_codes = frozenset()

    def client(self, shop, *, on_token=None, retry=None) -> LanternClient:
        return LanternClient(shop.credentials["base_url"])

    def credentials_fingerprint(self, shop) -> tuple:
        return (shop.credentials.get("base_url"),)

    def parse_push(self, kind: str, body: str) -> ParsedPush:
        order = to_order(json.loads(body)["order"])
        event = PlatformEvent(
            kind=EventKind.ORDER,
            platform=CODE,
            platform_shop_id=order.platform_shop_id,
            platform_order_id=order.platform_order_id,
            raw_type="order",
            occurred_at=order.updated_at,
            order=order,
        )
        return ParsedPush([event], "push order")

    def map_order(self, raw: dict) -> PlatformOrder:
        return to_order(raw)

    async def fetch_order(self, client: LanternClient, order_id: str) -> dict:
        return (await client.get(f"/orders/{order_id}"))["order"]

    async def pull(self, client: LanternClient, shop, window: PullWindow, lookups) -> AsyncIterator[PullPage]:
        yield PullPage((await client.get("/orders"))["orders"])

    async def write_back(self, client: LanternClient, request: WriteRequest) -> None:
        check_declared(self, request)
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            await http.post(
                client.base_url + "/accept",
                json={"order_no": request.platform_order_id},
                headers={"Idempotency-Key": request.idempotency_key},
            )

    async def check_connection(self, client, shop) -> tuple[str, dict]:
        await client.get("/orders")
        return "shops.test.ok_orders", {"n": 0}

    def sign(self, secret, *, params, body, url) -> tuple[str, str]:
        return sign(body or b""), ""

    def twin(self):
        raise NotImplementedError("this test drives its own platform server")


# ---- the test ----------------------------------------------------------------------------------


@pytest.fixture
def lantern():
    registry.register(LanternAdapter())
    platform = LanternPlatform()
    try:
        with ServerThread(platform.app()) as server:
            platform.url = server.url
            yield platform
    finally:
        registry.unregister(CODE)


async def test_a_platform_defined_in_a_test_runs_end_to_end(lantern, engine, redis_url, ctx):
    with Session(engine) as session:
        admin = make_actor(session, "root", "admin")
        store = store_service.create_store(session, actor=admin, name="灯笼门店")
        shop = store_service.create_shop(
            session,
            actor=admin,
            store_id=store.id,
            platform=CODE,
            platform_shop_id="LT-1",
            name="灯笼一号店",
            credentials={"app_key": "lt", "app_secret": SECRET, "base_url": lantern.url},
        )
        session.commit()
        store_id, shop_id = store.id, shop.id
    api = build_api(engine=engine, redis_url=redis_url)
    with ServerThread(api) as server:
        first = new_raw_order("LT20261127001", "LT-1")
        body = json.dumps({"msg_id": "m1", "shop": "LT-1", "order": first}).encode()
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            forged = await http.post(
                server.url + "/api/webhooks/lantern_mall", content=body, headers={"X-Lantern-Sign": "0" * 64}
            )
            signed = await http.post(
                server.url + "/api/webhooks/lantern_mall", content=body, headers={"X-Lantern-Sign": sign(body)}
            )
        assert forged.status_code == 401 and signed.json() == {"ok": True}
        api.state.webhooks.writer.close()
    await drain_all(ctx)

    with Session(engine) as session:
        board = board_service.load_board(session, actor=admin, store_ids=[store_id])
        cards = board.cards[Tab.NEW]
        assert [c.platform_order_id for c in cards] == ["LT20261127001"]
        dispatch.accept(session, actor=admin, order_id=cards[0].id)
        session.commit()
    await relay_outbox(ctx)
    assert lantern.accepts == [{"order": "LT20261127001", "key": f"accept:{cards[0].id}"}]

    lantern.orders["LT20261127002"] = new_raw_order("LT20261127002", "LT-1")  # push lost
    result = await sweep_shop(ctx, shop_id)
    assert result["ok"] and result["orders"] == 1, result
    with Session(engine) as session:
        stored = {o.platform_order_id: o.status for o in session.query(Order).all()}
    assert stored == {"LT20261127001": "to_ship", "LT20261127002": "awaiting_accept"}
