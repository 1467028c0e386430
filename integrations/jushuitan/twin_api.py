"""聚水潭's gateway as the sandbox serves it under /jushuitan/open/...

Checks each call as JST does (system params, 10 sign, 100 token, 140 timestamp, 199/200 rate
limits), keeps orders by (shop_id, so_id) with upsert, and shows shipments only through the
logistic and order queries.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from integrations.erp_base import BEIJING, LOCAL_FORMAT, parse_local
from integrations.jushuitan import spec
from integrations.jushuitan.sign import jst_sign
from integrations.sandbox.erp_twin import ErpDoc, ErpShipment, ErpTwinState, state_of
from integrations.sandbox.faults import FaultKind


class Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _answer(code: int, msg: str, data: Any = None) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "data": data})


async def endpoint(request: Request) -> Response:
    sandbox, state = request.app.state.sandbox, state_of(request, spec.ERP)
    path = "/open/" + request.path_params["path"]
    params = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    fault = sandbox.faults.take_api(spec.ERP, params.get("app_key", ""), path)
    if fault and fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
    elif fault and fault.kind == FaultKind.SERVER_ERROR:
        state.answers[f"http_{fault.status}"] += 1
        return PlainTextResponse("Service Unavailable", status_code=fault.status)
    try:
        if fault and fault.kind == FaultKind.RATE_LIMIT:
            raise Refused(spec.PER_SECOND, "接口调用频率超限：每秒最多 5 次")
        biz = _checked(state, params)
        data = HANDLERS[path](state, params["app_key"], biz)
    except KeyError as exc:
        return _refuse(sandbox, state, path, Refused(spec.BAD_ARGS, f"接口不存在或缺少参数 {exc}"))
    except Refused as exc:
        return _refuse(sandbox, state, path, exc)
    state.answers["0"] += 1
    sandbox.store.record_request(spec.ERP, path, "ok")
    return _answer(spec.OK, "执行成功", data)


def _refuse(sandbox, state: ErpTwinState, path: str, exc: Refused) -> JSONResponse:
    state.answers[str(exc.code)] += 1
    sandbox.store.record_request(spec.ERP, path, str(exc.code))
    return _answer(exc.code, exc.message)


def _checked(state: ErpTwinState, params: dict[str, str]) -> Any:
    for name in spec.SYSTEM_PARAMS:
        if name not in params:
            raise Refused(spec.BAD_ARGS, f"缺少参数 {name}")
    account = state.accounts.get(params["app_key"])
    if account is None or jst_sign(account["app_secret"], params) != params["sign"]:
        raise Refused(spec.BAD_SIGN, "签名错误")
    if not params["timestamp"].isdigit() or abs(time.time() - int(params["timestamp"])) > spec.TIMESTAMP_WINDOW:
        raise Refused(spec.BAD_TIMESTAMP, "timestamp 无效或超出允许范围")
    if params["access_token"] != account["access_token"]:
        raise Refused(spec.BAD_TOKEN, "access_token 无效或已过期")
    window = state.over_limit(params["app_key"])
    if window == "second":
        raise Refused(spec.PER_SECOND, "接口调用频率超限：每秒最多 5 次")
    if window == "minute":
        raise Refused(spec.PER_MINUTE, "接口调用次数超限：每分钟最多 100 次")
    try:
        return json.loads(params["biz"])
    except ValueError:
        raise Refused(spec.BAD_ARGS, "biz 不是有效的 JSON") from None


def _account(app_key: str, shop_id: object) -> str:
    return f"{app_key}:{shop_id}"


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, BEIJING).strftime(LOCAL_FORMAT)


# ---- handlers ----------------------------------------------------------------------------------


def upload_orders(state: ErpTwinState, app_key: str, biz: Any) -> dict:
    if not isinstance(biz, list) or not biz:
        raise Refused(spec.BAD_ARGS, "biz 须为订单数组")
    datas = []
    for order in biz:
        so_id = str(order.get("so_id") or "")
        if not so_id or not order.get("shop_id") or not order.get("items"):
            datas.append({"so_id": so_id, "issuccess": False, "msg": "so_id、shop_id、items 必填", "o_id": 0})
            continue
        doc = state.receive(_account(app_key, order["shop_id"]), so_id, "order", order)
        items = order["items"]
        closed = order.get("shop_status") in ("TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO")
        if not doc.shipped and (closed or all(i.get("refund_status") == "success" for i in items)):
            doc.cancelled = True
        datas.append({"o_id": int(doc.erp_no), "so_id": so_id, "issuccess": True, "msg": ""})
    return {"datas": datas}


def cancel_by_oid(state: ErpTwinState, app_key: str, biz: dict) -> None:
    o_ids = [str(o) for o in biz["o_ids"]]
    if not o_ids or len(o_ids) > spec.MAX_CANCEL_OIDS:
        raise Refused(spec.BAD_ARGS, "o_ids 须为 1-50 个")
    docs = [
        d
        for d in state.docs.values()
        if d.kind == "order" and d.erp_no in o_ids and d.account.startswith(app_key + ":")
    ]
    if len(docs) != len(set(o_ids)):
        raise Refused(spec.BAD_ARGS, "存在无效的内部单号")
    if any(d.shipped for d in docs):
        raise Refused(spec.BAD_ARGS, "订单已发货，不可取消")
    for doc in docs:
        doc.cancelled = True
    return None


def upload_aftersale(state: ErpTwinState, app_key: str, biz: Any) -> dict:
    datas = []
    for row in biz:
        key, so_id = str(row.get("outer_as_id") or ""), str(row.get("so_id") or "")
        account = _account(app_key, row.get("shop_id"))
        if not key or state.find(account, "order", so_id) is None:
            datas.append(
                {"outer_as_id": key, "so_id": so_id, "issuccess": False, "msg": "原订单不存在或缺少 outer_as_id"}
            )
            continue
        new = state.find(account, "after_sale", key) is None
        doc = state.receive(account, key, "after_sale", row)
        if new and row.get("type") in spec.SPAWNING_TYPES:  # taken as confirmed: the new order ships later
            lines = [{"sku_id": i["sku_id"], "qty": i["qty"]} for i in row.get("items") or [] if i.get("sku_id")]
            spawned = {"so_id": so_id, "shop_id": row.get("shop_id"), "items": lines, "as_id": int(doc.erp_no)}
            state.receive(
                account, f"{so_id}/AS{doc.erp_no}", "order", spawned | {"type": spec.SPAWNING_TYPES[row["type"]]}
            )
        datas.append({"as_id": int(doc.erp_no), "outer_as_id": key, "so_id": so_id, "issuccess": True, "msg": ""})
    return {"datas": datas}


def _window(biz: dict) -> tuple[float, float] | None:
    begin, end = biz.get("modified_begin"), biz.get("modified_end")
    if not begin and not end:
        return None
    if not (begin and end):
        raise Refused(spec.BAD_ARGS, "modified_begin 与 modified_end 须同时提供")
    start, stop = parse_local(begin), parse_local(end)
    if (stop - start).total_seconds() > spec.MAX_WINDOW_DAYS * 86400:
        raise Refused(spec.BAD_ARGS, "时间间隔不能超过七天")
    return start.timestamp(), stop.timestamp()


def _page(biz: dict, limit: int, rows: list) -> dict:
    index, size = int(biz.get("page_index") or 1), int(biz.get("page_size") or 30)
    if index < 1 or not 1 <= size <= limit:
        raise Refused(spec.BAD_ARGS, f"page_index 从 1 开始，page_size 最大 {limit}")
    chunk = rows[(index - 1) * size : index * size]
    pages = max(1, -(-len(rows) // size))
    return {
        "page_index": index,
        "page_size": size,
        "data_count": len(rows),
        "page_count": pages,
        "has_next": index < pages,
        "chunk": chunk,
    }


def _selected(state: ErpTwinState, app_key: str, biz: dict) -> list[tuple[ErpDoc, ErpShipment | None]]:
    state.tick()
    so_ids = {str(s) for s in biz.get("so_ids") or []}
    o_ids = {str(o) for o in biz.get("o_ids") or []}
    if len(so_ids) > 20 or len(o_ids) > 20:
        raise Refused(spec.BAD_ARGS, "so_ids / o_ids 最多 20 个")
    window = None if so_ids or o_ids else _window(biz)
    if window is None and not (so_ids or o_ids):
        raise Refused(spec.BAD_ARGS, "须提供 so_ids、o_ids 或修改时间区间")
    shop = biz.get("shop_id")
    docs = [d for d in state.docs.values() if d.kind == "order" and d.account.startswith(app_key + ":")]
    docs = [d for d in docs if shop in (None, "") or d.account == _account(app_key, shop)]
    docs = [d for d in docs if (not so_ids or d.payload.get("so_id") in so_ids) and (not o_ids or d.erp_no in o_ids)]
    rows: list[tuple[ErpDoc, ErpShipment | None]] = []
    for doc in docs:
        sent = [s for s in state.shipments if s.account == doc.account and s.order_key == doc.key]
        for shipment in sent or [None]:
            changed = shipment.shipped_at if shipment else doc.received_at
            if window is None or window[0] <= changed <= window[1]:
                rows.append((doc, shipment))
    return sorted(rows, key=lambda r: r[1].id if r[1] else 0)


def _row(doc: ErpDoc, shipment: ErpShipment | None) -> dict:
    items = [
        {"sku_id": sku, "qty": qty, "outer_oi_id": "", "raw_so_id": doc.payload.get("so_id"), "o_id": int(doc.erp_no)}
        for sku, qty in (
            shipment.lines if shipment and shipment.lines else [(i["sku_id"], i["qty"]) for i in doc.payload["items"]]
        )
    ]
    so_id = str(doc.payload.get("so_id") or doc.key)
    row = {"o_id": int(doc.erp_no), "shop_id": doc.payload.get("shop_id"), "so_id": so_id, "items": items}
    row |= {"type": doc.payload.get("type") or "普通订单", "as_id": doc.payload.get("as_id") or 0}
    status = "Cancelled" if doc.cancelled else "Sent" if shipment or doc.shipped else "WaitConfirm"
    if shipment:
        row |= {
            "send_date": _stamp(shipment.shipped_at),
            "lc_id": spec.CARRIER_CODES.get(shipment.carrier, shipment.carrier),
            "logistics_company": shipment.carrier_name,
            "l_id": shipment.tracking_no,
            "ts": shipment.id,
        }
    return row | {"status": status}


def query_logistic(state: ErpTwinState, app_key: str, biz: dict) -> dict:
    rows = [_row(d, s) for d, s in _selected(state, app_key, biz) if s is not None]
    page = _page(biz, spec.LOGISTIC_PAGE, rows)
    return {k: v for k, v in page.items() if k != "chunk"} | {"orders": page["chunk"]}


def query_orders(state: ErpTwinState, app_key: str, biz: dict) -> dict:
    rows = [_row(d, s) for d, s in _selected(state, app_key, biz)]
    rows = [r for r in rows if biz.get("status") in (None, "", r["status"])]
    page = _page(biz, spec.ORDERS_PAGE, rows)
    return {k: v for k, v in page.items() if k != "chunk"} | {"orders": page["chunk"]}


def query_shops(state: ErpTwinState, app_key: str, biz: dict) -> dict:
    shops = {d.account.split(":", 1)[1] for d in state.docs.values() if d.account.startswith(app_key + ":")}
    shops = sorted(shops | {state.accounts[app_key].get("shop_id", "")} - {""})  # its 自有商城 shop
    return {"page_index": 1, "has_next": False, "datas": [{"shop_id": s, "shop_name": f"自有商城 {s}"} for s in shops]}


HANDLERS = {
    spec.UPLOAD_ORDERS: upload_orders,
    spec.CANCEL_BY_OID: cancel_by_oid,
    spec.UPLOAD_AFTERSALE: upload_aftersale,
    spec.QUERY_LOGISTIC: query_logistic,
    spec.QUERY_ORDERS: query_orders,
    spec.QUERY_SHOPS: query_shops,
}


async def refresh_token(request: Request) -> Response:
    """/openWeb/auth/refreshToken: signed like every call; the old access token stops working."""
    state = state_of(request, spec.ERP)
    params = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    account = state.accounts.get(params.get("app_key", ""))
    if account is None or jst_sign(account["app_secret"], params) != params.get("sign"):
        return _answer(spec.BAD_SIGN, "签名错误")
    if params.get("grant_type") != "refresh_token" or params.get("refresh_token") != account.get("refresh_token"):
        return _answer(spec.BAD_TOKEN, "refresh_token 无效")
    number = state.next_number()
    account |= {"access_token": f"tok-{number}", "refresh_token": f"refresh-{number}"}
    data = {
        "access_token": account["access_token"],
        "expires_in": spec.TOKEN_TTL,
        "refresh_token": account["refresh_token"],
        "scope": "all",
    }
    return _answer(spec.OK, "执行成功", data)


routes = [
    Route(spec.TWIN_PREFIX + "/open/{path:path}", endpoint, methods=["POST"]),
    Route(spec.TWIN_PREFIX + spec.REFRESH_TOKEN, refresh_token, methods=["POST"]),
]
