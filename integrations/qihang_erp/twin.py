"""The sandbox double of an in-house ERP on QiHang's signed API.

POST /qihang-erp/push takes our pushes: verifies the signature as an ERP would, counts deliveries
per idempotency key (a repeated key is answered like the first time and counted), and — when
asked — ships the order after a delay by calling the OMS's inbound API, signed.
Switches under /_control/qihang-erp: mode "ok" | "down" (503) | "slow" | "flaky", fail_next,
keys, callback_base, ship_after_s; GET …/deliveries reads the truth; DELETE resets.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations.qihang_erp import sign

PUSH_PATH = "/qihang-erp/push"
CONTROL = "/_control/qihang-erp"
DEMO_KEY, DEMO_SECRET = "qh-demo-key", "qh-demo-secret"
SHIPMENTS_PATH = "/api/erp/v1/shipments"


@dataclass
class TwinState:
    mode: str = "ok"
    delay_ms: int = 0
    flaky_ratio: float = 0.5
    fail_next: int = 0
    ship_after_s: float | None = None
    carrier: str = "SF"
    callback_base: str = ""
    keys: dict[str, str] = field(default_factory=lambda: {DEMO_KEY: DEMO_SECRET})
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    attempts: Counter = field(default_factory=Counter)
    deliveries: Counter = field(default_factory=Counter)
    received: dict[str, dict] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)  # signature → when (replay window)
    shipped: list[dict] = field(default_factory=list)
    ship_answers: list[int] = field(default_factory=list)
    tasks: set = field(default_factory=set)


def state(request: Request) -> TwinState:
    current = getattr(request.app.state, "qihang_erp", None)
    if current is None:
        current = request.app.state.qihang_erp = TwinState()
    return current


def _refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def push(request: Request) -> JSONResponse:
    twin, body = state(request), await request.body()
    key = request.headers.get(sign.IDEMPOTENCY_HEADER, "")
    twin.attempts[key] += 1
    if twin.fail_next > 0:
        twin.fail_next -= 1
        return _refuse(503, "unavailable", "ERP is restarting")
    if twin.mode == "down" or (twin.mode == "flaky" and twin.rng.random() < twin.flaky_ratio):
        return _refuse(503, "unavailable", "ERP is down")
    if twin.mode == "slow":
        await asyncio.sleep(twin.delay_ms / 1000)
    try:
        secret = twin.keys[sign.key_of(request.headers)]
        signature = sign.verify(request.headers, body, secret)
    except KeyError:
        return _refuse(401, "unknown_key", "unknown X-QiHang-Key")
    except sign.SignatureRefused as exc:
        return _refuse(401, exc.code, exc.message)
    try:
        payload = json.loads(body)
        event, data = payload["event"], payload["data"]
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "bad_body", "expected {event, idempotency_key, data}")
    if payload.get("idempotency_key") != key:
        return _refuse(400, "key_mismatch", "Idempotency-Key differs from the body's idempotency_key")
    now = time.time()
    if key not in twin.received and signature in twin.seen and now - twin.seen[signature] <= sign.WINDOW:
        return _refuse(409, "replayed", "signature already used")
    twin.seen[signature] = now
    first = key not in twin.received
    twin.received.setdefault(key, {"event": event, "data": data})
    twin.deliveries[key] += 1
    number = f"ERP{zlib.crc32(key.encode()):010d}"
    if first and event == "order.created" and twin.ship_after_s is not None and twin.callback_base:
        task = asyncio.get_running_loop().create_task(_ship_later(twin, request.headers[sign.KEY_HEADER], data))
        twin.tasks.add(task)
        task.add_done_callback(twin.tasks.discard)
    if event == "aftersale.created":  # the ERP's own after-sale number, as a real one answers
        return JSONResponse({"ok": True, "erp_aftersale_no": f"AS{number[3:]}"})
    return JSONResponse({"ok": True, "erp_order_no": number})


async def _ship_later(twin: TwinState, key: str, order: dict) -> None:
    await asyncio.sleep(twin.ship_after_s or 0)
    shipment = {
        "order_no": order.get("order_no", ""),
        "carrier_code": twin.carrier,
        "tracking_no": f"{twin.carrier}{twin.rng.randrange(10**12):012d}",
    }
    body = json.dumps(shipment, ensure_ascii=False).encode()
    headers = sign.signed_headers(key, twin.keys[key], body)
    try:
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            response = await client.post(twin.callback_base.rstrip("/") + SHIPMENTS_PATH, content=body, headers=headers)
        twin.ship_answers.append(response.status_code)
    except httpx.HTTPError:
        twin.ship_answers.append(0)
    twin.shipped.append(shipment)


SETTINGS = ("mode", "delay_ms", "flaky_ratio", "fail_next", "ship_after_s", "carrier", "callback_base")


async def control(request: Request) -> JSONResponse:
    twin = state(request)
    if request.method == "DELETE":
        request.app.state.qihang_erp = TwinState()
        return JSONResponse({"ok": True})
    if request.method == "POST":
        try:
            wanted = json.loads(await request.body() or b"{}")
            for name in SETTINGS:
                if name in wanted:
                    setattr(twin, name, wanted[name])
            twin.keys.update({str(k): str(v) for k, v in (wanted.get("keys") or {}).items()})
            if "seed" in wanted:
                twin.rng = random.Random(int(wanted["seed"]))
        except (ValueError, TypeError, AttributeError) as exc:
            return _refuse(400, "bad_request", str(exc))
        if twin.mode not in ("ok", "down", "slow", "flaky"):
            return _refuse(400, "bad_request", "mode must be ok, down, slow or flaky")
    return JSONResponse({name: getattr(twin, name) for name in SETTINGS})


async def deliveries(request: Request) -> JSONResponse:
    twin = state(request)
    return JSONResponse(
        {
            "deliveries": dict(twin.deliveries),
            "attempts": dict(twin.attempts),
            "received": twin.received,
            "shipped": twin.shipped,
            "ship_answers": twin.ship_answers,
        }
    )


class QihangTwin:
    erp = "qihang"
    demo_keys = {"key": DEMO_KEY, "secret": DEMO_SECRET}

    def new_state(self):
        """The shared twin bookkeeping (integrations.sandbox.erp_twin); this twin keeps its own."""
        from integrations.sandbox.erp_twin import ErpTwinState

        return ErpTwinState(self.erp, ship_delay=-1)

    def routes(self) -> list:
        return [
            Route(PUSH_PATH, push, methods=["POST"]),
            Route(CONTROL, control, methods=["GET", "POST", "DELETE"]),
            Route(CONTROL + "/deliveries", deliveries, methods=["GET"]),
        ]


TWIN = QihangTwin()
