"""The JD twin's refund applications, 售后服务单 (returns) and 无界电子面单 methods."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from integrations.jd import twin_wire
from integrations.jd.sign import parse_jd_time
from integrations.jd.spec import (
    MAX_REFUND_PAGE,
    PLATFORM,
    REFUND_REJECT_REASONS,
    REPLY_AGREE,
    REPLY_REJECT,
    WAYBILL_PROVIDERS,
    ErrorCode,
    Method,
)
from integrations.jd.twin_orders import order_of
from integrations.sandbox import aftersale_moves
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import AfterSale, Shop, SimError, SimOrder

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

PROVIDER_CODES = frozenset(WAYBILL_PROVIDERS.values())
NUMBER_PREFIX = {"JD": "JDVA", "SF": "SF", "ZTO": "7", "YTO": "YT", "STO": "77", "YUNDA": "43", "EMS": "11"}


def _param(message: str) -> SimError:
    return SimError(int(ErrorCode.PARAM), message)


def _window(params: dict, start: str, end: str) -> tuple[float | None, float | None]:
    try:
        lo, hi = parse_jd_time(str(params.get(start) or "")), parse_jd_time(str(params.get(end) or ""))
    except ValueError:
        raise _param(f"{start} / {end} 格式应为 yyyy-MM-dd HH:mm:ss") from None
    return (lo.timestamp() if lo else None, hi.timestamp() if hi else None)


def _within(moment: float, window: tuple[float | None, float | None]) -> bool:
    lo, hi = window
    return (lo is None or int(moment) >= lo) and (hi is None or int(moment) <= hi)


def _page(params: dict, page_name: str, size_name: str) -> tuple[int, int]:
    try:
        page, size = int(params.get(page_name, 1)), int(params.get(size_name, 20))
    except (TypeError, ValueError):
        raise _param(f"{page_name} / {size_name} 格式错误") from None
    if page < 1 or not 1 <= size <= MAX_REFUND_PAGE:
        raise _param(f"{page_name} ≥ 1，1 ≤ {size_name} ≤ {MAX_REFUND_PAGE}")
    return page, size


def _after_sales(sandbox: Sandbox, shop: Shop, returns: bool) -> list[tuple[SimOrder, AfterSale]]:
    return [
        (order, a)
        for order in sandbox.store.shop_orders(PLATFORM, shop.shop_id)
        for a in order.after_sales
        if a.return_goods == returns
    ]


def _refund_list(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    """queryPageList: by apply time or check (审核) time; there is no modified-time filter."""
    applied = _window(params, "applyTimeStart", "applyTimeEnd")
    checked = _window(params, "checkTimeStart", "checkTimeEnd")
    page, size = _page(params, "pageIndex", "pageSize")
    rows = []
    for order, a in _after_sales(sandbox, shop, returns=False):
        if params.get("orderId") and str(params["orderId"]) != order.order_id:
            continue
        if params.get("id") and str(params["id"]) != a.after_sale_id:
            continue
        if not _within(a.created_at, applied):
            continue
        if checked != (None, None) and (a.status == "applied" or not _within(a.updated_at, checked)):
            continue
        rows.append((order, a))
    rows.sort(key=lambda pair: (pair[1].created_at, pair[1].after_sale_id))
    chunk = rows[(page - 1) * size : page * size]
    return {"success": True, "totalCount": len(rows), "result": [twin_wire.refund_fields(o, a) for o, a in chunk]}


def _find(sandbox: Sandbox, shop: Shop, after_sale_id: object) -> tuple[SimOrder, AfterSale]:
    try:
        order, after_sale = sandbox.store.find_after_sale(PLATFORM, str(after_sale_id or ""))
    except KeyError:
        raise SimError(int(ErrorCode.NOT_FOUND), "退款单不存在") from None
    if order.shop_id != shop.shop_id:
        raise SimError(int(ErrorCode.NOT_FOUND), "退款单不存在")
    return order, after_sale


def _refund_reply(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order, after_sale = _find(sandbox, shop, params.get("id"))
    status = str(params.get("status") or "")
    if status not in (str(REPLY_AGREE), str(REPLY_REJECT)):
        raise _param("status 取值 1 审核通过 / 2 审核不通过")
    if not str(params.get("remark") or "").strip():
        raise _param("remark 必填")
    if status == str(REPLY_REJECT) and str(params.get("rejectType") or "") not in REFUND_REJECT_REASONS:
        raise _param("审核不通过须填写 rejectType")
    if after_sale.status != "applied":
        raise Conflict(f"退款单状态为 {after_sale.status}，不能审核")
    agree = status == str(REPLY_AGREE)
    sandbox.lifecycle.decide_refund(order, agree=agree, reason=str(params.get("remark") or ""))
    api = "refund_agree" if agree else "refund_reject"
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, api, order.order_id, params)
    return {"success": True, "errorCode": "", "errorMessage": ""}


def _service_list(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    """asc.query.list: 退货 service orders by apply or update time."""
    if str(params.get("buId") or "") != shop.shop_id:
        raise _param("buId 须为商家编号")
    applied = _window(params, "applyTimeBegin", "applyTimeEnd")
    updated = _window(params, "updateTimeBegin", "updateTimeEnd")
    page, size = _page(params, "pageNumber", "pageSize")
    rows = [
        (o, a)
        for o, a in _after_sales(sandbox, shop, returns=True)
        if (not params.get("orderId") or str(params["orderId"]) == o.order_id)
        and (not params.get("serviceId") or str(params["serviceId"]) == a.after_sale_id)
        and _within(a.created_at, applied)
        and _within(a.updated_at, updated)
    ]
    rows.sort(key=lambda pair: (pair[1].updated_at, pair[1].after_sale_id))
    chunk = rows[(page - 1) * size : page * size]
    return {
        "success": True,
        "totalCount": len(rows),
        "pageNumber": page,
        "pageSize": size,
        "data": [twin_wire.service_fields(o, a) for o, a in chunk],
    }


def _service_audit(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    """The merchant lets the buyer send the goods back (审核通过, 寄回)."""
    order, after_sale = _find(sandbox, shop, params.get("serviceId"))
    if not after_sale.return_goods:
        raise _param("不是退货服务单")
    aftersale_moves.agree_return(sandbox.lifecycle, order)
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, "return_agree", order.order_id, params)
    return {"success": True, "resultCode": "0"}


def _content(params: dict[str, Any]) -> dict:
    raw = params.get("content")
    try:
        content = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        content = None
    if not isinstance(content, dict):
        raise _param("content 须为 JSON")
    return content


def _waybill_get(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    """receive: one number per platformOrderNo (asking again returns the same number)."""
    content = _content(params)
    provider = str(content.get("providerCode") or "")
    platform_no = str(content.get("platformOrderNo") or "")
    if provider not in PROVIDER_CODES:
        return {"statusCode": 2001, "statusMessage": f"承运商 {provider or '(空)'} 未开通无界电子面单"}
    if not platform_no or not (content.get("toAddress") or {}).get("address"):
        return {"statusCode": 2002, "statusMessage": "platformOrderNo 与收件地址必填"}
    order = order_of(sandbox, shop, content.get("vendorOrderCode"))
    waybills = twin_wire.state(sandbox.store).waybills
    key = (shop.shop_id, platform_no)
    if key not in waybills or waybills[key]["cancelled"]:
        digest = int(hashlib.md5(f"{shop.shop_id}:{platform_no}:{len(waybills)}".encode()).hexdigest(), 16)
        number = NUMBER_PREFIX.get(provider, "9") + f"{digest % 10**11:011d}"
        waybills[key] = {"waybillCode": number, "providerCode": provider, "orderId": order.order_id, "cancelled": False}
        sandbox.store.record_writeback(PLATFORM, shop.shop_id, "waybill_receive", order.order_id, content)
    return {
        "statusCode": 0,
        "statusMessage": "成功",
        "data": {"platformOrderNo": platform_no, "waybillCodeList": [waybills[key]["waybillCode"]]},
    }


def _waybill_of(sandbox: Sandbox, shop: Shop, number: str) -> dict | None:
    for (vender, _), waybill in twin_wire.state(sandbox.store).waybills.items():
        if vender == shop.shop_id and waybill["waybillCode"] == number:
            return waybill
    return None


def _waybill_cancel(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    number = str(params.get("waybillCode") or "")
    waybill = _waybill_of(sandbox, shop, number)
    if waybill is None or waybill["providerCode"] != str(params.get("providerCode") or ""):
        return {"statusCode": 3001, "statusMessage": f"运单 {number} 不存在"}
    if not waybill["cancelled"]:
        waybill["cancelled"] = True
        sandbox.store.record_writeback(PLATFORM, shop.shop_id, "waybill_unbind", waybill["orderId"], params)
    return {"statusCode": 0, "statusMessage": "成功"}


def _bigshot(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    number = str(params.get("waybillCode") or "")
    waybill = _waybill_of(sandbox, shop, number)
    if waybill is None:
        return {"statusCode": 3001, "statusMessage": f"运单 {number} 不存在"}
    seed = int(hashlib.md5(number.encode()).hexdigest(), 16)
    return {
        "statusCode": 0,
        "data": {
            "waybillCode": number,
            "bigShotName": f"沪{seed % 90 + 10}-{seed % 7 + 1}",
            "bigShotCode": f"{seed % 900 + 100}",
            "secondSectionCode": f"{seed % 90 + 10}",
            "thirdSectionCode": f"{seed % 9 + 1}",
            "gatherCenterName": "上海分拨中心",
            "gatherCenterCode": "SH021",
        },
    }


HANDLERS = {
    Method.REFUND_LIST: _refund_list,
    Method.REFUND_REPLY: _refund_reply,
    Method.SERVICE_LIST: _service_list,
    Method.SERVICE_AUDIT: _service_audit,
    Method.WAYBILL_GET: _waybill_get,
    Method.WAYBILL_CANCEL: _waybill_cancel,
    Method.BIGSHOT: _bigshot,
}
