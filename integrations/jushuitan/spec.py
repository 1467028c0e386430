"""聚水潭 open API facts (shared/docs/erp-apis.md §1): paths, codes, limits, carrier codes."""

from __future__ import annotations

ERP = "jushuitan"
DEFAULT_URL = "https://openapi.jushuitan.com"
TWIN_PREFIX = "/jushuitan"  # the sandbox serves the gateway under this prefix

UPLOAD_ORDERS = "/open/jushuitan/orders/upload"
CANCEL_BY_OID = "/open/jushuitan/orderbyoid/cancel"
UPLOAD_AFTERSALE = "/open/aftersale/upload"
QUERY_LOGISTIC = "/open/logistic/query"
QUERY_ORDERS = "/open/orders/single/query"
QUERY_SHOPS = "/open/shops/query"
REFRESH_TOKEN = "/openWeb/auth/refreshToken"  # self-built apps only (ISV apps re-authorize: code 150)
TOKEN_TTL = 2_592_000  # 30 days, the doc's example

SYSTEM_PARAMS = ("app_key", "access_token", "timestamp", "charset", "version", "biz", "sign")
TIMESTAMP_WINDOW = 600  # seconds; the docs say 10 min in one place and 15 in another: take the stricter

# Answer codes (§1.8)
OK = 0
BAD_SIGN = 10
BAD_TOKEN = 100
IP_DENIED = 110
BAD_TIMESTAMP = 140
NO_PERMISSION = 190
PER_SECOND = 199
PER_MINUTE = 200
BAD_ARGS = 1  # not in the published table; the twin's answer to malformed business params

RATE_LIMIT_CODES = frozenset({str(PER_SECOND), str(PER_MINUTE)})
RETRY_AFTER = {PER_SECOND: 1.0, PER_MINUTE: 60.0}  # a per-second window clears in a second
LIMIT_PER_SECOND = 5
LIMIT_PER_MINUTE = 100
LOGISTIC_PAGE = 50
ORDERS_PAGE = 100
MAX_WINDOW_DAYS = 7
MAX_LOOKBACK_DAYS = 30  # a first poll with no past does not walk years of 7-day windows
MAX_CANCEL_OIDS = 50

# The JST carrier code (lc_id) of each carrier in our list. JST's own table is not public (U):
# names are matched as the fallback (integrations.erp_base / domain.express_carriers.carrier_by_name).
CARRIER_CODES = {
    "SF": "SF",
    "ZTO": "ZTO",
    "YTO": "YTO",
    "STO": "STO",
    "YD": "YUNDA",
    "JD": "JD",
    "EMS": "EMS",
    "JT": "JTSD",
    "DBL": "DBKD",
    "BEST": "HTKY",
}
FROM_CARRIER_CODE = {v: k for k, v in CARRIER_CODES.items()}

# A confirmed 补发 / 换货 after-sale makes JST create an order of this type, carrying the as_id
SPAWNING_TYPES = {"补发": "补发订单", "换货": "换货订单"}
RESULT_OUTCOMES = {"补发订单": "resend", "换货订单": "exchange"}
AFTERSALE_TYPES = {"refund_only": "仅退款", "return": "普通退货", "resend": "补发", "exchange": "换货"}
AFTERSALE_LINE_TYPES = {"refund_only": "其它", "return": "退货", "resend": "补发", "exchange": "换货"}
