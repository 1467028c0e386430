"""How the sandbox renders its truth in JD's wire format: orders (masked receivers + oaid), refund
applications, 售后服务单, SKUs. Money is yuan text on orders and SKUs, fen on refund records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from integrations.jd.sign import jd_time
from integrations.jd.spec import CUSTOMER_EXPECT_RETURN, OrderState
from integrations.sandbox.store import (
    ACCEPTED,
    AWAITING_ACCEPT,
    CANCELLED,
    CLOSED,
    COMPLETED,
    DELIVERING,
    AfterSale,
    Product,
    SimOrder,
    Store,
)

STAGE_STATE = {
    AWAITING_ACCEPT: OrderState.WAIT_STOCK_OUT,  # JD has no accept step: paid orders wait for 出库
    ACCEPTED: OrderState.WAIT_STOCK_OUT,
    DELIVERING: OrderState.SHIPPED,
    COMPLETED: OrderState.FINISHED,
    CANCELLED: OrderState.CANCELED,
    CLOSED: OrderState.CANCELED,
}
STATE_REMARK = {
    OrderState.WAIT_STOCK_OUT: "等待出库",
    OrderState.LOCKED: "已锁定",
    OrderState.SHIPPED: "等待确认收货",
    OrderState.FINISHED: "完成",
    OrderState.CANCELED: "已取消",
}
REFUND_CODE = {"applied": 0, "agreed": 1, "rejected": 2, "refunded": 3, "cancelled": 11}
SERVICE_CODE = {
    "applied": 10001,
    "agreed": 10005,
    "return_agreed": 10005,
    "return_shipped": 10011,
    "rejected": 10004,
    "cancelled": 10007,
    "refunded": 10009,
}


@dataclass
class JdState:
    """What the JD twin keeps beside the shared store (OAuth codes, memos, parcels, waybills)."""

    codes: dict[str, dict] = field(default_factory=dict)  # auth code -> {app_key, shop_id, redirect_uri, at}
    token_shop: dict[str, str] = field(default_factory=dict)  # access token -> vender id
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> vender id
    memos: dict[str, tuple[str, str]] = field(default_factory=dict)  # order id -> (remark, flag)
    parcels: dict[str, dict] = field(default_factory=dict)  # order id -> {logiCoprId, logiNo}
    waybills: dict[tuple[str, str], dict] = field(default_factory=dict)  # (vender, platformOrderNo) -> waybill
    decrypted: int = 0  # orders decrypted (the platform meters this)
    no_decrypt: set[str] = field(default_factory=set)  # venders whose app lacks the 解密 permission


def state(store: Store) -> JdState:
    found = getattr(store, "_jd_twin_state", None)
    if found is None:
        found = JdState()
        store._jd_twin_state = found  # type: ignore[attr-defined]
    return found


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def at(seconds: float) -> str:
    return jd_time(datetime.fromtimestamp(seconds, UTC))


def oaid(order: SimOrder) -> str:
    return hashlib.md5(f"oaid:{order.order_id}".encode()).hexdigest().upper()


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = phone.split("_")[0]
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "****"


def order_state(order: SimOrder) -> str:
    if order.stage in (AWAITING_ACCEPT, ACCEPTED) and _refund_open(order):
        return OrderState.LOCKED  # JD locks an order while its refund application is open
    return STAGE_STATE[order.stage]


def _refund_open(order: SimOrder) -> bool:
    open_one = order.open_after_sale()
    return open_one is not None and not open_one.return_goods


def order_fields(order: SimOrder, store: Store) -> dict[str, Any]:
    """One order as enSearch / enGet return it (receiver masked; `oaid` names the real one)."""
    st = state(store)
    wire_state = order_state(order)
    freight = order.freight_fen + order.box_fen + order.bag_fen  # JD has no packing fee: it is freight
    remark, flag = st.memos.get(order.order_id, ("", ""))
    parcel = st.parcels.get(order.order_id, {})
    data: dict[str, Any] = {
        "orderId": order.order_id,
        "venderId": order.shop_id,
        "orderType": "22",
        "payType": "4-在线支付",
        "orderTotalPrice": yuan(order.goods_fen),
        "orderSellerPrice": yuan(order.goods_fen - order.merchant_discount_fen),
        "orderPayment": yuan(order.paid_fen),
        "freightPrice": yuan(freight),
        "sellerDiscount": yuan(order.merchant_discount_fen),
        "orderState": wire_state,
        "orderStateRemark": STATE_REMARK.get(wire_state, ""),
        "deliveryType": "任意时间",
        "orderRemark": order.memo,
        "venderRemark": remark,
        "flag": flag,
        "orderStartTime": at(order.created_at),
        "paymentConfirmTime": at(order.created_at),
        "modified": at(order.updated_at),
        "orderEndTime": at(order.updated_at) if order.stage in (COMPLETED, CANCELLED, CLOSED) else "",
        "waybill": parcel.get("logiNo", ""),
        "logisticsId": parcel.get("logiCoprId", ""),
        "returnOrder": "1" if any(a.return_goods for a in order.after_sales) else "0",
        "consigneeInfo": {
            "fullname": mask_name(order.receiver_name),
            "mobile": mask_phone(order.receiver_phone),
            "telephone": mask_phone(order.receiver_phone),
            "province": "上海",
            "city": "上海市",
            "county": "",
            "fullAddress": order.geo_address + "****",
            "oaid": oaid(order),
        },
        "itemInfoList": [
            {
                "skuId": line.sku_id,
                "wareId": line.item_id,
                "outerSkuId": line.outer_code,
                "skuName": f"{line.name} {line.spec}".strip(),
                "jdPrice": yuan(line.unit_price_fen),
                "itemTotal": str(line.quantity),
                "productNo": line.barcode,
            }
            for line in order.lines
        ],
        "couponDetailList": [
            {"skuId": line.sku_id, "couponType": "30-单品促销优惠", "couponPrice": yuan(line.discount_fen)}
            for line in order.lines
            if line.discount_fen
        ],
    }
    return data


def receiver(order: SimOrder) -> dict[str, Any]:
    """The real receiver, as the oaid decrypt returns it."""
    return {
        "orderId": order.order_id,
        "oaid": oaid(order),
        "customerName": order.receiver_name,
        "customerPhone": order.receiver_phone,
        "address": {
            "provinceName": "上海",
            "cityName": "上海市",
            "countyName": "",
            "detailAddress": f"{order.geo_address}{order.address}",
        },
    }


def refund_fields(order: SimOrder, after_sale: AfterSale) -> dict[str, Any]:
    """A 退款审核单 (refundapply): money in fen."""
    decided = after_sale.status != "applied"
    return {
        "id": after_sale.after_sale_id,
        "orderId": order.order_id,
        "buyerId": "jd_" + order.order_id[-6:],
        "buyerName": mask_name(order.receiver_name),
        "applyTime": at(after_sale.created_at),
        "checkTime": at(after_sale.updated_at) if decided else "",
        "applyRefundSum": after_sale.amount_fen,
        "status": REFUND_CODE.get(after_sale.status, 1),
        "reason": after_sale.reason,
        "auditDeadline": at(after_sale.deadline_at) if after_sale.deadline_at else "",
        "skuList": [{"skuId": x["sku_id"], "wareId": x["item_id"], "num": x["quantity"]} for x in after_sale.lines],
    }


def service_fields(order: SimOrder, after_sale: AfterSale) -> dict[str, Any]:
    """A 售后服务单 (退货): money in fen."""
    line = order.lines[0]
    return {
        "serviceId": after_sale.after_sale_id,
        "orderId": order.order_id,
        "serviceStatus": SERVICE_CODE.get(after_sale.status, 10001),
        "customerExpect": CUSTOMER_EXPECT_RETURN,
        "applyTime": at(after_sale.created_at),
        "updateDate": at(after_sale.updated_at),
        "auditDeadline": at(after_sale.deadline_at) if after_sale.deadline_at else "",
        "refundAmount": after_sale.amount_fen,
        "applyReason": after_sale.reason,
        "questionPic": ",".join(after_sale.pictures),
        "skuId": line.sku_id,
        "wareId": line.item_id,
        "wareName": line.name,
        "serviceCount": line.quantity,
        "expressCompany": after_sale.carrier,
        "expressCode": after_sale.waybill,
    }


def sku_fields(product: Product) -> dict[str, Any]:
    return {
        "skuId": product.sku_id,
        "wareId": product.item_id,
        "skuName": product.name,
        "wareTitle": product.name,
        "outerId": product.outer_code,
        "barCode": product.barcode,
        "jdPrice": yuan(product.price_fen),
        "stockNum": product.stock,
        "saleAttrs": [{"attrId": "1001", "attrValueAlias": [product.spec]}] if product.spec else [],
        "status": 1 if product.on_sale else 2,
    }
