"""达达's wire format (platform-apis.md §11.1): the signed JSON envelope, its status codes, the
callback and its signature. Pure functions, shared by the adapter and the sandbox twin.

Money on Dada's wire is yuan; coordinates are GCJ-02. The error codes below are the ones our twin
answers with: the fact sheet lists none for carriers, so check them against the live API.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from integrations.base import from_unix
from integrations.carrier_contract import RiderUpdate
from qihang_app.domain.platform_order import DeliveryStatus as S

CARRIER = "dada"
BASE_URL = "https://newopen.imdada.cn"
VERSION = "1.0"

STATUS: dict[str, S] = {
    "1": S.AWAITING_RIDER,
    "2": S.RIDER_ACCEPTED,
    "8": S.RIDER_ACCEPTED,  # assigned to a rider
    "100": S.AT_STORE,
    "3": S.DELIVERING,
    "4": S.DELIVERED,
    "5": S.CANCELLED,
    "7": S.CANCELLED,  # expired: nobody accepted
    "9": S.EXCEPTION,  # returning the goods
    "10": S.EXCEPTION,  # goods returned
    "1000": S.EXCEPTION,  # order creation failed
}
# Unified rider events of the sandbox → Dada's code (and repeat_reason_type / cancel_from).
EVENT_CODES = {
    "created": "1",
    "accepted": "2",
    "at_store": "100",
    "picked_up": "3",
    "delivered": "4",
    "cancelled": "5",
    "expired": "7",
    "rider_cancelled": "1",
    "reassigned": "2",
    "returning": "9",
    "returned": "10",
}

OK = 0
SIGN_ERROR, UNKNOWN_APP = "2001", "2002"
PARAMS = "1002"
RATE_LIMITED = "2005"
BALANCE_LOW = "2076"
NO_RIDER = "2105"
BAD_STATE = "2063"
NOT_FOUND = "2064"


def base_string(secret: str, params: Mapping[str, Any]) -> str:
    pairs = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "signature")
    return f"{secret}{pairs}{secret}"


def sign(secret: str, params: Mapping[str, Any]) -> str:
    """UPPER(MD5(secret + sorted key+value + secret)) over the envelope fields."""
    return hashlib.md5(base_string(secret, params).encode("utf-8")).hexdigest().upper()


def envelope(app_key: str, source_id: str, secret: str, body: Mapping[str, Any], timestamp: int) -> dict[str, str]:
    fields = {
        "app_key": app_key,
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        "format": "json",
        "source_id": source_id,
        "timestamp": str(timestamp),
        "v": VERSION,
    }
    return {**fields, "signature": sign(secret, fields)}


def envelope_ok(fields: Mapping[str, Any], secret: str) -> bool:
    given = str(fields.get("signature") or "")
    return bool(given) and hmac.compare_digest(given, sign(secret, {k: str(v) for k, v in fields.items()}))


def callback_signature(fields: Mapping[str, Any]) -> str:
    """md5 of client_id, order_id, update_time as strings, sorted ascending, concatenated (no secret)."""
    values = sorted(str(fields.get(k, "")) for k in ("client_id", "order_id", "update_time"))
    return hashlib.md5("".join(values).encode("utf-8")).hexdigest()


def callback_ok(fields: Mapping[str, Any]) -> bool:
    given = str(fields.get("signature") or "")
    return bool(given) and hmac.compare_digest(given.lower(), callback_signature(fields))


def parse_callback(fields: Mapping[str, Any]) -> RiderUpdate:
    code = str(fields["order_status"])
    if code not in STATUS:
        raise ValueError(f"unknown Dada order_status {code!r}")
    status = STATUS[code]
    # A repeated status for another rider (1 reassigned, 2 transferred), or the rider gave it back.
    reassigned = str(fields.get("repeat_reason_type") or "") in ("1", "2") or (
        code == "1" and str(fields.get("cancel_from") or "") == "1"
    )
    return RiderUpdate(
        order_ref=str(fields["order_id"]),
        carrier_order_id=str(fields["order_id"]),  # Dada's calls take our origin_id
        status=status,
        rider_name=str(fields.get("dm_name") or ""),
        rider_phone=str(fields.get("dm_mobile") or ""),
        reason=str(fields.get("cancel_reason") or ""),
        at=from_unix(fields.get("update_time")),
        carrier_status=code,
        reassigned=reassigned,
    )


TIME_FIELDS = ("createTime", "acceptTime", "fetchTime", "finishTime", "cancelTime")
_CHINA = ZoneInfo("Asia/Shanghai")


def china_time(text: object) -> datetime | None:
    """Dada's query times are "yyyy-MM-dd HH:mm:ss" in Beijing time."""
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=_CHINA)
    except ValueError:
        return None


def parse_status(result: Mapping[str, Any], carrier_order_id: str) -> RiderUpdate:
    """The answer of /api/order/status/query: status code, rider and position (GCJ-02, as Dada's
    coordinates are), the time of the latest step."""
    code = str(result.get("statusCode", ""))
    if code not in STATUS:
        raise ValueError(f"unknown Dada statusCode {code!r}")
    lat, lng = result.get("transporterLat"), result.get("transporterLng")
    has_position = lat not in (None, "", "0", 0) and lng not in (None, "", "0", 0)
    times = [t for t in (china_time(result.get(k)) for k in TIME_FIELDS if result.get(k)) if t]
    return RiderUpdate(
        order_ref=str(result.get("orderId") or carrier_order_id),
        carrier_order_id=carrier_order_id,
        status=STATUS[code],
        rider_name=str(result.get("transporterName") or ""),
        rider_phone=str(result.get("transporterPhone") or ""),
        lat=float(lat) if has_position else None,
        lng=float(lng) if has_position else None,
        reason=str(result.get("cancelReason") or ""),
        at=max(times) if times else None,
        carrier_status=code,
    )
