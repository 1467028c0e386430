"""金蝶云星空's WebAPI as the sandbox serves it under /kingdee/k3cloud/<Service>.common.kdsvc.

Verifies both header signatures as the gateway does (HTTP 519 + errcode when wrong or stale),
keeps SAL_SaleOrder bills by FBillNo (a second Save of a number is refused), un-audits and deletes
them (not once an 出库单 exists), and answers ExecuteBillQuery on SAL_SaleOrder and SAL_OUTSTOCK
with bare arrays in FieldKeys order, honouring FilterString (AND of simple comparisons),
StartRow and Limit.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from integrations.erp_base import BEIJING, LOCAL_FORMAT
from integrations.kingdee import spec
from integrations.kingdee.sign import api_signature, kd_signature
from integrations.sandbox.erp_twin import ErpDoc, ErpTwinState, state_of
from integrations.sandbox.faults import FaultKind

CONDITION = re.compile(r"\s*([\w.]+)\s*(>=|<=|=|>|<)\s*'((?:[^']|'')*)'\s*")
# The twin's carrier base data: our codes where they match, a merchant's own number for 极兔.
CARRIER_NUMBERS = {"JT": "CYS007"}


def _refused(status: int, errcode: int, words: str) -> JSONResponse:
    return JSONResponse({"errcode": errcode, "description": words}, status_code=status)


def _result(ok: bool, message: str = "", number: str = "", bill_id: int = 0) -> dict[str, Any]:
    status: dict[str, Any] = {
        "IsSuccess": ok,
        "ErrorCode": 0 if ok else 500,
        "MsgCode": 0,
        "Errors": [],
        "SuccessEntitys": [],
    }
    if ok:
        status["SuccessEntitys"] = [{"Id": bill_id, "Number": number, "DIndex": 0}]
    else:
        status["Errors"] = [{"FieldName": "FBillNo" if number else "", "Message": message, "DIndex": 0}]
    return {"Result": {"ResponseStatus": status, "Id": bill_id, "Number": number, "NeedReturnData": []}}


async def endpoint(request: Request) -> Response:
    sandbox, state = request.app.state.sandbox, state_of(request, spec.ERP)
    service = request.path_params["service"]
    account = state.accounts.get(request.headers.get("X-Kd-Appkey", ""))
    fault = sandbox.faults.take_api(spec.ERP, (account or {}).get("acct_id", ""), service)
    if fault and fault.kind == FaultKind.SLOW:
        await asyncio.sleep(fault.delay_ms / 1000)
    elif fault and fault.kind == FaultKind.SERVER_ERROR:
        state.answers[f"http_{fault.status}"] += 1
        return PlainTextResponse("Service Unavailable", status_code=fault.status)
    refused = _gateway(state, account, request)
    if refused is None and (fault and fault.kind == FaultKind.RATE_LIMIT or state.over_limit(account["app_id"])):
        refused = JSONResponse(
            {"errcode": 429, "description": "请求过于频繁"}, status_code=429, headers={"Retry-After": "1"}
        )
    if refused is not None:
        state.answers[f"http_{refused.status_code}"] += 1
        sandbox.store.record_request(spec.ERP, service, f"http_{refused.status_code}")
        return refused
    body = json.loads(await request.body() or b"{}")
    handler = HANDLERS.get(service.removeprefix(spec.STUB))
    answer = handler(state, account, body) if handler else _result(False, f"服务 {service} 不存在")
    state.answers["ok"] += 1
    sandbox.store.record_request(spec.ERP, service, "ok")
    return JSONResponse(answer)


def _gateway(state: ErpTwinState, account: dict[str, str] | None, request: Request) -> JSONResponse | None:
    headers = request.headers
    if account is None:
        return _refused(spec.GATEWAY_REFUSED, spec.BAD_SIGNATURE, "应用 ID 无效")
    ts, nonce = headers.get("x-api-timestamp", ""), headers.get("x-api-nonce", "")
    try:
        data = base64.b64decode(headers.get("X-Kd-Appdata", "")).decode("utf-8")
    except ValueError:
        data = ""
    expected = ",".join((account["acct_id"], account["username"]))
    good = (
        headers.get("X-Api-ClientID") == account["app_id"].split("_", 1)[0]
        and headers.get("X-Api-Signature") == api_signature(account["app_id"], request.url.path, ts, nonce)
        and headers.get("X-Kd-Signature") == kd_signature(account["app_secret"], account["app_id"], data)
        and data.startswith(expected + ",")
    )
    if not good:
        return _refused(spec.GATEWAY_REFUSED, spec.BAD_SIGNATURE, "签名验证失败")
    seconds = int(ts) / 1000 if ts.isdigit() and int(ts) > 10**11 else int(ts) if ts.isdigit() else 0
    if abs(time.time() - seconds) > spec.TIMESTAMP_WINDOW:
        return _refused(spec.GATEWAY_REFUSED, spec.BAD_TIMESTAMP, "请求时间戳已过期")
    return None


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data") or {}
    return json.loads(data) if isinstance(data, str) else data


# ---- bills -------------------------------------------------------------------------------------


def save(state: ErpTwinState, account: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    if body.get("formid") != spec.SALE_ORDER:
        return _result(False, f"表单 {body.get('formid')} 不支持保存")
    data = _data(body)
    model = data.get("Model") or {}
    entries = model.get("FSaleOrderEntry") or []
    bill_no = str(model.get("FBillNo") or f"XSDD{state.next_number():06d}")
    if not (model.get("FCustId") or {}).get("FNumber") or not (model.get("FSaleOrgId") or {}).get("FNumber"):
        return _result(False, "客户和销售组织是必录项")
    if not entries or any(
        not (e.get("FMaterialId") or {}).get("FNumber") or float(e.get("FQty") or 0) <= 0 for e in entries
    ):
        return _result(False, "明细须有物料编码和大于 0 的数量")
    known = state.find(account["app_id"], "order", bill_no)
    if known is not None and not known.cancelled:
        return _result(False, f"单据编号“{bill_no}”已存在，不允许重复！", bill_no)
    audited = str(data.get("IsAutoSubmitAndAudit")).lower() == "true"
    doc = state.receive(
        account["app_id"], bill_no, "order", model | {"FDocumentStatus": spec.AUDITED if audited else "A"}
    )
    doc.cancelled = False
    return _result(True, number=bill_no, bill_id=int(doc.erp_no))


def _numbered(state: ErpTwinState, account: dict[str, str], body: dict[str, Any]) -> list[ErpDoc | str]:
    found: list[ErpDoc | str] = []
    for number in _data(body).get("Numbers") or []:
        doc = state.find(account["app_id"], "order", str(number))
        found.append(doc if doc is not None and not doc.cancelled else str(number))
    return found


def unaudit(state: ErpTwinState, account: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    docs = _numbered(state, account, body)
    if missing := [d for d in docs if isinstance(d, str)]:
        return _result(False, f"单据 {missing[0]} 不存在")
    if any(d.shipped or _has_stock_out(state, d) for d in docs):
        return _result(False, "已生成下游单据（销售出库单），不允许反审核")
    for doc in docs:
        doc.payload["FDocumentStatus"] = "D"
    return _result(True)


def delete(state: ErpTwinState, account: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    docs = _numbered(state, account, body)
    if missing := [d for d in docs if isinstance(d, str)]:
        return _result(False, f"单据 {missing[0]} 不存在")
    if any(d.payload.get("FDocumentStatus") in (spec.AUDITED, "B") for d in docs):
        return _result(False, "已审核或审核中的单据不允许删除")
    for doc in docs:
        doc.cancelled = True
    return _result(True)


def _has_stock_out(state: ErpTwinState, doc: ErpDoc) -> bool:
    return any(s.account == doc.account and s.order_key == doc.key for s in state.shipments)


# ---- ExecuteBillQuery --------------------------------------------------------------------------


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, BEIJING).strftime(LOCAL_FORMAT)


def _order_rows(state: ErpTwinState, app_id: str, docs: list[ErpDoc] | None = None) -> list[dict[str, Any]]:
    return [
        {"FID": int(d.erp_no), "FBillNo": d.key, "FDocumentStatus": d.payload.get("FDocumentStatus"), "FDate": d.payload.get("FDate")}
        for d in (state.docs.values() if docs is None else docs)
        if d.account == app_id and d.kind == "order" and not d.cancelled
    ]  # fmt: skip


def _stock_out_rows(state: ErpTwinState, app_id: str) -> list[dict[str, Any]]:
    state.tick()
    rows = []
    for s in (s for s in state.shipments if s.account == app_id):
        order = state.find(app_id, "order", s.order_key)
        entries = s.lines or [
            (e["FMaterialId"]["FNumber"], e["FQty"]) for e in (order.payload["FSaleOrderEntry"] if order else [])
        ]
        head = {
            "FBillNo": f"XSCKD{s.id:06d}", "FDate": _stamp(s.shipped_at), "FModifyDate": _stamp(s.shipped_at),
            "FDocumentStatus": spec.AUDITED, "FCarrierID.FNumber": CARRIER_NUMBERS.get(s.carrier, s.carrier),
            "FCarrierID.FName": s.carrier_name, "FCarriageNO": s.tracking_no, "FSoorDerno": s.order_key,
        }  # fmt: skip
        rows += [head | {"FMaterialID.FNumber": sku, "FRealQty": qty} for sku, qty in entries]
    return rows


def _matches(row: dict[str, Any], filters: str) -> bool:
    for part in filter(None, re.split(r"\s+AND\s+", filters.strip(), flags=re.IGNORECASE)):
        found = CONDITION.fullmatch(part)
        if found is None:
            raise ValueError(f"过滤条件无法解析：{part}")
        field, op, value = found[1], found[2], found[3].replace("''", "'")
        have = str(row.get(field) if row.get(field) is not None else "")
        ok = {"=": have == value, ">=": have >= value, "<=": have <= value, ">": have > value, "<": have < value}[op]
        if not ok:
            return False
    return True


def execute_bill_query(state: ErpTwinState, account: dict[str, str], body: dict[str, Any]) -> Any:
    data = _data(body)
    sources = {spec.SALE_ORDER: _order_rows, spec.OUT_STOCK: _stock_out_rows}
    form = data.get("FormId")
    if form not in sources:
        return [[_result(False, f"表单 {form} 不支持查询")]]
    one = re.fullmatch(r"\s*FBillNo\s*=\s*'((?:[^']|'')*)'\s*", str(data.get("FilterString") or ""))
    if form == spec.SALE_ORDER and one:  # by number: the bill's own index, not a scan
        doc = state.find(account["app_id"], "order", one[1].replace("''", "'"))
        rows = [] if doc is None or doc.cancelled else _order_rows(state, account["app_id"], [doc])
    else:
        rows = sources[form](state, account["app_id"])
    keys = [k.strip() for k in str(data.get("FieldKeys") or "").split(",") if k.strip()]
    if not keys or (unknown := [k for k in keys if rows and k not in rows[0]]):
        return [[_result(False, f"字段不存在：{','.join(unknown) if keys else 'FieldKeys'}")]]
    try:
        rows = [r for r in rows if _matches(r, str(data.get("FilterString") or ""))]
    except ValueError as exc:
        return [[_result(False, str(exc))]]
    if "FModifyDate" in str(data.get("OrderString") or ""):
        rows.sort(key=lambda r: str(r.get("FModifyDate")))
    start, limit = int(data.get("StartRow") or 0), int(data.get("Limit") or 0) or spec.QUERY_LIMIT
    return [[row.get(k) for k in keys] for row in rows[start : start + min(limit, spec.QUERY_LIMIT)]]


HANDLERS = {"Save": save, "UnAudit": unaudit, "Delete": delete, "ExecuteBillQuery": execute_bill_query}

routes = [Route(spec.TWIN_PREFIX + "/{service}.common.kdsvc", endpoint, methods=["POST"])]
