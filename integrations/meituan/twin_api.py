"""Meituan open API as the sandbox serves it under /meituan/api/v1/<path>.

Checks every request as the platform does (701 missing param, 702 unknown app_id, 703 bad sig,
806 unknown order, 808 state conflict) and records what the OMS wrote back.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from integrations.meituan import twin_wire as meituan_wire
from integrations.meituan.sign import meituan_sig
from integrations.meituan.spec import PLATFORM as MEITUAN
from integrations.meituan.spec import (
    REQUIRED,
    REVIEW_AGREE_RETURN,
    REVIEW_CONFIRM_RECEIPT,
    ErrorCode,
    Path,
    error_body,
)
from integrations.sandbox import aftersale_moves
from integrations.sandbox.faults import FaultKind
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import Shop, SimError, SimOrder, shanghai_day

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

PREFIX = "/meituan/api/v1/"
SYSTEM_PARAMS = ("app_id", "timestamp", "sig")
MAX_RETAIL_PAGE = 200


async def endpoint(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    path = request.path_params["path"]
    params = dict(request.query_params)
    if request.method == "POST":
        params.update(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    fault = sandbox.faults.take_api(MEITUAN, params.get("app_poi_code", ""), path)
    if fault and fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
    elif fault and fault.kind == FaultKind.SERVER_ERROR:
        sandbox.store.record_request(MEITUAN, path, f"http_{fault.status}")
        return PlainTextResponse("Service Unavailable", status_code=fault.status)
    elif fault and fault.kind == FaultKind.RATE_LIMIT:
        sandbox.store.record_request(MEITUAN, path, str(ErrorCode.RATE_LIMITED))
        return JSONResponse(error_body(ErrorCode.RATE_LIMITED, "调用太频繁，已触发流控"))
    try:
        url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        data = _dispatch(sandbox, url, path, params)
    except SimError as exc:
        sandbox.store.record_request(MEITUAN, path, str(exc.code))
        return JSONResponse(error_body(exc.code, exc.message))
    sandbox.store.record_request(MEITUAN, path, "ok")
    return JSONResponse({"data": data})


def _dispatch(sandbox: Sandbox, url: str, path: str, params: dict[str, str]) -> Any:
    for name in SYSTEM_PARAMS:
        if not params.get(name):
            raise SimError(ErrorCode.MISSING_PARAM, f"缺少系统参数 {name}")
    app_id = params["app_id"]
    shops = sandbox.store.shops_of_app(MEITUAN, app_id)
    if not shops:
        raise SimError(ErrorCode.BAD_APP_ID, "不存在此app_id")
    if meituan_sig(url, params, shops[0].secret) != params["sig"]:
        raise SimError(ErrorCode.BAD_SIG, "签名验证错误")
    try:
        api = Path(path)
    except ValueError:
        raise SimError(ErrorCode.SYSTEM, f"不支持的接口 {path}") from None
    for name in REQUIRED[api]:
        if params.get(name) in (None, ""):
            raise SimError(ErrorCode.MISSING_PARAM, f"缺少参数 {name}")
    handler = HANDLERS[api]
    try:
        return handler(sandbox, app_id, params)
    except Conflict as exc:
        raise SimError(ErrorCode.STATE_CONFLICT, f"操作失败: {exc}") from None


# ---- lookups -----------------------------------------------------------------------------------


def _order(sandbox: Sandbox, app_id: str, order_id: str) -> SimOrder:
    order = sandbox.store.order(MEITUAN, order_id)
    shop = order and sandbox.store.shops.get((MEITUAN, order.shop_id))
    if order is None or shop is None or shop.app_id != app_id:  # never show other apps' orders
        raise SimError(ErrorCode.NO_SUCH_ORDER, "订单不存在")
    return order


def _shop(sandbox: Sandbox, app_id: str, app_poi_code: str) -> Shop:
    shop = sandbox.store.shops.get((MEITUAN, app_poi_code))
    if shop is None or shop.app_id != app_id:
        raise SimError(ErrorCode.STATE_CONFLICT, f"门店 {app_poi_code} 不存在或未授权")
    return shop


def _written(sandbox: Sandbox, order: SimOrder, api: str, params: dict[str, str]) -> str:
    business = {k: v for k, v in params.items() if k not in ("sig", "access_token")}
    sandbox.store.record_writeback(MEITUAN, order.shop_id, api, order.order_id, business)
    return "ok"


# ---- handlers ----------------------------------------------------------------------------------


def _confirm(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    order = _order(sandbox, app_id, params["order_id"])
    sandbox.lifecycle.confirm(order)
    return _written(sandbox, order, "confirm", params)


def _cancel(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    order = _order(sandbox, app_id, params["order_id"])
    sandbox.lifecycle.cancel(order, by="open_platform", reason_code=params["reason_code"], reason=params["reason"])
    return _written(sandbox, order, "cancel", params)


def _detail(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> dict:
    order = _order(sandbox, app_id, params["order_id"])
    return meituan_wire.order_fields(order, sandbox.store.shop(MEITUAN, order.shop_id))


def _prepared(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    order = _order(sandbox, app_id, params["order_id"])
    sandbox.lifecycle.prepared(order)
    return _written(sandbox, order, "prepared", params)


def _logistics_sync(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    order = _order(sandbox, app_id, params["order_id"])
    if order.delivery_type == "platform":
        raise Conflict("order is delivered by Meituan riders, not by the merchant")
    try:
        step = meituan_wire.SYNC_STEP[int(params["logistics_status"])]
    except (KeyError, ValueError):
        raise SimError(ErrorCode.MISSING_PARAM, "logistics_status 取值错误") from None
    sandbox.lifecycle.rider(
        order,
        step,
        by_platform=False,
        rider_name=params.get("courier_name", ""),
        rider_phone=params.get("courier_phone", ""),
        extra={"code": int(params["logistics_status"])},
    )
    return _written(sandbox, order, "logistics_sync", params)


def _retail_list(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> list[dict]:
    shop = _shop(sandbox, app_id, params["app_poi_code"])
    offset, limit = int(params["offset"]), min(int(params["limit"]), MAX_RETAIL_PAGE)
    return [
        {
            "app_poi_code": shop.shop_id,
            "app_food_code": p.item_id,
            "name": p.name,
            "price": meituan_wire.yuan(p.price_fen),
            "is_sold_out": 0 if p.stock > 0 and p.on_sale else 1,
            "unit": p.unit,
            "box_price": meituan_wire.yuan(p.box_price_fen),
            "skus": json.dumps(
                [
                    {
                        "sku_id": p.sku_id,
                        "spec": p.spec,
                        "upc": p.barcode,
                        "price": meituan_wire.yuan_text(p.price_fen),
                        "stock": str(p.stock),
                    }
                ],
                ensure_ascii=False,
            ),
        }
        for p in shop.products[offset : offset + limit]
    ]


def _sku_stock(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    shop = _shop(sandbox, app_id, params["app_poi_code"])
    try:
        foods = json.loads(params["food_data"])
        wanted = {(str(f["app_food_code"]), str(s["sku_id"])): int(s["stock"]) for f in foods for s in f["skus"]}
    except (ValueError, KeyError, TypeError):
        raise SimError(ErrorCode.MISSING_PARAM, "food_data 格式错误") from None
    by_key = {(p.item_id, p.sku_id): p for p in shop.products}
    unknown = [f"{a}/{b}" for a, b in wanted if (a, b) not in by_key]
    if unknown:  # all or nothing, so a retry never half-applies
        raise SimError(ErrorCode.STATE_CONFLICT, "商品不存在: " + ",".join(unknown))
    for key, stock in wanted.items():
        by_key[key].stock = stock
    sandbox.store.record_writeback(MEITUAN, shop.shop_id, "sku_stock", "", {"food_data": foods})
    return "ok"


def _sell_status(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    shop = _shop(sandbox, app_id, params["app_poi_code"])
    try:
        foods = json.loads(params["food_data"])
        wanted = {(str(f["app_food_code"]), str(s["sku_id"])) for f in foods for s in f["skus"]}
        status = int(params["sell_status"])
    except (ValueError, KeyError, TypeError):
        raise SimError(ErrorCode.MISSING_PARAM, "food_data 或 sell_status 格式错误") from None
    if status not in (0, 1):
        raise SimError(ErrorCode.MISSING_PARAM, "sell_status 只能是 0 或 1")
    by_key = {(p.item_id, p.sku_id): p for p in shop.products}
    unknown = [f"{a}/{b}" for a, b in wanted if (a, b) not in by_key]
    if unknown:
        raise SimError(ErrorCode.STATE_CONFLICT, "商品不存在: " + ",".join(unknown))
    for key in wanted:
        by_key[key].on_sale = status == 0
    sandbox.store.record_writeback(
        MEITUAN, shop.shop_id, "sell_status", "", {"food_data": foods, "sell_status": status}
    )
    return "ok"


def _refund_decision(agree: bool):
    def handler(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
        order = _order(sandbox, app_id, params["order_id"])
        sandbox.lifecycle.decide_refund(order, agree=agree, reason=params["reason"])
        return _written(sandbox, order, "refund_agree" if agree else "refund_reject", params)

    return handler


def _refund_detail(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> list:
    order = _order(sandbox, app_id, params["wm_order_id_view"])
    return [meituan_wire.refund_row(a) for a in order.after_sales]


def _review_after_sales(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    order = _order(sandbox, app_id, params["wm_order_id_view"])
    review = int(params["review_type"])
    if review == REVIEW_AGREE_RETURN:
        aftersale_moves.agree_return(sandbox.lifecycle, order)
    elif review == REVIEW_CONFIRM_RECEIPT:
        aftersale_moves.confirm_receipt(sandbox.lifecycle, order)
    else:
        sandbox.lifecycle.decide_refund(order, agree=False, reason=params.get("reject_reason_code", ""))
    return _written(sandbox, order, "review_after_sales", params)


def _part_refund(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> str:
    order = _order(sandbox, app_id, params["order_id"])
    try:
        foods = json.loads(params["food_data"])
        lines = [{"item_id": f["app_food_code"], "sku_id": f["sku_id"], "quantity": int(f["count"])} for f in foods]
    except (ValueError, KeyError, TypeError):
        raise SimError(ErrorCode.MISSING_PARAM, "food_data 格式错误") from None
    aftersale_moves.partial_refund(sandbox.lifecycle, order, lines=lines, reason=params["reason"])
    return _written(sandbox, order, "apply_part_refund", params)


def _day_seq(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> dict:
    shop = _shop(sandbox, app_id, params["app_poi_code"])
    return {"day_seq": shop.day_seq.get(shanghai_day(time.time()), 0)}


def _id_by_day_seq(sandbox: Sandbox, app_id: str, params: dict[str, str]) -> dict:
    shop = _shop(sandbox, app_id, params["app_poi_code"])
    key = (MEITUAN, shop.shop_id, int(params["date_time"]), int(params["day_seq"]))
    order = sandbox.store.by_day_seq.get(key)
    if order is None:
        raise SimError(ErrorCode.NO_SUCH_ORDER, "订单不存在")
    return {"order_id": int(order.order_id)}


HANDLERS = {
    Path.CONFIRM: _confirm,
    Path.CANCEL: _cancel,
    Path.DETAIL: _detail,
    Path.PREPARED: _prepared,
    Path.LOGISTICS_SYNC: _logistics_sync,
    Path.RETAIL_LIST: _retail_list,
    Path.SKU_STOCK: _sku_stock,
    Path.SELL_STATUS: _sell_status,
    Path.REFUND_AGREE: _refund_decision(True),
    Path.REFUND_REJECT: _refund_decision(False),
    Path.REFUND_DETAIL: _refund_detail,
    Path.REVIEW_AFTER_SALES: _review_after_sales,
    Path.PART_REFUND: _part_refund,
    Path.DAY_SEQ: _day_seq,
    Path.ID_BY_DAY_SEQ: _id_by_day_seq,
}

routes = [Route(PREFIX + "{path:path}", endpoint, methods=["GET", "POST"])]
