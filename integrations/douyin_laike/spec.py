"""Douyin Laike wire facts in one place (the adapter, the mapping and the sandbox all read them).

Public material (platform-apis.md §3) gives the host, the token grant, the access-token header, the
webhook signature, the event `life_trade_order_notify` and the API paths. It gives NO status enums,
no error codes for expired tokens or rate limits, and no full order schema. Everything marked
ASSUMED below is a placeholder chosen here and listed in docs/platforms.md: correct it in this file.
"""

from __future__ import annotations

from enum import StrEnum

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import DeliveryStatus, DeliveryType, RefundStatus

PLATFORM = "douyin_laike"
BASE_URL = "https://open.douyin.com"
TOKEN_PATH = "/oauth/client_token/"  # POST JSON {client_key, client_secret, grant_type}
TOKEN_GRANT = "client_credential"
TOKEN_HEADER = "access-token"
SIGNATURE_HEADER = "X-Douyin-Signature"


class Path(StrEnum):
    CONFIRM = "/goodlife/v1/trade/buy/merchant_confirm_order"  # POST
    ORDER_QUERY = "/goodlife/v1/trade/order/query"  # GET
    DELIVERY_SYNC = "/goodlife/v1/fulfilment/distribution/order/sync_status"  # POST
    AFTER_SALE_AUDIT = "/goodlife/v1/after_sale/audit/notify"  # POST
    # ASSUMED (sandbox only, no public doc found): batch stock of listed SKUs. Zero stock shows
    # the SKU as 售罄 on 来客 itself; there is no separate sell-status call.
    STOCK_SYNC = "/goodlife/v1/goods/stock/sync"  # POST
    PRODUCT_QUERY = "/goodlife/v1/goods/product/online/query/"  # GET; ASSUMED fields, see platforms.md


MAX_PRODUCT_PAGE = 50  # ASSUMED `count` cap of the product list


MAX_PAGE_SIZE = 100  # ASSUMED (Doudian's searchList has the same cap)


class TokenErrorCode:
    """client_token endpoint errors (from the public doc page of /oauth/client_token/)."""

    PARAM = 10002
    NO_CLIENT_KEY = 10003
    BAD_SECRET = 10013


class ErrorCode:
    TOKEN_INVALID = 28001003  # ASSUMED
    TOKEN_EXPIRED = 28001008  # ASSUMED
    BUSY = 2100004  # ASSUMED: system busy / flow control, retry later
    PARAM = 2100005  # ASSUMED
    NO_PERMISSION = 2100007  # ASSUMED: account_id not authorised for this client_key
    ORDER_NOT_FOUND = 2119001  # ASSUMED
    STATE_CONFLICT = 2119002  # ASSUMED: order/after-sale not in a state that allows this


# The user-token family (2190002 invalid / 2190008 expired) is treated the same way.
TOKEN_ERROR_CODES = frozenset({ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_EXPIRED, 2190002, 2190008})
RETRYABLE_CODES = frozenset({ErrorCode.BUSY})


# ---- webhooks ----------------------------------------------------------------------------------

ORDER_EVENT = "life_trade_order_notify"
AFTER_SALE_EVENT = "life_trade_after_sale_notify"  # ASSUMED name
VERIFY_EVENT = "verify_webhook"  # URL check: answer {"challenge": <same value>}
WEBHOOK_PATH = "/api/webhooks/douyin_laike"  # ASSUMED: our receiving route (sandbox appends it)
ACK_BODY = {"err_no": 0, "err_tips": "success"}  # ASSUMED: any HTTP 200 counts as delivered


class OrderAction(StrEnum):
    """`action` of life_trade_order_notify. ASSUMED values."""

    PAY = "pay"
    CONFIRM = "merchant_confirm"
    DELIVER = "deliver"
    FINISH = "finish"
    CANCEL = "cancel"


class AfterSaleAction(StrEnum):
    """`action` of the after-sale event. ASSUMED values."""

    APPLY = "apply"
    AGREE = "agree"
    REJECT = "reject"
    CANCEL = "cancel"
    REFUNDED = "refunded"


# ---- status codes (ASSUMED: no public enum was found) -------------------------------------------

ORDER_STATUS = {
    1: (OrderStatus.PENDING_PAYMENT, "待支付"),
    2: (OrderStatus.AWAITING_ACCEPT, "待接单"),
    3: (OrderStatus.TO_SHIP, "已接单"),
    4: (OrderStatus.SHIPPED, "配送中"),
    5: (OrderStatus.COMPLETED, "已完成"),
    6: (OrderStatus.CANCELLED, "已取消"),
    7: (OrderStatus.CLOSED, "已关闭"),  # fully refunded after payment
}
STATUS_AFTER_ACTION = {
    OrderAction.PAY: 2,
    OrderAction.CONFIRM: 3,
    OrderAction.DELIVER: 4,
    OrderAction.FINISH: 5,
    OrderAction.CANCEL: 6,
}

AFTER_SALE_STATUS = {
    1: RefundStatus.APPLIED,
    2: RefundStatus.AGREED,
    3: RefundStatus.REJECTED,
    4: RefundStatus.CANCELLED,
    5: RefundStatus.SUCCEEDED,
}
AFTER_SALE_STATUS_BY_ACTION = {
    AfterSaleAction.APPLY: 1,
    AfterSaleAction.AGREE: 2,
    AfterSaleAction.REJECT: 3,
    AfterSaleAction.CANCEL: 4,
    AfterSaleAction.REFUNDED: 5,
}

# `behavior` of fulfilment sync_status (self-delivery rider progress).
DELIVERY_BEHAVIOR = {
    DeliveryStatus.RIDER_ACCEPTED: 1,
    DeliveryStatus.AT_STORE: 2,
    DeliveryStatus.DELIVERING: 3,
    DeliveryStatus.DELIVERED: 4,
    DeliveryStatus.CANCELLED: 5,
}

# `delivery_type` of a queried order -> DeliveryType.
DELIVERY_TYPES = {
    "platform": DeliveryType.PLATFORM,
    "merchant": DeliveryType.MERCHANT,
    "pickup": DeliveryType.SELF_PICKUP,
}

# audit/notify reject_reason.reason_code (ASSUMED codes; the public docs name the field only).
REFUND_REJECT_REASONS: dict[str, tuple[str, str]] = {
    "1": ("商品已制作/已配送", "Already prepared or delivered"),
    "2": ("商品无质量问题", "No quality problem"),
    "3": ("已与顾客协商", "Agreed with the customer"),
    "99": ("其他原因", "Other"),
}
# ASSUMED: Laike agrees an unanswered after-sale request by itself after this many hours.
REFUND_AUTO_AGREE_HOURS = 24
