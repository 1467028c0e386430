"""JD POP (JOS) wire facts in one place: the client, the mapping and the twin all read them.

From platform-apis.md §5: the routerjson gateway, the system parameters, the MD5 signing rule,
the order search/detail/ship/refund/SKU method names, the order states and the refund-apply
statuses. From JD's public API pages (method names and parameters): oaid decrypt, the seller memo,
SKU stock, the after-sale service (售后服务单) calls, 无界电子面单 and the OAuth endpoints.
Everything marked ASSUMED is a placeholder chosen here: correct it in this file.
"""

from __future__ import annotations

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import RefundStatus

PLATFORM = "jd"
GATEWAY = "https://api.jd.com/routerjson"
OAUTH_BASE = "https://open-oauth.jd.com"  # U in the fact sheet: /oauth2/to_login, access_token, refresh_token
API_VERSION = "2.0"
PARAM_JSON = "360buy_param_json"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # Asia/Shanghai wall time, for `timestamp` and every date field
UNSIGNED = frozenset({"sign", "format", "sign_method"})  # §5: not part of the signed set
TIMESTAMP_SKEW = 600  # ASSUMED: the gateway refuses requests older/newer than 10 minutes


class Method:
    ORDER_SEARCH = "jingdong.pop.order.enSearch"
    ORDER_GET = "jingdong.pop.order.enGet"
    SHIP = "jingdong.pop.order.shipment"
    MEMO = "jingdong.pop.order.modifyVenderRemark"
    DECRYPT = "jingdong.jos.order.oaid.decrypt"
    REFUND_LIST = "jingdong.pop.afs.soa.refundapply.queryPageList"
    REFUND_REPLY = "jingdong.pop.afs.soa.refundapply.replyRefund"
    SERVICE_LIST = "jingdong.asc.query.list"  # 售后服务单 (退货) list
    SERVICE_AUDIT = "jingdong.asc.audit.delivery"  # ASSUMED: the 售后审核 call that lets the buyer send goods back
    STOCK = "jingdong.stock.write.updateSkuStock"
    SKU_LIST = "jingdong.sku.read.searchSkuList"
    WAYBILL_GET = "jingdong.ldop.alpha.waybill.receive"  # 无界电子面单 取号
    WAYBILL_CANCEL = "jingdong.ldop.alpha.waybill.api.unbind"  # 无界电子面单 运单解绑 (return the number)
    BIGSHOT = "jingdong.ldop.alpha.vendor.bigshot.query"  # 大头笔 / 集包地 of a waybill


def response_key(method: str) -> str:
    """JD wraps an answer in `<method with _>_responce` (sic: the gateway's own spelling)."""
    return method.replace(".", "_") + "_responce"


# Result objects inside the `_responce` wrapper, per method.
RESULT_KEY = {
    Method.ORDER_SEARCH: "searchorderinfo_result",
    Method.ORDER_GET: "orderDetailInfo",
    Method.SHIP: "sopjosshipment_result",
    Method.MEMO: "modifyvenderremark_result",
    Method.DECRYPT: "result",
    Method.REFUND_LIST: "queryResult",
    Method.REFUND_REPLY: "replyResult",
    Method.SERVICE_LIST: "pageResult",
    Method.SERVICE_AUDIT: "result",
    Method.STOCK: "success",
    Method.SKU_LIST: "page",
    Method.WAYBILL_GET: "resultInfo",
    Method.WAYBILL_CANCEL: "resultInfo",
    Method.BIGSHOT: "resultInfo",
}

MAX_PAGE_SIZE = 100  # enSearch page_size ≤ 100
MAX_WINDOW_DAYS = 30  # "start/end ≤ 1 month apart" (§5), read as 30 days
MAX_REFUND_PAGE = 50  # ASSUMED pageSize cap of the refund and service lists
MAX_SKU_PAGE = 50  # ASSUMED pageSize cap of searchSkuList
DECRYPT_BATCH = 20  # ASSUMED orderInfos per oaid decrypt call
DATE_TYPE_MODIFIED = 0  # dateType 0: by modified time (1: by creation time)
SORT_ASC = 0  # sortType 0: oldest first


class ErrorCode:
    """`error_response.code` (text on the wire)."""

    TOKEN_INVALID = "19"  # "Invalid access_token" / 无效access_token (expired or unknown)
    BAD_SIGN = "7"  # ASSUMED: signature mismatch
    BAD_APP = "18"  # ASSUMED: unknown app_key
    BAD_TIMESTAMP = "9"  # ASSUMED: timestamp outside the allowed skew
    RATE_LIMITED = "67"  # ASSUMED: API call frequency over the limit
    SYSTEM_BUSY = "66"  # ASSUMED: platform busy, retry
    PARAM = "61"  # ASSUMED: business parameter invalid
    NOT_FOUND = "62"  # ASSUMED: order / refund / service not found
    STATE = "63"  # ASSUMED: the order is not in a state that allows this
    NO_PERMISSION = "65"  # ASSUMED: the app has no permission for this API (e.g. decrypt)


TOKEN_ERRORS = frozenset({ErrorCode.TOKEN_INVALID})
RETRYABLE_ERRORS = frozenset({ErrorCode.RATE_LIMITED, ErrorCode.SYSTEM_BUSY})
OAUTH_BAD_APP = 10001  # ASSUMED: the oauth2 endpoints' code for a wrong app_key / app_secret
OAUTH_INVALID_GRANT = 10003  # ASSUMED: the oauth2 endpoints' code for a bad code / refresh token


class OrderState:
    WAIT_STOCK_OUT = "WAIT_SELLER_STOCK_OUT"
    WAIT_DELIVERY = "WAIT_SELLER_DELIVERY"  # cross-border
    SHIPPED = "WAIT_GOODS_RECEIVE_CONFIRM"
    FINISHED = "FINISHED_L"
    CANCELED = "TRADE_CANCELED"
    LOCKED = "LOCKED"  # a refund application holds the order
    PAUSE = "PAUSE"


ORDER_STATES: dict[str, tuple[OrderStatus, str]] = {
    OrderState.WAIT_STOCK_OUT: (OrderStatus.TO_SHIP, "等待出库"),
    OrderState.WAIT_DELIVERY: (OrderStatus.TO_SHIP, "等待发货"),
    OrderState.LOCKED: (OrderStatus.TO_SHIP, "已锁定"),
    OrderState.PAUSE: (OrderStatus.TO_SHIP, "暂停"),
    OrderState.SHIPPED: (OrderStatus.SHIPPED, "等待确认收货"),
    OrderState.FINISHED: (OrderStatus.COMPLETED, "完成"),
    OrderState.CANCELED: (OrderStatus.CANCELLED, "已取消"),
}
SEARCH_STATES = ",".join(ORDER_STATES)  # order_state of a pull: every state, so changes are seen

# Refund apply (退款审核单) status, §5: 0 unreviewed, 1 approved, 2 rejected, 3/4 finance approved/
# rejected, 5 manual approved, 6 intercept & refund.
REFUND_STATUS: dict[str, RefundStatus] = {
    "0": RefundStatus.APPLIED,
    "1": RefundStatus.AGREED,
    "2": RefundStatus.REJECTED,
    "3": RefundStatus.SUCCEEDED,
    "4": RefundStatus.FAILED,
    "5": RefundStatus.AGREED,
    "6": RefundStatus.AGREED,
    "9": RefundStatus.SUCCEEDED,  # 强制关单并退款
    "11": RefundStatus.CANCELLED,  # ASSUMED: the buyer withdrew the application
}
REPLY_AGREE, REPLY_REJECT = 1, 2  # replyRefund `status`

# replyRefund `rejectType` (JD's own list, sent only with status 2).
REFUND_REJECT_REASONS: dict[str, tuple[str, str]] = {
    "1": ("（支持拒收）商品已在配送途中，无法取消", "On the way (buyer may refuse delivery)"),
    "2": ("商品已签收，无法取消", "Already signed for"),
    "3": ("国际站保税区订单，已报关", "Bonded cross-border order, customs declared"),
    "4": ("已电话沟通客户，客户同意签收商品", "Buyer agreed by phone to accept the goods"),
    "5": ("其他", "Other"),
    "6": ("（不支持拒收）商品已在配送途中，无法取消", "On the way (no refusal possible)"),
}

# 售后服务单 serviceStatus (ASSUMED codes; the public pages name the field only).
SERVICE_STATUS: dict[str, RefundStatus] = {
    "10001": RefundStatus.APPLIED,  # 待审核
    "10005": RefundStatus.AGREED,  # 待收货 (the buyer may send the goods)
    "10011": RefundStatus.RETURN_SHIPPED,  # 买家已寄回
    "10004": RefundStatus.REJECTED,  # 审核关闭
    "10007": RefundStatus.CANCELLED,  # 取消
    "10009": RefundStatus.SUCCEEDED,  # 完成 (refunded)
}
CUSTOMER_EXPECT_RETURN = 10  # customerExpect 10: 退货

# JD's 商家备注 flag colours (modifyVenderRemark `flag`).
MEMO_FLAGS: dict[str, tuple[str, str]] = {
    "0": ("灰色", "Grey"),
    "1": ("红色", "Red"),
    "2": ("黄色", "Yellow"),
    "3": ("绿色", "Green"),
    "4": ("蓝色", "Blue"),
    "5": ("紫色", "Purple"),
}

# Our carrier codes → JD's logistics company ids (`logiCoprId` of shipment). JD's own table lists
# hundreds; these are the ids published for the common express companies (ASSUMED where not sure).
CARRIER_IDS: dict[str, str] = {
    "JD": "2087",  # 京东快递
    "SF": "467",  # 顺丰
    "ZTO": "463",  # 中通
    "YTO": "470",  # 圆通
    "STO": "465",  # 申通
    "YD": "1327",  # 韵达
    "EMS": "465000",  # ASSUMED
    "YZPY": "2170",  # ASSUMED 邮政快递包裹
    "JT": "1000000001",  # ASSUMED 极兔
    "DBL": "3046",  # 德邦
    "BEST": "1748",  # 百世
    "ZJS": "1409",  # 宅急送
    "DNWL": "3100",  # ASSUMED 丹鸟
    "SELF": "1274",  # 厂家自送 (no tracking number needed)
    "OTHER": "1274",
}
SELF_DELIVERY_ID = "1274"
PARCEL_SEPARATOR = ","  # several numbers of one carrier in one logiNo

# 无界电子面单 providers (our code → providerCode); the merchant has a 网点/月结 account with each.
WAYBILL_PROVIDERS: dict[str, str] = {
    "JD": "JD",
    "SF": "SF",
    "ZTO": "ZTO",
    "YTO": "YTO",
    "STO": "STO",
    "YD": "YUNDA",
    "EMS": "EMS",
    "JT": "JTSD",  # ASSUMED
}
