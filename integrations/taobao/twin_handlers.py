"""The TOP methods the twin answers (each returns the body under `<method>_response`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime

from integrations.sandbox import aftersale_moves
from integrations.sandbox.lifecycle import Conflict
from integrations.sandbox.store import SimOrder
from integrations.taobao import twin_wire as wire
from integrations.taobao.spec import MAX_WINDOW_SECONDS, MEMO_FLAGS, OUR_CARRIER, PAGE_SIZE, TIME_FORMAT, Method
from integrations.taobao.twin_api import Call, isv
from integrations.taobao.twin_state import STATE, line_id
from qihang_app.domain.clock import SHANGHAI

HISTORY_SECONDS = 90 * 24 * 3600  # only the last 3 months are queryable


def _time(call: Call, name: str) -> float:
    try:
        return datetime.strptime(call.params[name], TIME_FORMAT).replace(tzinfo=SHANGHAI).timestamp()
    except (KeyError, ValueError):
        raise isv("invalid-parameter", f"{name} 格式应为 yyyy-MM-dd HH:mm:ss") from None


def _int(call: Call, name: str, default: int) -> int:
    try:
        return int(call.params.get(name) or default)
    except ValueError:
        raise isv("invalid-parameter", f"{name} 必须是整数") from None


def _order(call: Call, tid: str) -> SimOrder:
    order = call.sandbox.store.order("taobao", tid)
    if order is None or order.shop_id != call.seller.shop_id:
        raise isv("trade-not-exist", "交易不存在")
    return order


def _page(rows: list, call: Call, max_size: int) -> tuple[list, int, bool]:
    page_no, size = _int(call, "page_no", 1), _int(call, "page_size", 40)
    if page_no < 1 or not 1 <= size <= max_size:
        raise isv("invalid-parameter", f"page_no >= 1, 1 <= page_size <= {max_size}")
    start = (page_no - 1) * size
    return rows[start : start + size], len(rows), start + size < len(rows)


# ---- trades ----------------------------------------------------------------------------------------


def trades_increment(call: Call) -> dict:
    shop = call.seller
    start, end = _time(call, "start_modified"), _time(call, "end_modified")
    if end < start or end - start > MAX_WINDOW_SECONDS:
        raise isv("invalid-parameter", "start_modified 与 end_modified 的间隔不能超过一天")
    if start < time.time() - HISTORY_SECONDS:
        raise isv("invalid-parameter", "只能查询三个月内的订单")
    rows = [o for o in call.sandbox.store.shop_orders("taobao", shop.shop_id) if start <= o.updated_at <= end]
    rows.sort(key=lambda o: (-o.updated_at, o.order_id))  # newest first, as TOP sorts them
    page, total, has_next = _page(rows, call, PAGE_SIZE)
    data: dict = {"trades": {"trade": [wire.trade(o, shop) for o in page]}, "has_next": has_next}
    if call.params.get("use_has_next") != "true":
        data["total_results"] = total
    return data


def trade_fullinfo(call: Call) -> dict:
    (tid,) = call.need("tid")
    return {"trade": wire.trade(_order(call, tid), call.seller)}


def oaid_decrypt(call: Call) -> dict:
    (raw,) = call.need("query_list")
    try:
        queries = json.loads(raw)
    except ValueError:
        raise isv("invalid-parameter", "query_list 不是 JSON") from None
    found = []
    for query in queries:
        order = _order(call, str(query.get("tid") or ""))
        if query.get("oaid") != wire.receiver(order)["oaid"]:
            raise isv("oaid-not-match", "oaid 与订单不匹配")
        found.append(wire.receiver(order))
    return {"receiver_list": {"receiver": found}}


# ---- shipping ----------------------------------------------------------------------------------------


def _send(call: Call) -> dict:
    tid = call.need("tid")[0]
    order = _order(call, tid)
    out_sid = call.params.get("out_sid", "")
    company = call.params.get("company_code", "")
    if call.method == Method.OFFLINE_SEND and (not out_sid or company not in OUR_CARRIER):
        raise isv("invalid-parameter", "out_sid / company_code 错误")
    oids = [line_id(tid, i) for i in range(len(order.lines))]
    wanted = [x for x in call.params.get("sub_tid", "").split(",") if x] or oids
    if any(x not in oids for x in wanted):
        raise isv("invalid-parameter", "sub_tid 不属于该交易")
    parcels = STATE.shipped.setdefault(tid, {})
    if any(x in parcels for x in wanted):
        raise isv("logistics-repeat-send", "子订单已发货")
    if wire.trade_status(order) not in ("WAIT_SELLER_SEND_GOODS", "SELLER_CONSIGNED_PART"):
        raise isv("logistics-send-fail", f"交易状态 {wire.trade_status(order)} 不能发货")
    for oid in wanted:
        parcels[oid] = {"out_sid": out_sid, "company_code": company, "at": time.time()}
    call.record(tid)
    if len(parcels) == len(oids):  # every line is on its way
        call.sandbox.lifecycle.rider(order, "delivering", by_platform=False, extra={"out_sid": out_sid})
    else:
        call.sandbox.lifecycle._touch(order)
    return {"shipping": {"is_success": True}}


# ---- refunds -----------------------------------------------------------------------------------------


def _refund_rows(call: Call) -> list[tuple[SimOrder, object]]:
    return [
        (order, after_sale)
        for order in call.sandbox.store.shop_orders("taobao", call.seller.shop_id)
        for after_sale in order.after_sales
    ]


def refunds_receive(call: Call) -> dict:
    start = _time(call, "start_modified") if call.params.get("start_modified") else 0
    end = _time(call, "end_modified") if call.params.get("end_modified") else float("inf")
    status = call.params.get("status", "")
    rows = [
        (o, a)
        for o, a in _refund_rows(call)
        if start <= int(a.updated_at) <= end and status in ("", wire.REFUND_STATUS[a.status])
    ]
    rows.sort(key=lambda r: (-r[1].updated_at, r[1].after_sale_id))
    page, total, has_next = _page(rows, call, 100)
    data: dict = {"refunds": {"refund": [wire.refund(o, a, call.seller) for o, a in page]}, "has_next": has_next}
    if call.params.get("use_has_next") != "true":
        data["total_results"] = total
    return data


def refund_get(call: Call) -> dict:
    (refund_id,) = call.need("refund_id")
    for order, after_sale in _refund_rows(call):
        if after_sale.after_sale_id == refund_id:
            return {"refund": wire.refund(order, after_sale, call.seller)}
    raise isv("refund-not-exist", "退款单不存在")


def _open(call: Call, refund_id: str, statuses: tuple[str, ...] = ("applied",)) -> SimOrder:
    for order, after_sale in _refund_rows(call):
        if after_sale.after_sale_id == refund_id:
            if after_sale.status not in statuses:
                raise isv("refund-status-error", f"退款状态 {wire.REFUND_STATUS[after_sale.status]} 不能操作")
            return order
    raise isv("refund-not-exist", "退款单不存在")


def refunds_agree(call: Call) -> dict:
    (infos,) = call.need("refund_infos")
    results = []
    for info in infos.split(","):
        refund_id = info.split("|")[0]
        order = _open(call, refund_id, ("applied", "return_agreed", "return_shipped"))
        if order.open_after_sale() is not None:
            call.sandbox.lifecycle.decide_refund(order, agree=True)
        else:  # the goods came back (or are on their way): pay the buyer
            aftersale_moves.confirm_receipt(call.sandbox.lifecycle, order)
        call.record(order.order_id)
        results.append({"refund_id": refund_id, "succ": True, "message": ""})
    return {"succ": True, "msg": "", "results": {"refund_mapping_result": results}}


def refund_refuse(call: Call) -> dict:
    refund_id, message = call.need("refund_id", "refuse_message")
    order = _open(call, refund_id)
    call.sandbox.lifecycle.decide_refund(order, agree=False, reason=message)
    call.record(order.order_id)
    return {"is_success": True}


def returngoods_agree(call: Call) -> dict:
    (refund_id,) = call.need("refund_id")
    order = _open(call, refund_id)
    aftersale_moves.agree_return(call.sandbox.lifecycle, order)
    call.record(order.order_id)
    return {"is_success": True}


# ---- memo, stock, items --------------------------------------------------------------------------------


def memo_update(call: Call) -> dict:
    (tid,) = call.need("tid")
    order = _order(call, tid)
    flag = call.params.get("flag", "")
    if flag and flag not in MEMO_FLAGS:
        raise isv("invalid-parameter", "flag 取值 0-5")
    STATE.memos[tid] = {"memo": call.params.get("memo", ""), "flag": flag or "0"}
    call.sandbox.lifecycle._touch(order)
    call.record(tid)
    return {"trade": {"tid": tid, "modified": wire.wire_time(order.updated_at)}}


def quantity_update(call: Call) -> dict:
    num_iid, quantity = call.need("num_iid", "quantity")
    sku_id = call.params.get("sku_id", "")
    product = next(
        (p for p in call.seller.products if p.item_id == num_iid and sku_id in ("", p.sku_id)),
        None,
    )
    if product is None or not quantity.lstrip("-").isdigit() or int(quantity) < 0:
        raise isv("item-not-exist", "商品或 SKU 不存在，或库存为负")
    if call.params.get("type", "1") == "2":  # 增量
        product.stock = max(0, product.stock + int(quantity))
    else:  # 全量
        product.stock = int(quantity)
    call.record("")
    return {"item": {"num_iid": int(num_iid), "num": product.stock, "modified": wire.wire_time(time.time())}}


def items_onsale(call: Call) -> dict:
    onsale = [p for p in call.seller.products if p.on_sale]
    page, total, _ = _page(onsale, call, 200)
    listing = [{"num_iid": int(p.item_id), "title": p.name, "num": p.stock, "outer_id": p.outer_code} for p in page]
    return {"items": {"item": listing}, "total_results": total}


def item_seller_get(call: Call) -> dict:
    (num_iid,) = call.need("num_iid")
    product = next((p for p in call.seller.products if p.item_id == num_iid), None)
    if product is None:
        raise isv("item-not-exist", "商品不存在")
    return {"item": wire.item(product, call.seller)}


def user_seller_get(call: Call) -> dict:
    return {"user": {"nick": call.seller.shop_id, "type": "C"}}


def tmc_confirm(call: Call) -> dict:
    ids = [x for x in call.params.get("s_message_ids", "").split(",") if x]
    STATE.confirm(call.app_key, ids)
    return {"is_success": True}


def _conflict_to_isv(handler: Callable[[Call], dict]) -> Callable[[Call], dict]:
    def run(call: Call) -> dict:
        try:
            return handler(call)
        except Conflict as exc:
            raise isv("invalid-status", str(exc)) from None

    return run


def _handlers() -> dict[str, Callable[[Call], dict]]:
    from integrations.taobao.twin_waybill import waybill_cancel, waybill_get

    table = {
        Method.TRADES_INCREMENT: trades_increment,
        Method.TRADE_FULLINFO: trade_fullinfo,
        Method.OAID_DECRYPT: oaid_decrypt,
        Method.OFFLINE_SEND: _send,
        Method.ONLINE_SEND: _send,
        Method.REFUNDS_RECEIVE: refunds_receive,
        Method.REFUND_GET: refund_get,
        Method.REFUND_AGREE: refunds_agree,
        Method.REFUND_REFUSE: refund_refuse,
        Method.RETURN_AGREE: returngoods_agree,
        Method.MEMO_UPDATE: memo_update,
        Method.QUANTITY_UPDATE: quantity_update,
        Method.ITEMS_ONSALE: items_onsale,
        Method.ITEM_SELLER_GET: item_seller_get,
        Method.USER_SELLER_GET: user_seller_get,
        Method.TMC_CONFIRM: tmc_confirm,
        Method.WAYBILL_GET: waybill_get,
        Method.WAYBILL_CANCEL: waybill_cancel,
    }
    return {str(k): _conflict_to_isv(v) for k, v in table.items()}


HANDLERS = _handlers()
