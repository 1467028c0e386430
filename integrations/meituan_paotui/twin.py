"""美团跑腿's double in the sandbox: its API under /paotui (form fields signed as Meituan signs them),
rides on the shared rider desk, and signed form callbacks to the account's callback URL."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from integrations.meituan_paotui import wire
from integrations.sandbox.carrier_api import Call, carrier_route, known_account
from integrations.sandbox.riders import Account, Refusal, Ride, RiderDesk
from qihang_app.domain.geo import Point
from qihang_app.domain.money import fen_to_yuan_str

PREFIX = "/paotui"
CODES = {
    "credentials": wire.UNKNOWN_APP,
    "sign": wire.SIGN_ERROR,
    "params": wire.PARAMS,
    "rate": wire.RATE_LIMITED,
    "balance": wire.BALANCE_LOW,
    "no_rider": wire.NO_RIDER,
    "state": wire.BAD_STATE,
    "not_found": wire.NOT_FOUND,
}
WORDS = {"balance": "账户余额不足", "no_rider": "当前配送资源紧张，暂无骑手", "rate": "调用过于频繁"}
SIGNING = "sha1"  # the twin's accounts use the classic variant


def read(request, body: bytes, desk: RiderDesk) -> Call:
    try:
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (UnicodeDecodeError, ValueError):
        raise Refusal("params", "body must be a form") from None
    account = known_account(desk, wire.CARRIER, fields.get("appkey", ""))
    if not wire.signed_ok(fields, account.secret, SIGNING):
        raise Refusal("sign", "sign mismatch", account=account.key)
    data = {k: v for k, v in fields.items() if k not in ("appkey", "timestamp", "version", "sign")}
    if data.get("shop_id", account.shop) != account.shop:
        raise Refusal("not_found", "shop_id is not this app's store")
    return Call(account, request.path_params["method"], data)


def _dropoff(data: dict) -> Point:
    return Point(wire.degrees(data["receiver_lng"]), wire.degrees(data["receiver_lat"]))


async def precreate(desk: RiderDesk, account: Account, data: dict) -> dict:
    fee, metres, _ = desk.quote(account, account.store, _dropoff(data))
    return {"delivery_fee": fen_to_yuan_str(fee), "distance": metres}


async def create(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.create(account, data["order_id"], account.store, _dropoff(data), account.callback_url,
                       delivery_id=data["delivery_id"])  # fmt: skip
    return {"delivery_id": ride.extra["delivery_id"], "mt_peisong_id": ride.ride_id, "order_id": ride.order_ref,
            "delivery_fee": fen_to_yuan_str(ride.fee_fen), "distance": ride.distance_m}  # fmt: skip


async def delete(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.ride_of(account, data["mt_peisong_id"])
    if ride.extra["delivery_id"] != data.get("delivery_id"):
        raise Refusal("not_found", "delivery_id does not match mt_peisong_id")
    desk.cancel(ride, data.get("cancel_reason", ""))
    return {"delivery_id": ride.extra["delivery_id"], "mt_peisong_id": ride.ride_id, "order_id": ride.order_ref}


def _ride(desk: RiderDesk, account: Account, data: dict) -> Ride:
    ride = desk.ride_of(account, data["mt_peisong_id"])
    if ride.extra["delivery_id"] != data.get("delivery_id"):
        raise Refusal("not_found", "delivery_id does not match mt_peisong_id")
    return ride


async def status_query(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = _ride(desk, account, data)
    # No at-store or returning code at Meituan: the ride reads as accepted / picked up.
    code = wire.EVENT_CODES.get(ride.event, 20 if ride.event == "at_store" else 30)
    return {"delivery_id": ride.extra["delivery_id"], "mt_peisong_id": ride.ride_id, "order_id": ride.order_ref,
            "status": code, "operate_time": int(ride.event_at), "courier_name": ride.rider_name,
            "courier_phone": ride.rider_phone, "cancel_reason_id": wire.CANCEL_OTHER if code == 99 else "",
            "cancel_reason": ride.reason if code == 99 else ""}  # fmt: skip


async def rider_location(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = _ride(desk, account, data)
    if ride.position is None or not ride.rider_name:
        raise Refusal("state", "no rider on this order")
    return {"lat": wire.coordinate(ride.position.lat), "lng": wire.coordinate(ride.position.lng)}


METHODS = {
    "order/preCreateByShop": precreate,
    "order/createByShop": create,
    "order/delete": delete,
    "order/status/query": status_query,
    "order/rider/location": rider_location,
}


def _ok(result: Any) -> dict:
    return {"code": wire.OK, "message": "成功", "data": result}


def _refused(exc: Refusal) -> dict:
    return {"code": int(CODES[exc.kind]), "message": WORDS.get(exc.kind, exc.message), "data": None}


class PaotuiTwin:
    carrier = wire.CARRIER
    prefix = PREFIX + "/api"
    demo_account = dict(key="mtps-demo-app", secret="sandbox-paotui-secret", shop="qh_sh_0001")

    def routes(self) -> list:
        return [carrier_route(PREFIX + "/api/{method:path}", self.carrier, read, METHODS, _ok, _refused)]

    def account_keys(self, account: Account, sandbox_url: str) -> dict[str, str]:
        return {"app_key": account.key, "app_secret": account.secret, "shop_id": account.shop}

    def encode_callback(self, ride: Ride, account: Account, event: str, at: float):
        url = ride.callback_url or account.callback_url
        if not url or event not in wire.EVENT_CODES:
            return None  # no at-store step and no exception callbacks at Meituan delivery
        fields = {
            "delivery_id": ride.extra.get("delivery_id", ""),
            "mt_peisong_id": ride.ride_id,
            "order_id": ride.order_ref,
            "status": str(wire.EVENT_CODES[event]),
            "courier_name": ride.rider_name,
            "courier_phone": ride.rider_phone,
            "cancel_reason_id": str(wire.CANCEL_OTHER) if event in ("cancelled", "expired") else "",
            "cancel_reason": ride.reason if event in ("cancelled", "expired") else "",
            "appkey": account.key,
            "timestamp": str(int(at)),
        }
        fields["sign"] = wire.sign(account.secret, fields, SIGNING)
        return url, urlencode(fields).encode("ascii"), {"Content-Type": "application/x-www-form-urlencoded"}

    def delivered(self, status: int, body: bytes) -> bool:
        try:
            return status == 200 and json.loads(body).get("code") == 0
        except (ValueError, AttributeError):
            return False


TWIN = PaotuiTwin()
