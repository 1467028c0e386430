"""The business APIs of PDD's twin: reads render the sandbox truth, writes change it and are
recorded (GET /_control/writebacks, api = the PDD type) so tests see what the OMS did."""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from integrations.pdd import twin_wire as wire
from integrations.pdd.spec import (
    GOODS_PAGE_SIZE,
    LOGISTICS_COMPANIES,
    MAX_PAGE_SIZE,
    MEMO_FLAGS,
    PLATFORM,
    REFUND_REJECT_REASONS,
    WAYBILL_WP_CODES,
    WINDOW_SECONDS,
    Api,
    ErrorCode,
)
from integrations.pdd.twin_state import state
from integrations.sandbox.aftersale_moves import agree_return
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import ACCEPTED, AWAITING_ACCEPT, DELIVERING, Shop, SimError, SimOrder

if TYPE_CHECKING:
    from integrations.sandbox.app import Sandbox

COMPANY_IDS = dict(LOGISTICS_COMPANIES)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _int(params: dict[str, Any], name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SimError(ErrorCode.PARAM, f"参数 {name} 错误") from None


def _order(sandbox: Sandbox, shop: Shop, order_sn: object) -> SimOrder:
    order = sandbox.store.order(PLATFORM, str(order_sn or ""))
    if order is None or order.shop_id != shop.shop_id:
        raise SimError(ErrorCode.BUSINESS, "订单不存在")
    return order


def _window(params: dict[str, Any]) -> tuple[int, int, int, int]:
    lo, hi = _int(params, "start_updated_at"), _int(params, "end_updated_at")
    page, size = _int(params, "page", 1), _int(params, "page_size", MAX_PAGE_SIZE)
    if not 0 <= hi - lo <= WINDOW_SECONDS:
        raise SimError(ErrorCode.PARAM, "开始时间结束时间间距不超过 30 分钟")
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise SimError(ErrorCode.PARAM, f"page >= 1, 1 <= page_size <= {MAX_PAGE_SIZE}")
    return lo, hi, page, size


# ---- reads ---------------------------------------------------------------------------------------


def order_increment(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    lo, hi, page, size = _window(params)
    found = [o for o in sandbox.store.shop_orders(PLATFORM, shop.shop_id) if lo <= int(o.updated_at) <= hi]
    found.sort(key=lambda o: (o.updated_at, o.order_id))
    notes = state(sandbox).notes
    rows = [wire.order_fields(o, shop, notes.get(o.order_id)) for o in found[(page - 1) * size : page * size]]
    return {"total_count": len(found), "has_next": page * size < len(found), "order_sn_list": rows}


def order_info(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order = _order(sandbox, shop, params.get("order_sn"))
    return {"order_info": wire.order_fields(order, shop, state(sandbox).notes.get(order.order_id))}


def refund_increment(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    lo, hi, page, size = _window(params)
    rows = [
        (a.updated_at, a.after_sale_id, o, a)
        for o in sandbox.store.shop_orders(PLATFORM, shop.shop_id)
        for a in o.after_sales
        if lo <= int(a.updated_at) <= hi
    ]
    rows.sort(key=lambda r: (r[0], r[1]))
    chosen = rows[(page - 1) * size : page * size]
    return {"total_count": len(rows), "refund_list": [wire.refund_fields(o, a) for _, _, o, a in chosen]}


def refund_info(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order, after_sale = _after_sale(sandbox, shop, params)
    return wire.refund_fields(order, after_sale)


def companies(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    return {
        "logistics_companies": [{"id": i, "logistics_company": name, "available": 1} for i, name in LOGISTICS_COMPANIES]
    }


def goods_list(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    page, size = _int(params, "page", 1), _int(params, "page_size", GOODS_PAGE_SIZE)
    if page < 1 or not 1 <= size <= GOODS_PAGE_SIZE:
        raise SimError(ErrorCode.PARAM, f"page >= 1, 1 <= page_size <= {GOODS_PAGE_SIZE}")
    chosen = shop.products[(page - 1) * size : page * size]
    return {"total_count": len(shop.products), "goods_list": [wire.goods_row(p) for p in chosen]}


def goods_detail(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    product = next((p for p in shop.products if p.item_id == str(params.get("goods_id"))), None)
    if product is None:
        raise SimError(ErrorCode.BUSINESS, "商品不存在")
    return wire.goods_detail(product)


def decrypt(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    if shop.shop_id in state(sandbox).no_decrypt:
        raise SimError(ErrorCode.NO_PERMISSION, "无解密权限")
    items = _json(params.get("data_list") or "[]")
    if not isinstance(items, list) or len(items) > 100:
        raise SimError(ErrorCode.PARAM, "data_list 为 1-100 项")
    out = []
    for item in items:
        plain = wire.decrypt(shop, str(item.get("encrypted_data") or ""))
        row = {"data_tag": item.get("data_tag"), "encrypted_data": item.get("encrypted_data")}
        row.update({"decrypted_data": plain, "error_code": 0} if plain else {"error_code": 1, "error_msg": "解密失败"})
        out.append(row)
    return {"data_decrypt_list": out}


# ---- writes --------------------------------------------------------------------------------------


def ship(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order = _order(sandbox, shop, params.get("order_sn"))
    logistics_id, tracking = _int(params, "logistics_id", 0), str(params.get("tracking_number") or "").strip()
    if logistics_id not in COMPANY_IDS or not tracking:
        raise SimError(ErrorCode.PARAM, "logistics_id / tracking_number 错误")
    if order.stage not in (AWAITING_ACCEPT, ACCEPTED) or wire.refund_state(order) != wire.RefundState.NONE:
        raise Conflict(f"订单不是待发货状态 ({order.stage})")
    at = sandbox.lifecycle._touch(order)
    order.stage = DELIVERING
    order.logistics.append(
        {"step": "shipped", "by": "merchant", "logistics_id": logistics_id, "tracking_number": tracking, "at": at}
    )
    sandbox.lifecycle.notifier.notify(order, "delivering")
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, Api.SHIP, order.order_id, params)
    return {"is_success": True}


def _after_sale(sandbox: Sandbox, shop: Shop, params: dict[str, Any]):
    try:
        order, after_sale = sandbox.store.find_after_sale(PLATFORM, str(params.get("after_sales_id") or ""))
    except KeyError:
        raise SimError(ErrorCode.BUSINESS, "售后单不存在") from None
    if order.shop_id != shop.shop_id or order.order_id != str(params.get("order_sn") or order.order_id):
        raise SimError(ErrorCode.BUSINESS, "售后单与订单不匹配")
    return order, after_sale


def _decide(api: str):
    def handle(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
        order, after_sale = _after_sale(sandbox, shop, params)
        if order.open_after_sale() is not after_sale:
            raise Conflict("售后单不是待商家处理状态")
        if api == Api.RETURN_AGREE:
            agree_return(sandbox.lifecycle, order)
        elif api == Api.REFUND_AGREE:
            if after_sale.return_goods:
                raise Conflict("退货退款请先同意退货")
            sandbox.lifecycle.decide_refund(order, agree=True, reason=str(params.get("operate_desc") or ""))
        else:
            if str(params.get("refuse_reason") or "") not in REFUND_REJECT_REASONS:
                raise SimError(ErrorCode.PARAM, "refuse_reason 错误")
            sandbox.lifecycle.decide_refund(order, agree=False, reason=str(params.get("operate_desc") or ""))
        sandbox.store.record_writeback(PLATFORM, shop.shop_id, api, order.order_id, params)
        return {"result": {"after_sales_id": after_sale.after_sale_id, "order_sn": order.order_id, "succ": True}}

    return handle


def note_update(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    order = _order(sandbox, shop, params.get("order_sn"))
    tag = params.get("tag")
    if tag not in (None, "") and str(tag) not in MEMO_FLAGS:
        raise SimError(ErrorCode.PARAM, "tag 取值 1-5")
    note = str(params.get("note") or "")
    if len(note) > 300:
        raise SimError(ErrorCode.PARAM, "备注最多 300 字")
    state(sandbox).notes[order.order_id] = {
        "note": note,
        "tag": int(tag) if tag not in (None, "") else None,
        "tag_name": str(params.get("tag_name") or ""),
    }
    sandbox.lifecycle._touch(order)
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, Api.NOTE, order.order_id, params)
    return {"success": True}


def quantity_update(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    goods_id, sku_id, quantity = str(params.get("goods_id")), str(params.get("sku_id")), _int(params, "quantity")
    product = next((p for p in shop.products if (p.item_id, p.sku_id) == (goods_id, sku_id)), None)
    if product is None or quantity < 0:
        raise SimError(ErrorCode.BUSINESS, "商品不存在或库存为负")
    product.stock = quantity if _int(params, "update_type", 1) == 1 else max(0, product.stock + quantity)
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, Api.STOCK, "", params)
    return {"is_success": True}


def waybill_get(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    apply = _json(params.get("param_waybill_cloud_print_apply_new_request") or "{}")
    wp = str(apply.get("wp_code") or "")
    if wp not in WAYBILL_WP_CODES.values():
        raise SimError(ErrorCode.BUSINESS, f"未开通 {wp} 电子面单")
    st, modules = state(sandbox), []
    for dto in apply.get("trade_order_info_dtos") or ():
        object_id = str(dto.get("object_id") or "")
        if not object_id:
            raise SimError(ErrorCode.PARAM, "object_id 必填")
        key = (shop.shop_id, wp, object_id)
        if key not in st.waybills:  # the same object_id gets the same number back
            st.serial += 1
            recipient = (dto.get("recipient") or {}).get("address") or {}
            number = f"{wp[:2]}{int(time.time()) % 10**6:06d}{st.serial:06d}"
            st.waybills[key] = {
                "waybill_code": number,
                "object_id": object_id,
                "wp_code": wp,
                "order_sn": ((dto.get("order_info") or {}).get("trade_order_list") or [""])[0],
                "cancelled": False,
                "routing": {
                    "sortation": {"name": f"{recipient.get('city', '')[:2]}{recipient.get('district', '')}".strip()},
                    "consolidation": {"name": f"{recipient.get('province', '') or '上海'}转运中心", "code": "021"},
                    "routeCode": f"{300 + st.serial % 600}-{st.serial % 100:02d}-{st.serial % 10}",
                },
            }
            sandbox.store.record_writeback(
                PLATFORM, shop.shop_id, Api.WAYBILL_GET, st.waybills[key]["order_sn"], params
            )
        bill = st.waybills[key]
        data = {"waybillCode": bill["waybill_code"], "routingInfo": bill["routing"]}
        print_data = {
            "data": data,
            "signature": hashlib.md5(json.dumps(data, sort_keys=True).encode()).hexdigest(),
            "templateUrl": f"https://file.pinduoduo.com/waybill/{wp}.xml",
            "ver": "3",
        }
        modules.append(
            {
                "object_id": object_id,
                "waybill_code": bill["waybill_code"],
                "print_data": json.dumps(print_data, ensure_ascii=False),
            }
        )
    return {"modules": modules}


def waybill_cancel(sandbox: Sandbox, shop: Shop, params: dict[str, Any]) -> dict:
    wp, number = str(params.get("wp_code") or ""), str(params.get("waybill_code") or "")
    bill = next(
        (b for k, b in state(sandbox).waybills.items() if k[0] == shop.shop_id and b["waybill_code"] == number), None
    )
    if bill is None or bill["wp_code"] != wp:
        raise SimError(ErrorCode.BUSINESS, "运单号不存在")
    if bill["cancelled"]:
        raise Conflict("运单号已取消")
    bill["cancelled"] = True
    sandbox.store.record_writeback(PLATFORM, shop.shop_id, Api.WAYBILL_CANCEL, bill["order_sn"], params)
    return {"cancel_result": True}


HANDLERS = {
    Api.ORDER_INCREMENT: order_increment,
    Api.ORDER_INFO: order_info,
    Api.REFUND_INCREMENT: refund_increment,
    Api.REFUND_INFO: refund_info,
    Api.COMPANIES: companies,
    Api.GOODS_LIST: goods_list,
    Api.GOODS_DETAIL: goods_detail,
    Api.DECRYPT: decrypt,
    Api.SHIP: ship,
    Api.REFUND_AGREE: _decide(Api.REFUND_AGREE),
    Api.REFUND_REFUSE: _decide(Api.REFUND_REFUSE),
    Api.RETURN_AGREE: _decide(Api.RETURN_AGREE),
    Api.NOTE: note_update,
    Api.STOCK: quantity_update,
    Api.WAYBILL_GET: waybill_get,
    Api.WAYBILL_CANCEL: waybill_cancel,
}
