"""旺店通 企业版's API as the sandbox serves it under /wdt/openapi2/<name>.php.

Checks each call as WDT does (length-prefixed md5 sign, sid/appkey, 5-minute timestamp), keeps
原始单 by tid per sid with upsert counts, refuses an oid another tid owns, keeps the logistics sync
queue (records wait with sync_status 0 until acked; acking twice is an error entry), and takes
refunds by refund_no.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from integrations.erp_base import BEIJING, LOCAL_FORMAT
from integrations.sandbox.erp_twin import ErpShipment, ErpTwinState, state_of
from integrations.sandbox.faults import FaultKind
from integrations.wdt import spec
from integrations.wdt.sign import wdt_sign


class Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


RATE_ANSWER = Refused(spec.RATE_LIMITED, "超过每分钟最大调用频率限制")


async def endpoint(request: Request) -> Response:
    sandbox, state = request.app.state.sandbox, state_of(request, spec.ERP)
    name = request.path_params["name"]
    params = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    fault = sandbox.faults.take_api(spec.ERP, params.get("sid", ""), name)
    if fault and fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
    elif fault and fault.kind == FaultKind.SERVER_ERROR:
        state.answers[f"http_{fault.status}"] += 1
        return PlainTextResponse("Service Unavailable", status_code=fault.status)
    try:
        if fault and fault.kind == FaultKind.RATE_LIMIT:
            raise RATE_ANSWER
        account = _checked(state, params)
        if name not in HANDLERS:
            raise Refused(spec.OTHER, f"接口 {name} 不存在")
        data = HANDLERS[name](state, account, params)
    except (KeyError, ValueError, TypeError) as exc:
        data, refused = None, Refused(spec.BAD_VALUE, f"参数无效: {exc}")
    except Refused as exc:
        data, refused = None, exc
    else:
        refused = None
    if refused is not None:
        state.answers[str(refused.code)] += 1
        sandbox.store.record_request(spec.ERP, name, str(refused.code))
        return JSONResponse({"code": refused.code, "message": refused.message})
    state.answers["0"] += 1
    sandbox.store.record_request(spec.ERP, name, "ok")
    return JSONResponse({"code": 0, "message": ""} | data)


def _checked(state: ErpTwinState, params: dict[str, str]) -> dict[str, str]:
    for name in spec.SYSTEM_PARAMS:
        if not params.get(name):
            raise Refused(spec.BAD_AUTH, f"缺少系统参数 {name}")
    account = state.accounts.get(params["sid"])
    if account is None or account["appkey"] != params["appkey"]:
        raise Refused(spec.SHOP_UNKNOWN, "卖家账号或 appkey 无效")
    if wdt_sign(account["appsecret"], params) != params["sign"]:
        raise Refused(spec.BAD_AUTH, "签名错误")
    if not params["timestamp"].isdigit() or abs(time.time() - int(params["timestamp"])) > spec.TIMESTAMP_WINDOW:
        raise Refused(spec.BAD_TIMESTAMP, "时间戳超出允许范围")
    if state.over_limit(params["sid"]):
        raise RATE_ANSWER
    return account


def _shop(account: dict[str, str], params: dict[str, str]) -> str:
    shop = params.get("shop_no") or params.get("shop_id") or ""
    if shop != account["shop_no"]:
        raise Refused(spec.SHOP_UNKNOWN, "店铺ID不存在")
    return shop


def _list(params: dict[str, str], name: str, limit: int) -> list[dict[str, Any]]:
    rows = json.loads(params[name])
    if not isinstance(rows, list) or not 1 <= len(rows) <= limit:
        raise Refused(spec.BAD_VALUE, f"{name} 须为 1-{limit} 条的数组")
    return rows


# ---- handlers ----------------------------------------------------------------------------------


def trade_push(state: ErpTwinState, account: dict[str, str], params: dict[str, str]) -> dict:
    _shop(account, params)
    sid = account["sid"]
    trades = _list(params, "trade_list", spec.MAX_TRADES)
    nicks = Counter(str(t.get("buyer_nick") or "") for t in trades)
    if max(nicks.values()) > spec.MAX_SAME_NICK:
        raise Refused(spec.OTHER, "同一买家昵称一次最多推送 30 个订单")
    new = changed = 0
    for row in trades:
        tid = str(row["tid"])
        doc = state.find(sid, "order", tid)
        closing = int(row.get("trade_status") or 0) in (spec.TRADE_STATUS_REFUNDED, spec.TRADE_STATUS_CLOSED)
        if doc is None and not row.get("order_list"):
            raise Refused(spec.BAD_VALUE, f"订单 {tid} 没有货品")
        oids = [str(o["oid"]) for o in row.get("order_list") or []]
        if any(state.index.get(("oid", sid, o), tid) != tid for o in oids):
            raise Refused(spec.BAD_VALUE, f"订单 {tid} 的子订单号 oid 已被其他订单使用")
        if closing and doc is not None and doc.shipped:
            raise Refused(spec.OTHER, f"订单 {tid} 已发货，不能关闭")
        if doc is not None and not row.get("order_list"):  # a status change only: keep the lines
            row = doc.payload | {k: v for k, v in row.items() if k != "order_list"}
        new, changed = (new + 1, changed) if doc is None else (new, changed + 1)
        doc = state.receive(sid, tid, "order", row, erp_no=tid)
        state.index.update({("oid", sid, o): tid for o in oids})
        doc.cancelled = doc.cancelled or closing
    return {"new_count": new, "chg_count": changed}


def _record(shipment: ErpShipment, payload: dict[str, Any], shop_no: str) -> dict[str, Any]:
    oids = []
    for sku, _qty in shipment.lines:
        oids += [o["oid"] for o in payload.get("order_list", []) if o.get("goods_no") == sku]
    known = shipment.carrier in spec.CARRIER_CODES
    stamp = datetime.fromtimestamp(shipment.shipped_at, BEIJING).strftime(LOCAL_FORMAT)
    return {
        "rec_id": shipment.id,
        "tid": shipment.order_key,
        "logistics_no": shipment.tracking_no,
        "logistics_type": spec.CARRIER_CODES[shipment.carrier] if known else 0,
        "logistics_name": shipment.carrier_name,
        "consign_time": stamp,
        "delivery_term": 1,
        "is_part_sync": 1 if oids else 0,
        "oids": ",".join(oids),
        "platform_id": spec.SELF_PLATFORM,
        "shop_no": shop_no,
        "sync_status": 0,
        "created": stamp,
    }


def logistics_sync_query(state: ErpTwinState, account: dict[str, str], params: dict[str, str]) -> dict:
    _shop(account, params)
    limit = int(params.get("limit") or 100)
    if not 1 <= limit <= spec.MAX_SYNC:
        raise Refused(spec.BAD_VALUE, "limit 须为 1-100")
    state.tick()
    waiting = [s for s in state.shipments if s.account == account["sid"] and not s.acked]
    if params.get("is_part_sync_able") != "1":
        waiting = [s for s in waiting if not s.lines]  # part shipments only for those who take them
    docs = {d.key: d.payload for d in state.docs.values() if d.account == account["sid"] and d.kind == "order"}
    trades = [_record(s, docs.get(s.order_key, {}), account["shop_no"]) for s in waiting[:limit]]
    return {"total_count": len(waiting), "trades": trades}


def logistics_sync_ack(state: ErpTwinState, account: dict[str, str], params: dict[str, str]) -> dict:
    rows = _list(params, "logistics_list", spec.MAX_ACKS)
    by_id = {str(s.id): s for s in state.shipments if s.account == account["sid"]}
    errors = []
    for row in rows:
        shipment = by_id.get(str(row["rec_id"]))
        if shipment is None or shipment.acked:
            errors.append({"rec_id": row["rec_id"], "error": "非待同步状态,不可更新"})
        else:
            shipment.acked = True
    return {"errors": errors}


def sales_refund_push(state: ErpTwinState, account: dict[str, str], params: dict[str, str]) -> dict:
    sid, new, changed = account["sid"], 0, 0
    for row in _list(params, "api_refund_list", spec.MAX_REFUNDS):
        if state.find(sid, "order", str(row["tid"])) is None:
            raise Refused(spec.BAD_VALUE, f"原始单 {row['tid']} 不存在")
        if not row.get("refund_no"):
            raise Refused(spec.BAD_VALUE, "refund_no 必填")
        known = state.find(sid, "after_sale", str(row["refund_no"])) is not None
        state.receive(sid, str(row["refund_no"]), "after_sale", row, erp_no=str(row["refund_no"]))
        new, changed = (new, changed + 1) if known else (new + 1, changed)
    return {"new_count": new, "chg_count": changed}


HANDLERS = {
    spec.TRADE_PUSH: trade_push,
    spec.SYNC_QUERY: logistics_sync_query,
    spec.SYNC_ACK: logistics_sync_ack,
    spec.REFUND_PUSH: sales_refund_push,
}

routes = [
    Route(spec.TWIN_PREFIX + "/{name}.php", endpoint, methods=["POST"]),
    Route("/wdt/openapi/{name}.php", endpoint, methods=["POST"]),  # the newer doc tree's paths
]
