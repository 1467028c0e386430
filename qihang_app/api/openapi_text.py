"""The words of QiHang's ERP API documentation (OpenAPI description, read at /api/docs)."""

from __future__ import annotations

from qihang_app.domain.erp_link import LABEL
from qihang_app.domain.express_carriers import CARRIERS

SIGNING = """\
## Signing (both directions)

Every call carries three headers:

| header | value |
| --- | --- |
| `X-QiHang-Key` | the connection's key (shown in the OMS under ERP 连接) |
| `X-QiHang-Timestamp` | unix seconds, as text |
| `X-QiHang-Signature` | lowercase hex of HMAC-SHA256(key = the connection's secret, message = timestamp + "\\n" + the raw body bytes) |

Calls more than 300 s away from the receiver's clock are refused (`expired`). A signature seen
before inside that window is refused as a replay (`replayed`): sign every call anew, also retries.
Python: `hmac.new(secret.encode(), ts.encode() + b"\\n" + body, hashlib.sha256).hexdigest()`.
"""

OUTBOUND = """\
## What the OMS sends you (outbound)

`POST {your URL}` with the headers above plus `Idempotency-Key`, and the JSON body
`{"event": ..., "idempotency_key": ..., "data": {...}}` (the key equals the header).

| event | when | data |
| --- | --- | --- |
| `order.created` | after 接单 (or after payment, per connection) and once every line is linked to an ERP SKU | `order_no`, `platform`, `platform_order_id`, `display_no`, `customer_code`, `receiver{name,phone,address}`, `buyer_memo`, `goods_fen`, `freight_fen`, `discount_fen`, `paid_fen`, `lines[{line_no, sku, name, spec, quantity, unit_price_fen, discount_fen, paid_fen}]` |
| `order.cancelled` | the order was cancelled after it was pushed | `order_no`, `reason` |
| `aftersale.created` | an after-sale was opened | `aftersale_no`, `order_no`, … |
| `ping` | 测试连接 in the OMS | `{}` |

Money is **integer fen** (1/100 yuan) in every `*_fen` field. Answer any 2xx to accept
(optionally `{"erp_order_no": "..."}`); anything else is retried with exponential backoff and
jitter, and after the last attempt the push is marked failed in 推送记录, where staff can
re-push it. One idempotency key per (order, event, version): a key you have seen is the same
push again — answer as the first time and do nothing.

`customer_code` is the ERP customer: by default one virtual customer per platform buyer
(`QH-<PLATFORM>-<hash>`), or the fixed customer configured for the shop.
"""

ERRORS = """\
## Errors

4xx answers are `{"error": {"code": "...", "message": "..."}}`. Codes are stable:

| HTTP | code | meaning |
| --- | --- | --- |
| 400 | `bad_json` | the body is not a JSON object |
| 401 | `unsigned` | a signing header is missing |
| 401 | `bad_timestamp` | the timestamp is not unix seconds |
| 401 | `expired` | the timestamp is more than 300 s away |
| 401 | `unknown_key` | no connection has this key |
| 401 | `bad_signature` | the signature does not match |
| 403 | `connection_disabled` | the connection is switched off in the OMS |
| 404 | `unknown_order` | no such order was pushed to this connection |
| 409 | `replayed` | this signature was used before |
| 409 | `order_ended` | the order is cancelled or closed: it cannot ship |
| 413 | `too_large` | the body is over 256 KiB |
| 422 | `invalid` | a field is missing or wrong (the message names it) |
| 422 | `unknown_carrier` | `carrier_code` is not in the carrier list |
"""


def states() -> str:
    rows = "\n".join(f"| {code} | {zh} | {en} |" for code, (zh, en) in LABEL.items())
    return f"""\
## An order's ERP state

The OMS shows each order's ERP state in words; the numbers are those of the source system
this OMS replaces (0 / 200 / 100 / > 200):

| number | 中文 | English |
| --- | --- | --- |
{rows}
"""


def carriers() -> str:
    rows = "\n".join(f"| `{c.code}` | {c.name_zh} | {c.name_en} |" for c in CARRIERS)
    return f"## Carrier codes\n\n| code | 中文 | English |\n| --- | --- | --- |\n{rows}\n"


def description() -> str:
    return "\n".join(
        [
            "The API between QiHang OMS and a merchant's own (in-house) ERP. Orders go out to the ERP; "
            "shipments, cancel results and after-sale results come back here.\n",
            SIGNING,
            OUTBOUND,
            states(),
            ERRORS,
            carriers(),
        ]
    )
