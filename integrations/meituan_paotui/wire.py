"""美团跑腿 / 美团配送's wire format (platform-apis.md §11.3): form POST with appkey / timestamp /
version and sign = lower(SHA1(secret + sorted key+value of the non-empty fields)), its status codes
and callback. Pure functions, shared by the adapter and the sandbox twin.

The fact sheet notes a newer SHA-256 variant of the same layout (`ALGORITHMS`); money is yuan (U).
Coordinates go as integers of degrees x 10^6 with coordinate_type 0 (GCJ-02); the error codes are
our twin's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from integrations.base import from_unix
from integrations.carrier_contract import RiderUpdate
from qihang_app.domain.platform_order import DeliveryStatus as S

CARRIER = "meituan_paotui"
BASE_URL = "https://peisongopen.meituan.com/api/"
VERSION = "1.0"
ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}

STATUS: dict[str, S] = {
    "0": S.AWAITING_RIDER,
    "20": S.RIDER_ACCEPTED,
    "30": S.DELIVERING,  # picked up
    "50": S.DELIVERED,
    "99": S.CANCELLED,
}
# Unified rider events of the sandbox → Meituan's status (no at-store step and no exception codes).
EVENT_CODES = {
    "created": 0,
    "accepted": 20,
    "reassigned": 20,
    "rider_cancelled": 0,
    "picked_up": 30,
    "delivered": 50,
    "cancelled": 99,
    "expired": 99,
}

OK = 0
PARAMS, UNKNOWN_APP, SIGN_ERROR, RATE_LIMITED = "1", "4", "5", "6"
BALANCE_LOW, NO_RIDER, BAD_STATE, NOT_FOUND = "10", "11", "12", "13"
CANCEL_OTHER = 101  # cancel_reason_id "other" (the words go in cancel_reason)


def base_string(secret: str, params: Mapping[str, Any]) -> str:
    pairs = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign" and str(params[k]) != "")
    return f"{secret}{pairs}"


def sign(secret: str, params: Mapping[str, Any], algorithm: str = "sha1") -> str:
    return ALGORITHMS[algorithm](base_string(secret, params).encode("utf-8")).hexdigest()


def signed_ok(fields: Mapping[str, Any], secret: str, algorithm: str = "sha1") -> bool:
    given = str(fields.get("sign") or "")
    return bool(given) and hmac.compare_digest(given.lower(), sign(secret, fields, algorithm))


def coordinate(degrees: float) -> int:
    return round(degrees * 1_000_000)


def degrees(value: object) -> float:
    return int(str(value)) / 1_000_000


def delivery_id(order_ref: str) -> int:
    """Meituan wants a numeric delivery_id, unique per order: a stable number from our order id."""
    return int(hashlib.sha1(order_ref.encode("utf-8")).hexdigest()[:15], 16)


def ride_id(mt_peisong_id: object, delivery: object) -> str:
    """Our handle of a booking: Meituan's cancel wants both its id and our delivery_id."""
    return f"{mt_peisong_id}/{delivery}"


def split_ride_id(ride: str) -> tuple[str, str]:
    peisong_id, _, delivery = ride.partition("/")
    return peisong_id, delivery


def parse_callback(fields: Mapping[str, Any]) -> RiderUpdate:
    code = str(fields.get("status", ""))
    if code not in STATUS:
        raise ValueError(f"unknown Meituan delivery status {code!r}")
    return RiderUpdate(
        order_ref=str(fields["order_id"]),
        carrier_order_id=ride_id(fields["mt_peisong_id"], fields.get("delivery_id", "")),
        status=STATUS[code],
        rider_name=str(fields.get("courier_name") or ""),
        rider_phone=str(fields.get("courier_phone") or ""),
        reason=str(fields.get("cancel_reason") or ""),
        at=from_unix(fields.get("timestamp")),
        carrier_status=code,
    )


def parse_status(data: Mapping[str, Any], handle: str) -> RiderUpdate:
    """The answer of order/status/query (`operate_time` is when the status was reached)."""
    code = str(data.get("status", ""))
    if code not in STATUS:
        raise ValueError(f"unknown Meituan delivery status {code!r}")
    return RiderUpdate(
        order_ref=str(data.get("order_id") or ""),
        carrier_order_id=handle,
        status=STATUS[code],
        rider_name=str(data.get("courier_name") or ""),
        rider_phone=str(data.get("courier_phone") or ""),
        reason=str(data.get("cancel_reason") or ""),
        at=from_unix(data.get("operate_time")),
        carrier_status=code,
    )


def parse_location(data: Mapping[str, Any]) -> tuple[float, float] | None:
    """order/rider/location: (lat, lng) in degrees from integers of degrees x 10^6 (GCJ-02)."""
    lat, lng = data.get("lat"), data.get("lng")
    if lat in (None, "", 0, "0") or lng in (None, "", 0, "0"):
        return None
    return degrees(lat), degrees(lng)
