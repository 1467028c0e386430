"""JSON control API under /_control/: set up shops, stream orders, inject faults, read the truth.

Used by the demo, the tests and the benchmarks; it is not part of any platform's API.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations import registry
from integrations.sandbox import aftersale_moves
from integrations.sandbox.faults import FaultKind
from integrations.sandbox.lifecycle import RIDER_STEPS, Conflict
from integrations.sandbox.store import STAGES, Shop, SimError

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

DEFAULT_LAT, DEFAULT_LNG = 31.2304, 121.4737  # People's Square, Shanghai (GCJ-02)
SHOP_SETTINGS = ("name", "callback_base", "rate", "double_encode", "auto_fulfil", "token_ttl", "lat", "lng")


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise SimError(400, "body must be a JSON object")
    return data


def _platform(value: object) -> str:
    codes = [a.profile.code for a in registry.platforms()]
    if value not in codes:
        raise SimError(400, f"platform must be one of {', '.join(codes)}")
    return str(value)


def handled(handler):
    """Render SimError / Conflict / bad input as a JSON error with a useful status code."""

    async def endpoint(request: Request) -> JSONResponse:
        try:
            result = await handler(request)
        except SimError as exc:
            status = exc.code if 400 <= exc.code < 600 else 400
            return JSONResponse({"error": exc.message}, status_code=status)
        except Conflict as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        except (KeyError, ValueError, TypeError) as exc:
            return JSONResponse({"error": f"bad request: {exc}"}, status_code=400)
        if isinstance(result, JSONResponse):
            return result
        return JSONResponse(result)

    return endpoint


# ---- sandbox -----------------------------------------------------------------------------------


async def health(request: Request) -> dict:
    return {"ok": True}


async def reset(request: Request) -> dict:
    _sandbox(request).reset()
    return {"ok": True}


async def stats(request: Request) -> dict:
    sb = _sandbox(request)
    outcomes: dict[str, int] = {}
    for entry in sb.pusher.log:
        outcomes[entry["outcome"]] = outcomes.get(entry["outcome"], 0) + 1
    return {
        "shops": len(sb.store.shops),
        "orders": len(sb.store.orders),
        "created_by_generator": sb.generator.created,
        "streaming": sb.generator.streaming,
        "pushes": outcomes,
        "pushes_in_flight": sb.pusher.in_flight,
        "requests": len(sb.store.requests),
        "writebacks": len(sb.store.writebacks),
        "faults_fired": dict(sb.faults.fired),
    }


# ---- shops -------------------------------------------------------------------------------------


async def create_shop(request: Request) -> JSONResponse:
    sb, body = _sandbox(request), await _body(request)
    platform = _platform(body.get("platform"))
    number = sb.store.next_id()
    shop_id, app_id = registry.platform(platform).twin().new_shop_ids(number)
    shop = Shop(
        platform=platform,
        shop_id=str(body.get("shop_id") or shop_id),
        name=str(body.get("name") or f"启航便利店({number}号店)"),
        app_id=str(body.get("app_id") or app_id),
        secret=str(body.get("secret") or secrets.token_hex(16)),
        lat=float(body.get("lat", DEFAULT_LAT)),
        lng=float(body.get("lng", DEFAULT_LNG)),
        callback_base=str(body.get("callback_base", sb.callback_base)),
        rate=float(body.get("rate", sb.default_rate)),
        double_encode=bool(body.get("double_encode", True)),
        auto_fulfil=bool(body.get("auto_fulfil", True)),
        token_ttl=int(body.get("token_ttl", 7200)),
    )
    sb.store.add_shop(shop)
    sb.generator.seed_catalog(shop, int(body.get("catalog", 20)), int(body.get("stock", 100)))
    return JSONResponse(shop.public(), status_code=201)


async def list_shops(request: Request) -> list:
    return [s.public() for s in _sandbox(request).store.shops.values()]


async def update_shop(request: Request) -> dict:
    sb, body = _sandbox(request), await _body(request)
    shop = sb.store.shop(request.path_params["platform"], request.path_params["shop_id"])
    for name in SHOP_SETTINGS:
        if name in body:
            setattr(shop, name, type(getattr(shop, name))(body[name]))
    return shop.public()


async def catalog(request: Request) -> list:
    sb = _sandbox(request)
    shop = sb.store.shop(request.path_params["platform"], request.path_params["shop_id"])
    if request.method == "POST":
        body = await _body(request)
        sb.generator.seed_catalog(shop, int(body.get("count", 10)), int(body.get("stock", 100)))
    return [vars(p) for p in shop.products]


# ---- streaming ---------------------------------------------------------------------------------


async def set_rate(request: Request) -> dict:
    """{"rate": 2.5, "platform"?: ..., "shop_id"?: ...}: orders/second for matching shops."""
    sb, body = _sandbox(request), await _body(request)
    rate = float(body["rate"])
    changed = 0
    for shop in sb.store.shops.values():
        if body.get("platform") in (None, shop.platform) and body.get("shop_id") in (None, shop.shop_id):
            shop.rate = rate
            changed += 1
    if body.get("platform") is None and body.get("shop_id") is None:
        sb.default_rate = rate
    return {"shops": changed, "rate": rate}


async def start_stream(request: Request) -> dict:
    sb, body = _sandbox(request), await _body(request)
    if "rate" in body:
        await set_rate(request)
    sb.generator.streaming = True
    return {"streaming": True}


async def stop_stream(request: Request) -> dict:
    _sandbox(request).generator.streaming = False
    return {"streaming": False}


async def timing(request: Request) -> dict:
    """{"time_scale"?: 0.05, "ratios"?: {"scheduled", "cancel", "refund", "platform_delivery",
    "pickup"}}: speed of buyers'/riders' later moves and how often each scenario happens."""
    sb, body = _sandbox(request), await _body(request)
    generator = sb.generator
    if "time_scale" in body:
        generator.time_scale = max(0.0, float(body["time_scale"]))
    for name, value in (body.get("ratios") or {}).items():
        if not hasattr(generator.ratios, name):
            raise SimError(400, f"unknown ratio {name}")
        setattr(generator.ratios, name, min(1.0, max(0.0, float(value))))
    return {"time_scale": generator.time_scale, "ratios": vars(generator.ratios)}


# ---- faults ------------------------------------------------------------------------------------


async def add_fault(request: Request) -> JSONResponse:
    """{"kind": "5xx|rate_limit|slow|expire_token|duplicate_push|drop_push|reorder_push",
    "count": 1, "platform": "", "shop_id": "", "path_contains": "", "delay_ms": 0, "status": 500}"""
    sb, body = _sandbox(request), await _body(request)
    kind = FaultKind(body["kind"])
    fault = sb.faults.add(
        kind,
        count=int(body.get("count", 1)),
        platform=str(body.get("platform") or ""),
        shop_id=str(body.get("shop_id") or ""),
        path_contains=str(body.get("path_contains") or ""),
        delay_ms=int(body.get("delay_ms", 0)),
        status=int(body.get("status", 500)),
    )
    return JSONResponse(vars(fault) | {"kind": fault.kind.value}, status_code=201)


async def faults(request: Request) -> dict:
    sb = _sandbox(request)
    if request.method == "DELETE":
        sb.faults.clear()
    return {"active": sb.faults.active(), "fired": dict(sb.faults.fired)}


async def expire_tokens(request: Request) -> dict:
    """Every issued Douyin token expires now (the next call must fetch a new one)."""
    sb, body = _sandbox(request), await _body(request)
    expired = 0
    for token in sb.store.tokens.values():
        if body.get("client_key") in (None, token.client_key):
            token.expires_at = 0
            expired += 1
    return {"expired": expired}


# ---- orders ------------------------------------------------------------------------------------


async def create_order(request: Request) -> JSONResponse:
    """{"platform", "shop_id", "items"?: [{"sku_id", "quantity"}], "scheduled"?: bool,
    "delivery_type"?: "platform|merchant|pickup", "push"?: true}"""
    sb, body = _sandbox(request), await _body(request)
    shop = sb.store.shop(_platform(body.get("platform")), str(body.get("shop_id")))
    delivery_type = body.get("delivery_type")
    if delivery_type not in (None, "platform", "merchant", "pickup"):
        raise SimError(400, "delivery_type must be platform, merchant or pickup")
    order = sb.generator.create_order(
        shop,
        items=body.get("items"),
        scheduled=body.get("scheduled"),
        delivery_type=delivery_type,
        push=bool(body.get("push", True)),
    )
    return JSONResponse(order.truth(), status_code=201)


async def list_orders(request: Request) -> list:
    query = request.query_params
    stage = query.get("stage")
    if stage and stage not in STAGES:
        raise SimError(400, f"stage must be one of {', '.join(STAGES)}")
    limit = int(query.get("limit", 1000))
    found = [
        o.truth()
        for o in _sandbox(request).store.orders.values()
        if query.get("platform") in (None, o.platform)
        and query.get("shop_id") in (None, o.shop_id)
        and stage in (None, o.stage)
    ]
    return found[-limit:]


def _order_from_path(request: Request):
    platform = _platform(request.path_params["platform"])
    order = _sandbox(request).store.order(platform, request.path_params["order_id"])
    if order is None:
        raise SimError(404, "no such order")
    return order


async def get_order(request: Request) -> dict:
    return _order_from_path(request).truth()


async def order_action(request: Request) -> dict:
    """Buyer / platform moves: cancel, refund (return_goods?, pictures?), refund_withdraw,
    return_ship, auto_agree, rider, repush."""
    sb, body = _sandbox(request), await _body(request)
    order = _order_from_path(request)
    action = request.path_params["action"]
    if action == "cancel":
        sb.lifecycle.cancel(
            order,
            by=str(body.get("by", "user")),
            reason_code=str(body.get("reason_code", "1001")),
            reason=str(body.get("reason", "用户不想要了")),
        )
    elif action == "refund":
        amount = body.get("amount_fen")
        sb.lifecycle.apply_refund(
            order,
            reason=str(body.get("reason", "商品破损")),
            amount_fen=None if amount is None else int(amount),
            return_goods=bool(body.get("return_goods")),
            pictures=tuple(str(p) for p in body.get("pictures") or ()),
        )
    elif action == "return_ship":  # the buyer sends the goods back
        aftersale_moves.ship_return(sb.lifecycle, order, carrier=str(body.get("carrier", "顺丰速运")),
                                    waybill=str(body.get("waybill", "SF1234567890")))  # fmt: skip
    elif action == "auto_agree":  # the platform's deadline passed (as if `at` were now)
        aftersale_moves.auto_agree_due(sb.lifecycle, [order], float(body.get("at", 4e9)))
    elif action == "refund_withdraw":
        sb.lifecycle.withdraw_refund(order)
    elif action == "rider":  # platform riders (Meituan delivery)
        step = str(body["step"])
        if step not in RIDER_STEPS:
            raise SimError(400, f"step must be one of {', '.join(RIDER_STEPS)}")
        sb.lifecycle.rider(
            order,
            step,
            by_platform=True,
            rider_name=str(body.get("rider_name", "王师傅")),
            rider_phone=str(body.get("rider_phone", "138****0000")),
        )
    elif action == "repush":  # send the push of an event again (e.g. the paid-order push)
        event = str(body.get("event", "paid"))
        extra = {}
        if order.after_sales and event.startswith("refund"):
            extra["after_sale"] = order.after_sales[-1]
        sb.pusher.notify(order, event, **extra)
    else:
        raise SimError(404, f"unknown action {action}")
    return order.truth()


# ---- what happened -----------------------------------------------------------------------------


def _filtered(rows, request: Request, keys: tuple[str, ...]) -> list:
    query = request.query_params
    limit = int(query.get("limit", 1000))
    found = [r for r in rows if all(query.get(k) in (None, str(r.get(k))) for k in keys)]
    return found[-limit:]


async def writebacks(request: Request) -> list:
    return _filtered(_sandbox(request).store.writebacks, request, ("platform", "shop_id", "order_id", "api"))


async def pushes(request: Request) -> list:
    return _filtered(_sandbox(request).pusher.log, request, ("platform", "shop_id", "order_id", "push_type", "outcome"))


async def requests_log(request: Request) -> list:
    return _filtered(_sandbox(request).store.requests, request, ("platform", "path", "result"))


routes = [
    Route("/_control/health", handled(health), methods=["GET"]),
    Route("/_control/reset", handled(reset), methods=["POST"]),
    Route("/_control/stats", handled(stats), methods=["GET"]),
    Route("/_control/shops", handled(create_shop), methods=["POST"]),
    Route("/_control/shops", handled(list_shops), methods=["GET"]),
    Route("/_control/shops/{platform}/{shop_id}", handled(update_shop), methods=["PATCH"]),
    Route("/_control/shops/{platform}/{shop_id}/catalog", handled(catalog), methods=["GET", "POST"]),
    Route("/_control/rate", handled(set_rate), methods=["POST"]),
    Route("/_control/stream/start", handled(start_stream), methods=["POST"]),
    Route("/_control/stream/stop", handled(stop_stream), methods=["POST"]),
    Route("/_control/timing", handled(timing), methods=["GET", "POST"]),
    Route("/_control/faults", handled(add_fault), methods=["POST"]),
    Route("/_control/faults", handled(faults), methods=["GET", "DELETE"]),
    Route("/_control/tokens/expire", handled(expire_tokens), methods=["POST"]),
    Route("/_control/orders", handled(create_order), methods=["POST"]),
    Route("/_control/orders", handled(list_orders), methods=["GET"]),
    Route("/_control/orders/{platform}/{order_id}", handled(get_order), methods=["GET"]),
    Route("/_control/orders/{platform}/{order_id}/{action}", handled(order_action), methods=["POST"]),
    Route("/_control/writebacks", handled(writebacks), methods=["GET"]),
    Route("/_control/pushes", handled(pushes), methods=["GET"]),
    Route("/_control/requests", handled(requests_log), methods=["GET"]),
]
