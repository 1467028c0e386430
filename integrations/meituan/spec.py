"""Meituan wire facts in one place (the adapter and the sandbox both read them).

Sources: platform-apis.md §1. Anything marked ASSUMED is listed in docs/platforms.md.
"""

from __future__ import annotations

from enum import StrEnum

PLATFORM = "meituan"
BASE_URL = "https://waimaiopen.meituan.com/api/v1/"


class Path(StrEnum):
    CONFIRM = "order/confirm"
    CANCEL = "order/cancel"
    DETAIL = "order/getOrderDetail"
    PREPARED = "order/preparationMealComplete"
    LOGISTICS_SYNC = "ecommerce/order/logistics/sync"
    RETAIL_LIST = "retail/list"
    SKU_STOCK = "retail/sku/stock"
    SELL_STATUS = "retail/sku/sellStatus"  # 上架 / 下架 (售罄) of listed SKUs
    REFUND_AGREE = "order/refund/agree"
    REFUND_REJECT = "order/refund/reject"
    REFUND_DETAIL = "ecommerce/order/getOrderRefundDetail"  # refund query (sweeps)
    REVIEW_AFTER_SALES = "ecommerce/order/reviewAfterSales"  # return agree / receipt confirm
    PART_REFUND = "order/applyPartRefund"  # 缺货退款 by the merchant
    DAY_SEQ = "order/getOrderDaySeq"
    ID_BY_DAY_SEQ = "order/getOrderIdByDaySeq"


GET_PATHS = frozenset({Path.DETAIL, Path.RETAIL_LIST, Path.DAY_SEQ, Path.ID_BY_DAY_SEQ, Path.REFUND_DETAIL})

# Business parameters each method needs (the sandbox answers 701 when one is missing).
REQUIRED = {
    Path.CONFIRM: ("order_id",),
    Path.CANCEL: ("order_id", "reason", "reason_code"),
    Path.DETAIL: ("order_id",),
    Path.PREPARED: ("order_id",),
    Path.LOGISTICS_SYNC: ("order_id", "logistics_status"),
    Path.RETAIL_LIST: ("app_poi_code", "offset", "limit"),
    Path.SKU_STOCK: ("app_poi_code", "food_data"),
    Path.SELL_STATUS: ("app_poi_code", "food_data", "sell_status"),
    Path.REFUND_AGREE: ("order_id", "reason"),
    Path.REFUND_REJECT: ("order_id", "reason"),
    Path.REFUND_DETAIL: ("wm_order_id_view",),
    Path.REVIEW_AFTER_SALES: ("wm_order_id_view", "review_type"),
    Path.PART_REFUND: ("order_id", "reason", "food_data"),
    Path.DAY_SEQ: ("app_poi_code",),
    Path.ID_BY_DAY_SEQ: ("app_poi_code", "date_time", "day_seq"),
}


class ErrorCode:
    SYSTEM = 700
    MISSING_PARAM = 701
    BAD_APP_ID = 702
    BAD_SIG = 703
    RATE_LIMITED = 711
    NO_SUCH_ORDER = 806
    STATE_CONFLICT = 808


# 700 is the platform's own trouble and 711 is flow control: both pass if we wait.
RETRYABLE_CODES = frozenset({ErrorCode.SYSTEM, ErrorCode.RATE_LIMITED})


class PushType(StrEnum):
    """One callback URL per push type is configured in the developer console (§1.4)."""

    PAID = "order_paid"  # 推送已支付订单 (full order)
    CONFIRMED = "order_confirmed"  # 推送已确认订单 (full order)
    CANCEL = "order_cancel"  # 用户或客服取消订单
    REFUND = "order_refund"  # 全额退款 flow (apply/agree/reject/cancel)
    REFUND_STATUS = "refund_status"  # 退款状态 (money returned or not)
    LOGISTICS = "logistics_status"  # 美配/企客配送状态


# ASSUMED: where the OMS receives each push; the sandbox appends this to a shop's callback base.
PUSH_PATH_TEMPLATE = "/api/webhooks/meituan/{push_type}"

# Fields whose values arrive URL-encoded a second time inside the form (§1.2, test both ways).
JSON_FIELDS = (
    "detail",
    "extras",
    "poi_receive_detail",
    "poi_receive_detail_yuan",
    "sku_benefit_detail",
    "logistics_info",
    "pictures",
    "food",
)
TEXT_FIELDS = ("recipient_address", "recipient_name", "caution", "reason")
DOUBLE_ENCODED_FIELDS = JSON_FIELDS + TEXT_FIELDS

ACK_OK = {"data": "ok"}


def error_body(code: int, msg: str) -> dict:
    return {"data": "ng", "error": {"code": code, "msg": msg}}


# ---- after-sales (§1.4 全额退款 push, §1.5 refund methods) -----------------------------------------
# ASSUMED: the platform agrees a refund request by itself when the merchant has not answered
# within this many hours of the request (the after-sale center shows it as a countdown).
REFUND_AUTO_AGREE_HOURS = 24
# res_type of the refund push and of getOrderRefundDetail (§1.4 says 0-8; meanings ASSUMED).
RES_PENDING, RES_CANCELLED = {0}, {7, 8}
RES_REJECTED, RES_AGREED = {1, 3}, {2, 4, 5, 6}
# service_type 1 refund only, 2 return goods; return-flow `status` 21 = buyer sent the goods back
# (ASSUMED among §1.4's codes).
SERVICE_RETURN_GOODS = 2
STATUS_BUYER_SHIPPED = 21
# reviewAfterSales review_type (ASSUMED): 1 agree the return, 2 reject it, 3 confirm receipt.
REVIEW_AGREE_RETURN, REVIEW_REJECT, REVIEW_CONFIRM_RECEIPT = 1, 2, 3
# Refund reject reasons (ASSUMED codes; the text is what Meituan shows the buyer).
REFUND_REJECT_REASONS: dict[str, tuple[str, str]] = {
    "2001": ("商品已出餐/已配送，无法退款", "Already prepared or on its way"),
    "2002": ("商品无质量问题", "No quality problem"),
    "2003": ("与顾客协商一致不退款", "Agreed with the customer"),
    "2004": ("退货商品不完整/影响二次销售", "Returned goods incomplete"),
    "2099": ("其他原因", "Other"),
}
