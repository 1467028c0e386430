"""The JD twin's order, memo, decrypt, stock and SKU methods (what the gateway dispatches)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from integrations.jd import twin_wire
from integrations.jd.sign import parse_jd_time
from integrations.jd.spec import (
    CARRIER_IDS,
    DATE_TYPE_MODIFIED,
    MAX_PAGE_SIZE,
    MAX_SKU_PAGE,
    MAX_WINDOW_DAYS,
    MEMO_FLAGS,
    PARCEL_SEPARATOR,
    PLATFORM,
    SELF_DELIVERY_ID,
    ErrorCode,
    Method,
    OrderState,
)
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import ACCEPTED, AWAITING_ACCEPT, Shop, SimError, SimOrder

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

KNOWN_CARRIER_IDS = frozenset(CARRIER_IDS.values())


def _param(message: str) -> SimError:
    return SimError(int(ErrorCode.PARAM), message)


def _int(params: dict, name: str, default: int) -> int:
    try:
        return int(params.get(name, default))
    except (TypeError, ValueError):
        raise _param(f"{name} 格式错误") from None


def order_of(sandbox: Sandbox, shop: Shop, order_id: object) -> SimOrder:
    order = sandbox.store.order(PLATFORM, str(order_id or ""))
    if order is None or order.shop_id != shop.shop_id:
        raise SimError(int(ErrorCode.NOT_FOUND), "订单不存在")
    return order


def _search(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    """enSearch: start/end ≤ 1 month apart, both ends inclusive, page from 1, page_size ≤ 100."""
    try:
        start = parse_jd_time(str(params.get("start_date") or ""))
        end = parse_jd_time(str(params.get("end_date") or ""))
    except ValueError:
        raise _param("start_date / end_date 格式应为 yyyy-MM-dd HH:mm:ss") from None
    if start is None or end is None or end < start:
        raise _param("start_date 和 end_date 必填，且开始不晚于结束")
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise _param("查询时间跨度不能超过一个月")
    page, size = _int(params, "page", 1), _int(params, "page_size", 20)
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise _param(f"page ≥ 1，1 ≤ page_size ≤ {MAX_PAGE_SIZE}")
    states = {s for s in str(params.get("order_state") or "").split(",") if s}
    by_created = _int(params, "dateType", DATE_TYPE_MODIFIED) == 1
    lo, hi = start.timestamp(), end.timestamp()
    rows = []
    for order in sandbox.store.shop_orders(PLATFORM, shop.shop_id):
        moment = int(order.created_at if by_created else order.updated_at)
        if lo <= moment <= hi and (not states or twin_wire.order_state(order) in states):
            rows.append(order)
    descending = str(params.get("sortType", "0")) == "1"
    rows.sort(key=lambda o: (o.created_at if by_created else o.updated_at, o.order_id), reverse=descending)
    chunk = rows[(page - 1) * size : page * size]
    return {
        "apiResult": {"success": True, "code": "0"},
        "orderTotal": len(rows),
        "orderInfoList": [twin_wire.order_fields(o, sandbox.store) for o in chunk],
    }


def _get(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order = order_of(sandbox, shop, params.get("order_id"))
    return {"apiResult": {"success": True, "code": "0"}, "orderInfo": twin_wire.order_fields(order, sandbox.store)}


def _ship(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    """shipment: the whole order leaves with one carrier; several numbers go comma-separated."""
    order = order_of(sandbox, shop, params.get("orderId"))
    carrier = str(params.get("logiCoprId") or "")
    numbers = str(params.get("logiNo") or "")
    if carrier not in KNOWN_CARRIER_IDS:
        raise _param(f"logiCoprId {carrier or '(空)'} 不是京东的物流公司编号")
    if carrier != SELF_DELIVERY_ID and not numbers.strip():
        raise _param("logiNo 必填")
    wire_state = twin_wire.order_state(order)
    if wire_state == OrderState.LOCKED:
        raise Conflict("订单已锁定（有未处理的退款申请），不能出库")
    if wire_state != OrderState.WAIT_STOCK_OUT:
        raise Conflict(f"订单状态为 {wire_state}，不能出库")
    if order.stage == AWAITING_ACCEPT:
        order.stage, order.confirmed_at = ACCEPTED, order.created_at
    sandbox.lifecycle.rider(order, "delivering", by_platform=False, extra={"carrier": carrier, "tracking_no": numbers})
    twin_wire.state(sandbox.store).parcels[order.order_id] = {
        "logiCoprId": carrier,
        "logiNo": numbers,
        "parcels": [n for n in numbers.split(PARCEL_SEPARATOR) if n],
    }
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, "shipment", order.order_id, params)
    return {"success": True, "chineseErrCode": "成功", "errorCode": ""}


def _memo(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order = order_of(sandbox, shop, params.get("orderId"))
    remark, flag = str(params.get("remark") or ""), str(params.get("flag") or "")
    if flag and flag not in MEMO_FLAGS:
        raise _param(f"flag 取值 {', '.join(MEMO_FLAGS)}")
    if len(remark) > 500:
        raise _param("remark 最长 500 字")
    twin_wire.state(sandbox.store).memos[order.order_id] = (remark, flag)
    sandbox.lifecycle._touch(order)  # a memo is a modification: the next pull sees it
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, "modifyVenderRemark", order.order_id, params)
    return {"success": True, "apiResult": {"success": True, "code": "0"}}


def _decrypt(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    if shop.shop_id in twin_wire.state(sandbox.store).no_decrypt:
        raise SimError(int(ErrorCode.NO_PERMISSION), "应用无订单解密权限")
    request = params.get("getReceiverInfoListReqVO") or {}
    infos = request.get("orderInfos") or []
    if not infos or len(infos) > 20:
        raise _param("orderInfos 1-20 条")
    found = []
    for info in infos:
        order = order_of(sandbox, shop, info.get("orderId"))
        if str(info.get("oaid") or "") != twin_wire.oaid(order):
            raise _param(f"oaid 与订单 {order.order_id} 不符")
        found.append(twin_wire.receiver(order))
    twin_wire.state(sandbox.store).decrypted += len(found)
    return {"success": True, "code": 0, "data": found}


def _stock(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> bool:
    sku_id, quantity = str(params.get("skuId") or ""), _int(params, "stockNum", -1)
    product = next((p for p in shop.products if p.sku_id == sku_id), None)
    if product is None:
        raise SimError(int(ErrorCode.NOT_FOUND), f"SKU {sku_id} 不存在")
    if quantity < 0:
        raise _param("stockNum 不能为负")
    product.stock = quantity
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, "updateSkuStock", "", params)
    return True


def _skus(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    page, size = _int(params, "page", 1), _int(params, "pageSize", MAX_SKU_PAGE)
    if page < 1 or not 1 <= size <= MAX_SKU_PAGE:
        raise _param(f"page ≥ 1，1 ≤ pageSize ≤ {MAX_SKU_PAGE}")
    products = shop.products
    chunk = products[(page - 1) * size : page * size]
    return {
        "data": [twin_wire.sku_fields(p) for p in chunk],
        "pageNo": page,
        "pageSize": size,
        "totalItem": len(products),
    }


HANDLERS = {
    Method.ORDER_SEARCH: _search,
    Method.ORDER_GET: _get,
    Method.SHIP: _ship,
    Method.MEMO: _memo,
    Method.DECRYPT: _decrypt,
    Method.STOCK: _stock,
    Method.SKU_LIST: _skus,
}
