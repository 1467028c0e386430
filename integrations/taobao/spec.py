"""TOP's wire facts in one place (platform-apis.md §4; marked ASSUMED where the sheet is silent and
the value follows TOP's public docs as commonly published)."""

from __future__ import annotations

from enum import StrEnum

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import RefundStatus

PLATFORM = "taobao"
GATEWAY = "https://eco.taobao.com/router/rest"
AUTH_URL = "https://oauth.taobao.com/authorize"
TOKEN_URL = "https://oauth.taobao.com/token"
API_VERSION = "2.0"
SIGN_METHODS = ("md5", "hmac", "hmac-sha256")
DEFAULT_SIGN_METHOD = "md5"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # Asia/Shanghai wall time on the wire

MAX_WINDOW_SECONDS = 24 * 3600  # trades.sold.increment.get: start..end at most one day
HISTORY_SECONDS = 90 * 24 * 3600 - 3600  # only the last 3 months are queryable (an hour to spare)
PAGE_SIZE = 100  # the increment API's maximum page size
REFUND_PAGE_SIZE = 100


class Method(StrEnum):
    TRADES_INCREMENT = "taobao.trades.sold.increment.get"
    TRADE_FULLINFO = "taobao.trade.fullinfo.get"
    REFUNDS_RECEIVE = "taobao.refunds.receive.get"
    REFUND_GET = "taobao.refund.get"
    OFFLINE_SEND = "taobao.logistics.offline.send"
    ONLINE_SEND = "taobao.logistics.online.send"
    REFUND_AGREE = "taobao.rp.refunds.agree"
    REFUND_REFUSE = "taobao.rp.refund.refuse"  # the brief's name; the sheet lists taobao.refund.refuse
    RETURN_AGREE = "taobao.rp.returngoods.agree"
    MEMO_UPDATE = "taobao.trade.memo.update"
    QUANTITY_UPDATE = "taobao.item.quantity.update"
    ITEMS_ONSALE = "taobao.items.onsale.get"
    ITEM_SELLER_GET = "taobao.item.seller.get"
    OAID_DECRYPT = "taobao.top.oaid.decrypt"
    WAYBILL_GET = "cainiao.waybill.ii.get"
    WAYBILL_CANCEL = "cainiao.waybill.ii.cancel"
    TMC_CONFIRM = "taobao.tmc.messages.confirm"
    USER_SELLER_GET = "taobao.user.seller.get"


def response_key(method: str) -> str:
    """TOP wraps a result in `<method without "taobao.", dots as underscores>_response`."""
    name = method[len("taobao.") :] if method.startswith("taobao.") else method
    return name.replace(".", "_") + "_response"


class ErrorCode:
    """Platform-level `error_response.code` values (TOP's published list)."""

    APP_CALL_LIMITED = 7  # 应用调用次数超限 (sub_code accesscontrol.limited-by-*)
    FREQUENCY_LIMITED = 8  # 应用调用频率超限
    SERVICE_UNAVAILABLE = 10
    INSUFFICIENT_ISV_PERMISSIONS = 11
    INSUFFICIENT_USER_PERMISSIONS = 12
    REMOTE_SERVICE_ERROR = 15  # business refusals: sub_code isv.* (caller) / isp.* (server, retry)
    INVALID_METHOD = 22
    INVALID_SIGNATURE = 25
    MISSING_SESSION = 26
    INVALID_SESSION = 27  # expired or revoked session key
    INVALID_APP_KEY = 29
    INVALID_TIMESTAMP = 31
    MISSING_ARGUMENTS = 40
    INVALID_ARGUMENTS = 41


RATE_LIMIT_CODES = frozenset({ErrorCode.APP_CALL_LIMITED, ErrorCode.FREQUENCY_LIMITED})
SESSION_CODES = frozenset({ErrorCode.MISSING_SESSION, ErrorCode.INVALID_SESSION})
CREDENTIAL_CODES = frozenset(
    {
        *SESSION_CODES,
        ErrorCode.INVALID_SIGNATURE,
        ErrorCode.INVALID_APP_KEY,
        ErrorCode.INSUFFICIENT_ISV_PERMISSIONS,
        ErrorCode.INSUFFICIENT_USER_PERMISSIONS,
    }
)
RETRYABLE_CODES = frozenset({*RATE_LIMIT_CODES, ErrorCode.SERVICE_UNAVAILABLE})
API_LIMIT_SUB_CODE = "accesscontrol.limited-by-api-access-count"
SESSION_EXPIRED_SUB_CODE = "invalid-sessionkey"

# ---- trades ----------------------------------------------------------------------------------------

TRADE_STATUS: dict[str, OrderStatus] = {
    "TRADE_NO_CREATE_PAY": OrderStatus.PENDING_PAYMENT,
    "WAIT_BUYER_PAY": OrderStatus.PENDING_PAYMENT,
    "PAY_PENDING": OrderStatus.PENDING_PAYMENT,
    "WAIT_PRE_AUTH_CONFIRM": OrderStatus.PENDING_PAYMENT,
    "WAIT_SELLER_SEND_GOODS": OrderStatus.TO_SHIP,
    "PAID_FORBID_CONSIGN": OrderStatus.TO_SHIP,  # paid, shipping held by the platform
    "SELLER_CONSIGNED_PART": OrderStatus.TO_SHIP,  # some parcels still to go
    "WAIT_BUYER_CONFIRM_GOODS": OrderStatus.SHIPPED,
    "TRADE_BUYER_SIGNED": OrderStatus.COMPLETED,  # COD signed
    "TRADE_FINISHED": OrderStatus.COMPLETED,
    "TRADE_CLOSED": OrderStatus.CLOSED,  # refunded after payment
    "TRADE_CLOSED_BY_TAOBAO": OrderStatus.CANCELLED,  # closed before payment
}
TRADE_STATUS_TEXT = {
    "WAIT_BUYER_PAY": "等待买家付款",
    "WAIT_SELLER_SEND_GOODS": "等待卖家发货",
    "SELLER_CONSIGNED_PART": "卖家部分发货",
    "WAIT_BUYER_CONFIRM_GOODS": "等待买家确认收货",
    "TRADE_FINISHED": "交易成功",
    "TRADE_CLOSED": "交易关闭",
    "TRADE_CLOSED_BY_TAOBAO": "交易被淘宝关闭",
}
TRADE_FIELDS = (
    "tid,status,created,modified,pay_time,payment,total_fee,post_fee,discount_fee,coupon_fee,"
    "seller_nick,buyer_message,seller_memo,seller_flag,receiver_name,receiver_mobile,receiver_state,"
    "receiver_city,receiver_district,receiver_address,oaid,consign_due_time,orders"
)

# ---- refunds -----------------------------------------------------------------------------------------

REFUND_STATUS: dict[str, RefundStatus] = {
    "WAIT_SELLER_AGREE": RefundStatus.APPLIED,
    "WAIT_BUYER_RETURN_GOODS": RefundStatus.AGREED,
    "WAIT_SELLER_CONFIRM_GOODS": RefundStatus.RETURN_SHIPPED,
    "SELLER_REFUSE_BUYER": RefundStatus.REJECTED,
    "CLOSED": RefundStatus.CANCELLED,
    "SUCCESS": RefundStatus.SUCCEEDED,
}
NO_REFUND = "NO_REFUND"

# refuse reason ids: ASSUMED (TOP lists them per refund via taobao.refund.refusereason.get).
REFUND_REJECT_REASONS: dict[str, tuple[str, str]] = {
    "1": ("买家未退货", "The buyer has not returned the goods"),
    "2": ("商品已发出，请拒收后申请", "Already shipped: refuse delivery, then ask again"),
    "3": ("退回商品影响二次销售", "The returned goods cannot be resold"),
    "4": ("与买家协商一致不退款", "Agreed with the buyer: no refund"),
    "5": ("买家要求不合理", "The request is unreasonable"),
}

# ---- memo flags (taobao.trade.memo.update `flag`) ----------------------------------------------------

MEMO_FLAGS: dict[str, tuple[str, str]] = {
    "0": ("灰旗", "Grey"),
    "1": ("红旗", "Red"),
    "2": ("黄旗", "Yellow"),
    "3": ("绿旗", "Green"),
    "4": ("蓝旗", "Blue"),
    "5": ("紫旗", "Purple"),
}

# ---- carriers: our express codes → TOP logistics company codes ---------------------------------------

COMPANY_CODE: dict[str, str] = {
    "SF": "SF",
    "ZTO": "ZTO",
    "YTO": "YTO",
    "STO": "STO",
    "YD": "YUNDA",
    "JD": "JD",
    "EMS": "EMS",
    "YZPY": "POSTB",
    "JT": "JTSD",  # ASSUMED
    "DBL": "DBKD",
    "BEST": "HTKY",
    "ZJS": "ZJS",
    "DNWL": "DNWL",  # ASSUMED
    "OTHER": "OTHER",
}
OUR_CARRIER = {code: ours for ours, code in COMPANY_CODE.items()}
# 菜鸟电子面单 issues numbers for these (the merchant subscribes per carrier).
WAYBILL_CARRIERS = ("ZTO", "YTO", "STO", "YD", "SF", "JT", "EMS", "YZPY", "DBL")

# ---- TMC (消息服务) --------------------------------------------------------------------------------

TRADE_TOPICS = (
    "taobao_trade_TradeCreate",
    "taobao_trade_TradeBuyerPay",
    "taobao_trade_TradeSellerShip",
    "taobao_trade_TradePartlyRefund",
    "taobao_trade_TradeSuccess",
    "taobao_trade_TradeClose",
    "taobao_trade_TradeChanged",
    "taobao_trade_TradeMemoModified",
    "taobao_trade_TradeLogisticsAddressChanged",
)
REFUND_TOPICS = (
    "taobao_refund_RefundCreated",
    "taobao_refund_RefundSellerAgreeAgreement",
    "taobao_refund_RefundSellerRefuseAgreement",
    "taobao_refund_RefundBuyerReturnGoods",
    "taobao_refund_RefundSuccess",  # (U) in the sheet
    "taobao_refund_RefundClosed",  # (U) in the sheet
)
# What each refund topic says about the refund, without fetching it.
REFUND_TOPIC_STATUS = {
    "taobao_refund_RefundCreated": "WAIT_SELLER_AGREE",
    "taobao_refund_RefundCreate": "WAIT_SELLER_AGREE",  # the spelling the brief uses
    "taobao_refund_RefundSellerAgreeAgreement": "WAIT_BUYER_RETURN_GOODS",
    "taobao_refund_RefundSellerRefuseAgreement": "SELLER_REFUSE_BUYER",
    "taobao_refund_RefundBuyerReturnGoods": "WAIT_SELLER_CONFIRM_GOODS",
    "taobao_refund_RefundSuccess": "SUCCESS",
    "taobao_refund_RefundClosed": "CLOSED",
}
TMC_GROUP = "default"
