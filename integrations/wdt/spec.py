"""旺店通 企业版 open API facts (shared/docs/erp-apis.md §2.1): paths, codes, limits, carriers.

企业版 publishes few error codes and no rate limit. Where it is silent the twin and the adapter
use 旗舰版's table (1 auth, 7 timestamp, 100 frequency; §2.2): marked (U) below.
"""

from __future__ import annotations

ERP = "wdt"
DEFAULT_URL = "https://api.wangdian.cn/openapi2/"
TWIN_PREFIX = "/wdt/openapi2"  # the sandbox serves the classic host's paths under this prefix

TRADE_PUSH = "trade_push"
REFUND_PUSH = "sales_refund_push"
SYNC_QUERY = "logistics_sync_query"
SYNC_ACK = "logistics_sync_ack"

SYSTEM_PARAMS = ("sid", "appkey", "timestamp", "sign")
TIMESTAMP_WINDOW = 300  # 5 minutes of skew

OK = 0
BAD_AUTH = 1  # (U) bad sign / sid / appkey
BAD_TIMESTAMP = 7  # (U)
OTHER = 99
RATE_LIMITED = 100  # (U) "超过每分钟最大调用频率限制"
SHOP_UNKNOWN = 1007  # 店铺ID不存在 / appkey disabled
BAD_VALUE = 2830
RATE_WORDS = ("频率", "并发")  # code 100 covers other application errors: the words tell
NOT_WAITING = "非待同步状态"  # acking a record that is not waiting (already acked)

RATE_LIMIT_CODES = frozenset({str(RATE_LIMITED)})
RETRY_AFTER = 3.0  # what a public SDK waits after a frequency answer
MAX_TRADES = 50  # per trade_push
MAX_REFUNDS = 10  # per sales_refund_push
MAX_SYNC = 100  # logistics_sync_query limit
MAX_ACKS = 50  # per logistics_sync_ack
MAX_SAME_NICK = 30  # orders with the same buyer_nick in one push
SELF_PLATFORM = 127  # 自有平台

TRADE_STATUS_UNPAID = 10
TRADE_STATUS_PAID = 30
TRADE_STATUS_REFUNDED = 80  # closed after payment
TRADE_STATUS_CLOSED = 90  # closed before payment
REFUND_DONE = 5

# logistics_type (WDT's numeric carrier codes; 1S from the 旗舰版 table): ours -> theirs.
CARRIER_CODES = {"YTO": 4, "ZTO": 5, "STO": 6, "SF": 8, "YD": 9}
FROM_CARRIER_CODE = {str(v): k for k, v in CARRIER_CODES.items()}

# sales_refund_push `type` (the newer doc's codes): ours -> theirs. 补发 has its own API
# (sales_trade_replenish) whose fields are not public; 换货 goes as the return half.
REFUND_TYPES = {"refund_only": 4, "return": 2, "exchange": 2}
REFUND_STATUS_ASKED = 2
