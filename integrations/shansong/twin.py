"""闪送's double in the sandbox: its v5 API under /shansong (form fields signed as Shansong signs
them), calculate-then-place booking on the shared rider desk, and signed callbacks whose courier
positions are BD-09, as Shansong sends them."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from integrations.sandbox.carrier_api import Call, carrier_route, known_account
from integrations.sandbox.riders import Account, Refusal, Ride, RiderDesk
from integrations.shansong import wire
from qihang_app.domain.geo import Point, bd09_to_gcj02, gcj02_to_bd09

PREFIX = "/shansong"
CODES = {
    "credentials": wire.UNKNOWN_CLIENT,
    "sign": wire.SIGN_ERROR,
    "params": wire.PARAMS,
    "rate": wire.RATE_LIMITED,
    "balance": wire.BALANCE_LOW,
    "no_rider": wire.NO_RIDER,
    "state": wire.BAD_STATE,
    "not_found": wire.NOT_FOUND,
}
WORDS = {"balance": "账户余额不足", "no_rider": "附近暂无可接单闪送员", "rate": "请求过于频繁"}


def read(request, body: bytes, desk: RiderDesk) -> Call:
    try:
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        data = json.loads(fields["data"]) if fields.get("data") else {}
    except (UnicodeDecodeError, ValueError, KeyError):
        raise Refusal("params", "body must be Shansong's form") from None
    account = known_account(desk, wire.CARRIER, fields.get("clientId", ""))
    if not wire.signed_ok(fields, account.secret):
        raise Refusal("sign", "sign mismatch", account=account.key)
    if fields.get("shopId") != account.shop:
        raise Refusal("not_found", "shopId is not this client's shop")
    return Call(account, request.path_params["method"], data if isinstance(data, dict) else {})


def _gcj(lng: object, lat: object) -> Point:
    return bd09_to_gcj02(float(lng), float(lat))  # type: ignore[arg-type]


async def calculate(desk: RiderDesk, account: Account, data: dict) -> dict:
    sender, (receiver,) = data["sender"], data["receiverList"]
    pickup = _gcj(sender["fromLongitude"], sender["fromLatitude"])
    dropoff = _gcj(receiver["toLongitude"], receiver["toLatitude"])
    fee, metres, _ = desk.quote(account, pickup, dropoff)
    ride = desk.by_ref.get((account.carrier, account.key, str(receiver["orderNo"])))
    number = ride.ride_id if ride else f"TDH{int(time.time() * 1000) % 10**10:010d}{len(desk.pending):04d}"
    desk.pending[(account.carrier, number)] = dict(
        order_ref=str(receiver["orderNo"]), pickup=pickup, dropoff=dropoff, tip=int(receiver.get("additionFee") or 0)
    )
    return {"orderNumber": number, "totalAmount": fee, "totalDistance": metres}


async def place(desk: RiderDesk, account: Account, data: dict) -> dict:
    number = str(data["issOrderNo"])
    quote = desk.pending.get((account.carrier, number))
    if quote is None:
        raise Refusal("not_found", f"no calculated order {number}")
    ride = desk.create(account, quote["order_ref"], quote["pickup"], quote["dropoff"], account.callback_url,
                       tip_fen=quote["tip"], ride_id=number)  # fmt: skip
    return {"orderNumber": ride.ride_id, "totalAmount": ride.fee_fen, "totalDistance": ride.distance_m,
            "orderList": [{"orderNo": ride.order_ref, "orderingSourceNo": "1"}]}  # fmt: skip


async def abort(desk: RiderDesk, account: Account, data: dict) -> dict:
    desk.cancel(desk.ride_of(account, str(data["issOrderNo"])), str(data.get("abortReason") or ""))
    return {"deductAmount": 0}


async def addition(desk: RiderDesk, account: Account, data: dict) -> None:
    desk.tip(desk.ride_of(account, str(data["issOrderNo"])), int(data["additionFee"]))


async def order_info(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.ride_of(account, str(data["issOrderNo"]))
    # Returning goods has no status at Shansong: the ride reads as on its way.
    status, sub, desc, abort_type = wire.EVENT_CODES.get(ride.event, (40, "", "闪送中", 0))
    courier: dict[str, Any] = {"name": ride.rider_name, "mobile": ride.rider_phone}
    if ride.position is not None:
        bd = gcj02_to_bd09(ride.position.lng, ride.position.lat)
        courier.update(longitude=f"{bd.lng:.6f}", latitude=f"{bd.lat:.6f}")
    return {"issOrderNo": ride.ride_id, "orderNo": ride.order_ref, "orderStatus": status, "subOrderStatus": sub,
            "statusDesc": desc, "courier": courier, "abortType": abort_type,
            "abortReason": ride.reason if abort_type else "", "statusChangeTime": int(ride.event_at * 1000),
            "totalAmount": ride.fee_fen}  # fmt: skip


async def user_account(desk: RiderDesk, account: Account, data: dict) -> dict:
    return {"balance": account.balance_fen, "couponCount": 0}


METHODS = {
    "orderCalculate": calculate,
    "orderPlace": place,
    "abortOrder": abort,
    "addition": addition,
    "getUserAccount": user_account,
    "orderInfo": order_info,
}


def _ok(result: Any) -> dict:
    return {"status": wire.OK, "msg": "OK", "data": result}


def _refused(exc: Refusal) -> dict:
    return {"status": int(CODES[exc.kind]), "msg": WORDS.get(exc.kind, exc.message), "data": None}


class ShansongTwin:
    carrier = wire.CARRIER
    prefix = PREFIX
    demo_account = dict(key="ss-demo-client", secret="sandbox-shansong-secret", shop="20000000000001179")

    def routes(self) -> list:
        return [carrier_route(PREFIX + "/openapi/{mode}/v5/{method}", self.carrier, read, METHODS, _ok, _refused)]

    def account_keys(self, account: Account, sandbox_url: str) -> dict[str, str]:
        return {"client_id": account.key, "app_secret": account.secret, "shop_id": account.shop}

    def encode_callback(self, ride: Ride, account: Account, event: str, at: float):
        url = ride.callback_url or account.callback_url
        if not url or event not in wire.EVENT_CODES:
            return None  # Shansong has no callback for returning goods
        status, sub, desc, abort_type = wire.EVENT_CODES[event]
        courier: dict[str, Any] = {"name": ride.rider_name, "mobile": ride.rider_phone}
        if ride.position is not None:
            bd = gcj02_to_bd09(ride.position.lng, ride.position.lat)
            courier.update(longitude=f"{bd.lng:.6f}", latitude=f"{bd.lat:.6f}")
        data = {"issOrderNo": ride.ride_id, "orderNo": ride.order_ref, "status": status, "subStatus": sub,
                "statusDesc": desc, "courier": courier, "abortType": abort_type,
                "abortReason": ride.reason if abort_type else ""}  # fmt: skip
        fields = wire.form(account.key, account.shop, account.secret, data, int(at * 1000))
        body = urlencode(fields).encode("ascii")
        return url, body, {"Content-Type": "application/x-www-form-urlencoded"}

    def delivered(self, status: int, body: bytes) -> bool:
        try:
            return status == 200 and json.loads(body).get("status") == 200
        except (ValueError, AttributeError):
            return False


TWIN = ShansongTwin()
