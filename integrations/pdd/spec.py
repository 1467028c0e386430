"""拼多多 wire facts in one place (the client, the mapping and the sandbox twin all read them).

From platform-apis.md §6 and PDD's public API pages: one gateway, POST JSON with `type`,
`client_id`, `access_token`, `timestamp` (unix seconds), `data_type`, `sign`; errors come as
`{"error_response": {error_code, error_msg, sub_code, sub_msg, request_id}}`; amounts are yuan;
order times are "yyyy-MM-dd HH:mm:ss" Beijing time; the increment APIs take unix seconds and a
window of at most 30 minutes. Values marked ASSUMED were not found in public material: correct
them here.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import RefundKind, RefundStatus

PLATFORM = "pdd"
GATEWAY = "https://gw-api.pinduoduo.com/api/router"
AUTH_URL = "https://mms.pinduoduo.com/open.html"  # ?response_type=code&client_id=&redirect_uri=&state=
DATA_TYPE = "JSON"

WINDOW_SECONDS = 30 * 60  # increment APIs: end_updated_at - start_updated_at <= 30 min
MAX_PAGE_SIZE = 100
GOODS_PAGE_SIZE = 100
DECRYPT_BATCH = 100  # pdd.open.decrypt.batch: at most 100 items per call
ACCESS_TOKEN_TTL = 24 * 3600  # ASSUMED for the twin; the real value comes as expires_in
REFRESH_TOKEN_TTL = 30 * 24 * 3600  # ASSUMED for the twin


class Api(StrEnum):
    ORDER_INCREMENT = "pdd.order.number.list.increment.get"
    ORDER_INFO = "pdd.order.information.get"
    REFUND_INCREMENT = "pdd.refund.list.increment.get"
    REFUND_INFO = "pdd.refund.information.get"
    REFUND_AGREE = "pdd.refund.agree"
    REFUND_REFUSE = "pdd.refund.refuse"  # ASSUMED name and params (not in the fact sheet)
    RETURN_AGREE = "pdd.refund.returngoods.agree"
    SHIP = "pdd.logistics.online.send"
    COMPANIES = "pdd.logistics.companies.get"
    NOTE = "pdd.order.note.update"
    STOCK = "pdd.goods.quantity.update"
    GOODS_LIST = "pdd.goods.list.get"
    GOODS_DETAIL = "pdd.goods.detail.get"
    DECRYPT = "pdd.open.decrypt.batch"
    WAYBILL_GET = "pdd.waybill.get"
    WAYBILL_CANCEL = "pdd.waybill.cancel"
    TOKEN_CREATE = "pdd.pop.auth.token.create"
    TOKEN_REFRESH = "pdd.pop.auth.token.refresh"


# The key each answer is wrapped in ({"<key>": {...}}), as PDD names them.
RESPONSE_KEY: dict[str, str] = {
    Api.ORDER_INCREMENT: "order_sn_increment_get_response",
    Api.ORDER_INFO: "order_info_get_response",
    Api.REFUND_INCREMENT: "refund_increment_get_response",
    Api.REFUND_INFO: "refund_information_get_response",
    Api.REFUND_AGREE: "response",
    Api.REFUND_REFUSE: "response",
    Api.RETURN_AGREE: "response",
    Api.SHIP: "logistics_online_send_response",
    Api.COMPANIES: "logistics_companies_get_response",
    Api.NOTE: "response",
    Api.STOCK: "goods_quantity_update_response",
    Api.GOODS_LIST: "goods_list_get_response",
    Api.GOODS_DETAIL: "goods_detail_get_response",
    Api.DECRYPT: "open_decrypt_batch_response",
    Api.WAYBILL_GET: "pdd_waybill_get_response",
    Api.WAYBILL_CANCEL: "pdd_waybill_cancel_response",
    Api.TOKEN_CREATE: "pop_auth_token_create_response",
    Api.TOKEN_REFRESH: "pop_auth_token_refresh_response",
}


class ErrorCode(IntEnum):
    PARAM = 10000  # 参数错误
    SIGN = 10001  # ASSUMED: 签名错误
    CLIENT = 10016  # ASSUMED: client_id 不存在
    TOKEN_EXPIRED = 10019  # access_token 已过期
    TOKEN_INVALID = 10035  # ASSUMED: access_token 不存在 / 与 client_id 不匹配
    CODE_INVALID = 10036  # ASSUMED: 授权码无效或已使用
    REFRESH_INVALID = 10037  # ASSUMED: refresh_token 无效或过期
    NO_PERMISSION = 20000  # ASSUMED: 无该接口权限 (e.g. no decrypt permission)
    BUSINESS = 50001  # 业务服务错误 (state conflicts, unknown ids; sub_code says which)
    RATE_LIMIT = 70031  # 调用过于频繁
    RATE_LIMIT_SERVICE = 70032  # ASSUMED: 接口服务级限流


TOKEN_CODES = frozenset({ErrorCode.TOKEN_EXPIRED, ErrorCode.TOKEN_INVALID})
RATE_LIMIT_CODES = frozenset({ErrorCode.RATE_LIMIT, ErrorCode.RATE_LIMIT_SERVICE})


# ---- orders --------------------------------------------------------------------------------------


class OrderState(IntEnum):  # order_status
    TO_SHIP = 1  # 待发货
    SHIPPED = 2  # 已发货待签收
    SIGNED = 3  # 已签收


class RefundState(IntEnum):  # order-level refund_status
    NONE = 1  # 无售后或售后关闭
    IN_PROGRESS = 2  # 售后处理中
    REFUNDING = 3  # 退款中
    REFUNDED = 4  # 退款成功


STATUS_TEXT = {1: "待发货", 2: "已发货待签收", 3: "已签收"}
REFUND_TEXT = {2: "售后处理中", 3: "退款中", 4: "退款成功"}

ALL = 5  # order_status / refund_status filter "全部"
LUCKY_ALL = 0  # is_lucky_flag: 0 全部, 1 非抽奖订单, 2 抽奖订单


def unified_status(order_status: int, refund_status: int, confirm_status: int = 1) -> OrderStatus:
    """Our status from PDD's (order_status, refund_status, confirm_status)."""
    if confirm_status == 2:  # 已取消 (e.g. 拼团失败)
        return OrderStatus.CANCELLED
    if refund_status == RefundState.REFUNDED:
        return OrderStatus.CLOSED
    if confirm_status == 0:  # 未成交: still grouping
        return OrderStatus.PENDING_PAYMENT
    return {
        OrderState.TO_SHIP: OrderStatus.TO_SHIP,
        OrderState.SHIPPED: OrderStatus.SHIPPED,
        OrderState.SIGNED: OrderStatus.COMPLETED,
    }.get(order_status, OrderStatus.TO_SHIP)


# ---- after-sales ---------------------------------------------------------------------------------


class AfterSalesType(IntEnum):
    ALL = 1
    REFUND_ONLY = 2  # 仅退款
    RETURN = 3  # 退货退款
    EXCHANGE = 4  # 换货
    RESEND = 5  # 缺货补寄


AFTER_SALES_ALL = 1  # after_sales_status filter "全部" of the increment API

# after_sales_status → our refund status (the codes of pdd.refund.list.increment.get)
AFTER_SALES_STATUS: dict[int, RefundStatus] = {
    2: RefundStatus.APPLIED,  # 买家申请退款，待商家处理
    3: RefundStatus.APPLIED,  # 退货退款，待商家处理
    4: RefundStatus.AGREED,  # 商家同意退款，退款中
    5: RefundStatus.AGREED,  # 平台同意退款，退款中
    6: RefundStatus.REJECTED,  # 驳回退款，待买家处理
    7: RefundStatus.AGREED,  # 已同意退货退款，待用户发货
    8: RefundStatus.APPLIED,  # 平台处理中
    9: RefundStatus.FAILED,  # 平台拒绝退款，退款关闭
    10: RefundStatus.SUCCEEDED,  # 退款成功
    11: RefundStatus.CANCELLED,  # 买家撤销
    12: RefundStatus.FAILED,  # 买家逾期未处理，退款失败
    13: RefundStatus.FAILED,  # 买家逾期，超过有效期
}
RETURN_AGREED = 7  # with a tracking_number: the buyer has sent the goods back
APPLIED_STATES = frozenset({2, 3})  # what the merchant answers (agree / refuse / return agree)


def refund_kind(after_sales_type: int, full: bool) -> RefundKind:
    if after_sales_type == AfterSalesType.RETURN:
        return RefundKind.RETURN_GOODS
    return RefundKind.FULL if full else RefundKind.PARTIAL


# ASSUMED codes (PDD's refuse form lists these reasons; the codes are the sandbox's)
REFUND_REJECT_REASONS: dict[str, tuple[str, str]] = {
    "1": ("商品已发出，请拒收后申请", "Already shipped: refuse the parcel, then apply"),
    "2": ("买家未退回商品", "The buyer has not returned the goods"),
    "3": ("退回商品影响二次销售", "Returned goods cannot be resold"),
    "4": ("与买家协商一致不退款", "Agreed with the buyer: no refund"),
    "5": ("其他", "Other"),
}

# 备注旗帜 remark_tag of pdd.order.note.update
MEMO_FLAGS: dict[str, tuple[str, str]] = {
    "1": ("红色", "Red"),
    "2": ("黄色", "Yellow"),
    "3": ("绿色", "Green"),
    "4": ("蓝色", "Blue"),
    "5": ("紫色", "Purple"),
}

# ---- carriers ------------------------------------------------------------------------------------

# pdd.logistics.companies.get as the twin serves it (id, name). The adapter maps our carrier
# codes by the names in the live table; these ids are the twin's (ASSUMED to match production).
LOGISTICS_COMPANIES: tuple[tuple[int, str], ...] = (
    (44, "顺丰速运"),
    (115, "中通快递"),
    (85, "圆通快递"),
    (1, "申通快递"),
    (121, "韵达快递"),
    (120, "京东快递"),
    (118, "邮政EMS"),
    (132, "邮政快递包裹"),
    (384, "极兔速递"),
    (131, "德邦快递"),
    (3, "百世快递"),
    (129, "宅急送"),
)

# Our express code → PDD 电子面单 wp_code (the twin issues numbers for these)
WAYBILL_WP_CODES: dict[str, str] = {
    "ZTO": "ZTO",
    "YTO": "YTO",
    "STO": "STO",
    "YD": "YUNDA",
    "JT": "JTSD",
    "SF": "SF",
    "EMS": "EMS",
    "YZPY": "YZXB",
    "DBL": "DBKD",
}
