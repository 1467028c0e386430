"""闪送's wire format (platform-apis.md §11.4): form POST of clientId / shopId / timestamp / data
(JSON) signed UPPER(MD5(secret + sorted key+value)), the status codes, and the callback. Pure
functions, shared by the adapter and the sandbox twin.

Shansong's coordinates are BD-09 (百度): rider positions are converted to GCJ-02 here, at the edge,
and so are the addresses we send (the v5 API takes Baidu coordinates). Money is fen. Marked (U) in
the fact sheet and so here: the "arrived at store" sub-status, and that callbacks are signed like
requests; the error codes are our twin's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from integrations.base import from_unix
from integrations.carrier_contract import RiderUpdate
from qihang_app.domain.geo import bd09_to_gcj02
from qihang_app.domain.platform_order import DeliveryStatus as S

CARRIER = "shansong"
BASE_URL = "https://open.ishansong.com"
MERCHANT_PATH = "/openapi/merchants/v5/"
DEVELOPER_PATH = "/openapi/developer/v5/"
SIGNED_KEYS = ("accessToken", "clientId", "data", "shopId", "timestamp")

STATUS: dict[str, S] = {
    "20": S.AWAITING_RIDER,  # dispatching
    "30": S.RIDER_ACCEPTED,  # picking up
    "40": S.DELIVERING,
    "50": S.DELIVERED,
    "60": S.CANCELLED,
}
ARRIVED_SUB_STATUS = "2"  # status 30 with this sub-status: the rider is at the store (U)
REASSIGN_WORDS = ("改派", "重新派单")  # in statusDesc when another rider takes over (U)

# Unified rider events of the sandbox → (status, subStatus, statusDesc, abortType).
EVENT_CODES: dict[str, tuple[int, str, str, int]] = {
    "created": (20, "", "派单中", 0),
    "accepted": (30, "1", "骑手已接单", 0),
    "reassigned": (30, "1", "订单已改派", 0),
    "at_store": (30, ARRIVED_SUB_STATUS, "骑手已到店", 0),
    "picked_up": (40, "", "闪送中", 0),
    "delivered": (50, "", "已完成", 0),
    "cancelled": (60, "", "已取消", 1),
    "expired": (60, "", "无人接单，已取消", 3),
    "rider_cancelled": (20, "", "骑手取消，重新派单", 0),
}

OK = 200
PARAMS, UNKNOWN_CLIENT, SIGN_ERROR, RATE_LIMITED = "400", "401", "403", "429"
BALANCE_LOW, NO_RIDER, BAD_STATE, NOT_FOUND = "30014", "30021", "30008", "30004"


def base_string(secret: str, params: Mapping[str, Any]) -> str:
    pairs = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign" and str(params[k]) != "")
    return f"{secret}{pairs}"


def sign(secret: str, params: Mapping[str, Any]) -> str:
    """UPPER(MD5(secret + sorted key+value)): the secret is a prefix only; empty values skipped."""
    return hashlib.md5(base_string(secret, params).encode("utf-8")).hexdigest().upper()


def form(client_id: str, shop_id: str, secret: str, data: Mapping[str, Any] | None, timestamp_ms: int) -> dict:
    fields = {"clientId": client_id, "shopId": shop_id, "timestamp": str(timestamp_ms)}
    if data is not None:
        fields["data"] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return {**fields, "sign": sign(secret, fields)}


def signed_ok(fields: Mapping[str, Any], secret: str) -> bool:
    given = str(fields.get("sign") or "")
    signed = {k: v for k, v in fields.items() if k in SIGNED_KEYS}
    return bool(given) and hmac.compare_digest(given, sign(secret, signed))


def parse_callback(fields: Mapping[str, Any]) -> RiderUpdate:
    data = json.loads(fields["data"]) if isinstance(fields.get("data"), str) else fields
    code = str(data.get("status", ""))
    if code not in STATUS:
        raise ValueError(f"unknown Shansong status {code!r}")
    status = STATUS[code]
    if code == "30" and str(data.get("subStatus") or "") == ARRIVED_SUB_STATUS:
        status = S.AT_STORE
    desc = str(data.get("statusDesc") or "")
    courier = data.get("courier") or {}
    lat = lng = None
    if courier.get("latitude") not in (None, "") and courier.get("longitude") not in (None, ""):
        gcj = bd09_to_gcj02(float(courier["longitude"]), float(courier["latitude"]))
        lat, lng = gcj.lat, gcj.lng
    return RiderUpdate(
        order_ref=str(data["orderNo"]),
        carrier_order_id=str(data["issOrderNo"]),
        status=status,
        rider_name=str(courier.get("name") or ""),
        rider_phone=str(courier.get("mobile") or ""),
        lat=lat,
        lng=lng,
        reason=str(data.get("abortReason") or ""),
        at=from_unix(fields.get("timestamp") or data.get("timestamp")),
        carrier_status=code + (f".{data['subStatus']}" if data.get("subStatus") not in (None, "") else ""),
        reassigned=any(word in desc for word in REASSIGN_WORDS),
    )


def parse_info(data: Mapping[str, Any]) -> RiderUpdate:
    """orderInfo: the same facts as a callback under the query's names (orderStatus,
    subOrderStatus); the courier's position is BD-09 like the callbacks'."""
    fields = {**data, "status": data.get("orderStatus", data.get("status")),
              "subStatus": data.get("subOrderStatus", data.get("subStatus", "")),
              "timestamp": data.get("statusChangeTime") or data.get("timestamp")}  # fmt: skip
    return parse_callback(fields)
