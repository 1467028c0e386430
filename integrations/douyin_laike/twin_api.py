"""Douyin Laike open API as the sandbox serves it under /douyin/... (paths as on open.douyin.com).

Tokens: /oauth/client_token/ issues `clt.` tokens with a lifetime; only the newest two per client
stay valid (the public doc says so). Business calls need a live token in the `access-token` header.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from integrations.douyin_laike import twin_wire as douyin_wire
from integrations.douyin_laike.spec import (
    DELIVERY_BEHAVIOR,
    MAX_PAGE_SIZE,
    MAX_PRODUCT_PAGE,
    TOKEN_GRANT,
    TOKEN_HEADER,
    TOKEN_PATH,
    ErrorCode,
    Path,
    TokenErrorCode,
)
from integrations.douyin_laike.spec import PLATFORM as DOUYIN
from integrations.sandbox.faults import FaultKind
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import IssuedToken, Shop, SimError, SimOrder

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

PREFIX = "/douyin"
LIVE_TOKENS_PER_CLIENT = 2
STEP_BY_BEHAVIOR = {code: str(status) for status, code in DELIVERY_BEHAVIOR.items()}


def _envelope(data: dict[str, Any], code: int = 0, description: str = "success") -> JSONResponse:
    return JSONResponse(
        {
            "data": {**data, "error_code": code, "description": description},
            "extra": {
                "error_code": code,
                "description": description,
                "sub_error_code": 0,
                "sub_description": "",
                "logid": secrets.token_hex(8),
                "now": int(time.time() * 1000),
            },
        }
    )


# ---- token -------------------------------------------------------------------------------------


async def token_endpoint(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    early = await _api_fault(sandbox, "", TOKEN_PATH)
    if early is not None:
        return early
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = {}
    key, secret = body.get("client_key"), body.get("client_secret")
    if not key or not secret or body.get("grant_type") != TOKEN_GRANT:
        return _token_error(TokenErrorCode.PARAM, "参数错误")
    shops = sandbox.store.shops_of_app(DOUYIN, key)
    if not shops:
        return _token_error(TokenErrorCode.NO_CLIENT_KEY, "client_key 不存在")
    if shops[0].secret != secret:
        return _token_error(TokenErrorCode.BAD_SECRET, "client_key 或者 client_secret 报错")
    token = IssuedToken("clt." + secrets.token_hex(24), key, time.time() + shops[0].token_ttl)
    live = [t for t in sandbox.store.tokens.values() if t.client_key == key and not t.revoked]
    for old in live[: max(0, len(live) - LIVE_TOKENS_PER_CLIENT + 1)]:
        old.revoked = True
    sandbox.store.tokens[token.value] = token
    sandbox.store.record_request(DOUYIN, TOKEN_PATH, "ok")
    return JSONResponse(
        {
            "data": {"access_token": token.value, "description": "", "error_code": 0, "expires_in": shops[0].token_ttl},
            "message": "success",
        }
    )


def _token_error(code: int, description: str) -> JSONResponse:
    return JSONResponse({"data": {"description": description, "error_code": code}, "message": "error"})


# ---- business APIs -----------------------------------------------------------------------------


async def api_endpoint(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    path = request.url.path[len(PREFIX) :]
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
    else:
        try:
            params = json.loads(await request.body() or b"{}")
        except ValueError:
            return _envelope({}, ErrorCode.PARAM, "body is not JSON")
    early = await _api_fault(sandbox, str(params.get("account_id", "")), path)
    if early is not None:
        return early
    try:
        shop = _authorise(sandbox, request, params, path)
        data = HANDLERS[Path(path)](sandbox, shop, params)
    except SimError as exc:
        sandbox.store.record_request(DOUYIN, path, str(exc.code))
        return _envelope({}, exc.code, exc.message)
    except Conflict as exc:
        sandbox.store.record_request(DOUYIN, path, str(ErrorCode.STATE_CONFLICT))
        return _envelope({}, ErrorCode.STATE_CONFLICT, str(exc))
    sandbox.store.record_request(DOUYIN, path, "ok")
    return _envelope(data)


async def _api_fault(sandbox: Sandbox, shop_id: str, path: str) -> Response | None:
    fault = sandbox.faults.take_api(DOUYIN, shop_id, path)
    if fault is None:
        return None
    if fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
        return None
    if fault.kind == FaultKind.SERVER_ERROR:
        sandbox.store.record_request(DOUYIN, path, f"http_{fault.status}")
        return PlainTextResponse("Bad Gateway", status_code=fault.status)
    sandbox.store.record_request(DOUYIN, path, str(ErrorCode.BUSY))
    return _envelope({}, ErrorCode.BUSY, "系统繁忙，请稍后重试")


def _authorise(sandbox: Sandbox, request: Request, params: dict[str, Any], path: str) -> Shop:
    token = sandbox.store.tokens.get(request.headers.get(TOKEN_HEADER, ""))
    if token is None or token.revoked:
        raise SimError(ErrorCode.TOKEN_INVALID, "access_token 无效")
    account_id = str(params.get("account_id") or "")
    if sandbox.faults.take_token_expiry(DOUYIN, account_id, path):
        token.expires_at = time.time()
    if time.time() >= token.expires_at:
        raise SimError(ErrorCode.TOKEN_EXPIRED, "access_token 过期")
    if not account_id:
        raise SimError(ErrorCode.PARAM, "缺少参数 account_id")
    shop = sandbox.store.shops.get((DOUYIN, account_id))
    if shop is None or shop.app_id != token.client_key:
        raise SimError(ErrorCode.NO_PERMISSION, "无权限操作该账户")
    return shop


def _order(sandbox: Sandbox, shop: Shop, order_id: object) -> SimOrder:
    order = sandbox.store.order(DOUYIN, str(order_id or ""))
    if order is None or order.shop_id != shop.shop_id:
        raise SimError(ErrorCode.ORDER_NOT_FOUND, "订单不存在")
    return order


def _confirm(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order = _order(sandbox, shop, params.get("order_id"))
    sandbox.lifecycle.confirm(order)
    sandbox.store.record_writeback(DOUYIN, shop.shop_id, "confirm", order.order_id, params)
    return {}


def _query(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    try:
        page_num = int(params.get("page_num", 1))
        page_size = int(params.get("page_size", 20))
        ranges = {
            name: int(params[name])
            for name in ("update_time_start", "update_time_end", "create_time_start", "create_time_end")
            if params.get(name) not in (None, "")
        }
        status = int(params["order_status"]) if params.get("order_status") else None
    except ValueError:
        raise SimError(ErrorCode.PARAM, "参数格式错误") from None
    if page_num < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SimError(ErrorCode.PARAM, f"page_num >= 1, 1 <= page_size <= {MAX_PAGE_SIZE}")
    orders = [
        o
        for o in sandbox.store.shop_orders(DOUYIN, shop.shop_id)
        if (not params.get("order_id") or o.order_id == str(params["order_id"]))
        and (status is None or douyin_wire.STATUS_CODE[o.stage] == status)
        and _within(o.updated_at, ranges.get("update_time_start"), ranges.get("update_time_end"))
        and _within(o.created_at, ranges.get("create_time_start"), ranges.get("create_time_end"))
    ]
    orders.sort(key=lambda o: (o.updated_at, o.order_id))  # stable pages while nothing changes
    start = (page_num - 1) * page_size
    return {
        "orders": [douyin_wire.order_fields(o, shop) for o in orders[start : start + page_size]],
        "page": {"page_num": page_num, "page_size": page_size, "total": len(orders)},
    }


def _sync_status(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order = _order(sandbox, shop, params.get("order_id"))
    try:
        step = STEP_BY_BEHAVIOR[int(params.get("behavior"))]
    except (KeyError, TypeError, ValueError):
        raise SimError(ErrorCode.PARAM, "behavior 取值错误") from None
    if order.delivery_type != "merchant":
        raise Conflict("order is not delivered by the merchant")
    sandbox.lifecycle.rider(
        order,
        step,
        by_platform=False,
        rider_name=str(params.get("rider_name") or ""),
        rider_phone=str(params.get("rider_phone") or ""),
        extra={"code": int(params["behavior"])},
    )
    sandbox.store.record_writeback(DOUYIN, shop.shop_id, "sync_status", order.order_id, params)
    return {}


def _audit(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    try:
        order, _ = sandbox.store.find_after_sale(DOUYIN, str(params.get("after_sale_id") or ""))
    except KeyError:
        raise SimError(ErrorCode.ORDER_NOT_FOUND, "售后单不存在") from None
    if order.shop_id != shop.shop_id or "is_approved" not in params:
        raise SimError(ErrorCode.PARAM, "after_sale_id / is_approved 错误")
    agree = bool(params["is_approved"])
    reason = (params.get("reject_reason") or {}).get("desc", "")
    sandbox.lifecycle.decide_refund(order, agree=agree, reason=reason)
    sandbox.store.record_writeback(
        DOUYIN, shop.shop_id, "refund_agree" if agree else "refund_reject", order.order_id, params
    )
    return {}


def _products(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    """The product list: the cursor is the offset as text; one SKU per product here."""
    try:
        offset = int(params.get("cursor") or 0)
        count = int(params.get("count") or MAX_PRODUCT_PAGE)
    except ValueError:
        raise SimError(ErrorCode.PARAM, "cursor / count 格式错误") from None
    if offset < 0 or not 1 <= count <= MAX_PRODUCT_PAGE:
        raise SimError(ErrorCode.PARAM, f"1 <= count <= {MAX_PRODUCT_PAGE}")
    page = shop.products[offset : offset + count]
    more = offset + count < len(shop.products)
    return {
        "products": [
            {
                "product_id": p.item_id,
                "product_name": p.name,
                "skus": [
                    {
                        "sku_id": p.sku_id,
                        "spec": p.spec,
                        "out_sku_id": p.outer_code,
                        "barcode": p.barcode,
                        "price": p.price_fen,
                        "stock": p.stock,
                    }
                ],
            }
            for p in page
        ],
        "next_cursor": str(offset + count) if more else "",
        "has_more": more,
        "total": len(shop.products),
    }


def _within(value: float, start: int | None, end: int | None) -> bool:
    return (start is None or value >= start) and (end is None or value <= end)


HANDLERS = {
    Path.CONFIRM: _confirm,
    Path.ORDER_QUERY: _query,
    Path.DELIVERY_SYNC: _sync_status,
    Path.AFTER_SALE_AUDIT: _audit,
    Path.PRODUCT_QUERY: _products,
}

routes = [
    Route(PREFIX + TOKEN_PATH, token_endpoint, methods=["POST"]),
    Route(PREFIX + Path.ORDER_QUERY, api_endpoint, methods=["GET"]),
    Route(PREFIX + Path.CONFIRM, api_endpoint, methods=["POST"]),
    Route(PREFIX + Path.DELIVERY_SYNC, api_endpoint, methods=["POST"]),
    Route(PREFIX + Path.AFTER_SALE_AUDIT, api_endpoint, methods=["POST"]),
    Route(PREFIX + Path.PRODUCT_QUERY, api_endpoint, methods=["GET"]),
]
