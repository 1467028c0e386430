"""顺丰同城's wire format (platform-apis.md §11.2): a JSON body signed into `?sign=` of the URL,
its callbacks (one per kind, told apart by `url_index`) and their status codes. Pure functions,
shared by the adapter and the sandbox twin.

The fact sheet leaves 17 (delivered), 2 (cancelled), 22 (exception) and the money unit (fen) as
unverified; the error codes are our twin's. Coordinates are GCJ-02.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from integrations.base import from_unix
from integrations.carrier_contract import RiderUpdate
from qihang_app.domain.platform_order import DeliveryStatus as S

CARRIER = "sf_same_city"
BASE_URL = "https://openic.sf-express.com"
PATH = "/open/api/external/"
VERSION = 17

STATUS: dict[str, S] = {
    "10": S.RIDER_ACCEPTED,
    "12": S.AT_STORE,
    "15": S.DELIVERING,
    "17": S.DELIVERED,  # the order-complete callback (U)
    "2": S.CANCELLED,  # the cancel callback (U)
    "22": S.EXCEPTION,  # the exception callback (U)
}
# url_index of each callback kind → what it means whatever order_status says.
RIDER_STATUS, COMPLETE, CANCEL, EXCEPTION, RECALL = (
    "rider_status",
    "order_complete",
    "sf_cancel",
    "rider_exception",
    "rider_recall",
)
RETURNED_TO_MERCHANT = "2"  # receipt_type on a complete callback: the goods came back
REASSIGNED_WORD = "改派"

# Unified rider events of the sandbox → (url_index, order_status); no callback when an order is created.
EVENT_CODES: dict[str, tuple[str, int]] = {
    "accepted": (RIDER_STATUS, 10),
    "reassigned": (RIDER_STATUS, 10),
    "at_store": (RIDER_STATUS, 12),
    "picked_up": (RIDER_STATUS, 15),
    "delivered": (COMPLETE, 17),
    "returned": (COMPLETE, 17),
    "cancelled": (CANCEL, 2),
    "expired": (CANCEL, 2),
    "returning": (EXCEPTION, 22),
    "rider_cancelled": (RECALL, 10),
}

CREATED = 1  # order_status of a new order in the status feed (before any rider)

OK = 0
PARAMS, UNKNOWN_DEV, SIGN_ERROR, RATE_LIMITED = "1000", "1002", "1006", "1018"
BALANCE_LOW, NO_RIDER, BAD_STATE, NOT_FOUND = "2003", "2020", "2004", "2005"


def body_bytes(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def base_string(body: bytes, dev_id: str, dev_key: str) -> str:
    return f"{body.decode('utf-8')}&{dev_id}&{dev_key}"


def sign(body: bytes, dev_id: str, dev_key: str) -> str:
    """base64(md5_hex(raw_json_body & dev_id & dev_key)): the lowercase hex string is encoded."""
    digest = hashlib.md5(body + f"&{dev_id}&{dev_key}".encode()).hexdigest()
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def signed_ok(body: bytes, given: str, dev_id: str, dev_key: str) -> bool:
    return bool(given) and hmac.compare_digest(given, sign(body, dev_id, dev_key))


def parse_callback(fields: Mapping[str, Any]) -> RiderUpdate:
    index = str(fields.get("url_index") or RIDER_STATUS)
    code = str(fields.get("order_status", ""))
    desc = str(fields.get("status_desc") or "")
    reassigned = False
    if index == COMPLETE:
        status = S.EXCEPTION if str(fields.get("receipt_type", "")) == RETURNED_TO_MERCHANT else S.DELIVERED
    elif index == CANCEL:
        status = S.CANCELLED
    elif index == EXCEPTION:
        status = S.EXCEPTION
    elif index == RECALL:  # the rider gave the order back: it waits for another rider
        status, reassigned = S.AWAITING_RIDER, True
    elif code in STATUS:
        status, reassigned = STATUS[code], REASSIGNED_WORD in desc
    else:
        raise ValueError(f"unknown SF callback {index!r} with order_status {code!r}")
    lat, lng = fields.get("rider_lat"), fields.get("rider_lng")
    return RiderUpdate(
        order_ref=str(fields["shop_order_id"]),
        carrier_order_id=str(fields["sf_order_id"]),
        status=status,
        rider_name=str(fields.get("operator_name") or ""),
        rider_phone=str(fields.get("operator_phone") or ""),
        lat=float(lat) if lat not in (None, "") else None,
        lng=float(lng) if lng not in (None, "") else None,
        reason=str(fields.get("cancel_reason") or fields.get("ex_content") or ""),
        at=from_unix(fields.get("push_time")),
        carrier_status=f"{index}:{code}",
        reassigned=reassigned,
    )


def parse_feed(result: Mapping[str, Any], carrier_order_id: str) -> RiderUpdate:
    """listorderfeed: the order's status feed; its newest entry reads like the callback it matches
    (url_index names the kind, as in callbacks)."""
    feed = result.get("feed") or []
    if not feed:
        raise ValueError("an empty SF status feed")
    # The newest by time; of two in the same second, the later in the feed.
    _, newest = max(enumerate(feed), key=lambda pair: (int(pair[1].get("create_time") or 0), pair[0]))
    fields = {"sf_order_id": carrier_order_id, "shop_order_id": result.get("shop_order_id") or "",
              "push_time": newest.get("create_time"), **newest}  # fmt: skip
    if str(fields.get("order_status")) == str(CREATED):
        return RiderUpdate(str(fields["shop_order_id"]), carrier_order_id, S.AWAITING_RIDER,
                           at=from_unix(fields.get("push_time")), carrier_status="feed:1")  # fmt: skip
    return parse_callback(fields)
