"""菜鸟电子面单 in the twin: cainiao.waybill.ii.get (idempotent by object_id) and .cancel."""

from __future__ import annotations

import hashlib
import json

from integrations.taobao.spec import COMPANY_CODE, WAYBILL_CARRIERS
from integrations.taobao.twin_api import Call, isv
from integrations.taobao.twin_state import STATE

CP_CODES = {COMPANY_CODE[c] for c in WAYBILL_CARRIERS}
# 大头笔 / 集包地 by receiver province (the twin's tiny routing table)
ROUTES = {"上海": ("沪 021", "上海转运中心"), "浙江": ("浙 571", "杭州转运中心"), "北京": ("京 010", "北京转运中心")}


def waybill_get(call: Call) -> dict:
    (raw,) = call.need("param_waybill_cloud_print_apply_new_request")
    try:
        request = json.loads(raw)
        cp_code = str(request["cp_code"])
        dtos = list(request["trade_order_info_dtos"])
    except (ValueError, KeyError, TypeError):
        raise isv("invalid-parameter", "param_waybill_cloud_print_apply_new_request 格式错误") from None
    if cp_code not in CP_CODES:
        raise isv("cp-not-subscribed", f"未订购 {cp_code} 电子面单")
    modules = []
    for dto in dtos:
        object_id = str(dto.get("object_id") or "")
        if not object_id:
            raise isv("invalid-parameter", "object_id 必填")
        key = (call.app_key, cp_code, object_id)
        if key not in STATE.waybills:  # the same object_id again gets the same number
            province = str(((dto.get("recipient") or {}).get("address") or {}).get("province") or "上海")
            sort_code, centre = ROUTES.get(province.rstrip("省市"), ("其他 000", "全国分拨中心"))
            digits = int(hashlib.sha1("|".join(key).encode()).hexdigest()[:11], 16) % 10**11
            code = f"{cp_code[:2]}{digits:011d}"
            print_data = {
                "encryptedData": hashlib.sha256(code.encode()).hexdigest(),
                "templateURL": str(dto.get("template_url") or "http://cloudprint.cainiao.com/template/standard/101"),
                "signature": "sandbox",
                "ver": "waybill_print_secret_version_1",
                "data": {
                    "waybillCode": code,
                    "routingInfo": {
                        "sortation": {"name": sort_code},
                        "consolidation": {"name": centre, "code": centre[:2]},
                        "routeCode": f"{100 + len(STATE.waybills) % 800}-{sort_code[-3:]}-A1",
                    },
                },
            }
            STATE.waybills[key] = {"waybill_code": code, "object_id": object_id, "print_data": print_data}
            call.record(str(((dto.get("order_info") or {}).get("trade_order_list") or [""])[0]), code)
        found = STATE.waybills[key]
        modules.append(
            {
                "object_id": object_id,
                "waybill_code": found["waybill_code"],
                "print_data": json.dumps(found["print_data"], ensure_ascii=False),
            }
        )
    return {"modules": {"waybill_cloud_print_response": modules}}


def waybill_cancel(call: Call) -> dict:
    cp_code, code = call.need("cp_code", "waybill_code")
    if not any(
        w["waybill_code"] == code for (app, cp, _), w in STATE.waybills.items() if app == call.app_key and cp == cp_code
    ):
        raise isv("waybill-not-exist", "面单号不存在")
    if code in STATE.cancelled_waybills:
        raise isv("waybill-already-cancel", "面单已取消")
    STATE.cancelled_waybills.add(code)
    call.record("", code)
    return {"cancel_result": True}
