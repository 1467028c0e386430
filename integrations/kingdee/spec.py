"""金蝶云星空 WebAPI facts (shared/docs/erp-apis.md §3): services, forms, fields, gateway answers.

Kingdee publishes no error-code table, rate limit or timestamp window; what the twin does there
is marked (U).
"""

from __future__ import annotations

ERP = "kingdee"
TWIN_PREFIX = "/kingdee/k3cloud"  # the sandbox plays the merchant's own site http(s)://host/k3cloud/

STUB = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService."
SAVE = STUB + "Save"
QUERY = STUB + "ExecuteBillQuery"
UNAUDIT = STUB + "UnAudit"
DELETE = STUB + "Delete"

SALE_ORDER = "SAL_SaleOrder"
OUT_STOCK = "SAL_OUTSTOCK"  # 销售出库单 (STK_OutStock is 其他出库)
ORDER_BILL_TYPE = "XSDD01_SYS"  # 标准销售订单
CURRENCY_CNY = "PRE001"
AUDITED = "C"  # FDocumentStatus: A 新建, Z 暂存, B 审核中, C 已审核, D 重新审核

QUERY_LIMIT = 2000
SHIPMENT_KEYS = (
    "FBillNo",
    "FDate",
    "FModifyDate",
    "FCarrierID.FNumber",
    "FCarrierID.FName",
    "FCarriageNO",
    "FSoorDerno",
    "FMaterialID.FNumber",
    "FRealQty",
)

GATEWAY_REFUSED = 519  # the public-cloud gateway's status, with an errcode in the body
BAD_SIGNATURE = 4002  # (U) the probe saw 4002/4006/5001; 4006 answered a stale timestamp
BAD_TIMESTAMP = 4006
TIMESTAMP_WINDOW = 600  # (U) seconds; the SDKs send seconds, the C# one milliseconds: both accepted
RATE_LIMIT_RETRY = 1.0  # (U) HTTP 429 with Retry-After is what the twin answers when throttling
SESSION_LOST = 1  # MsgCode of "Session 已失效" (cookie sessions only)

DEFAULT_LCID = "2052"
DEFAULT_ORG = "0"
DEFAULT_TAX_RATE = "13"
