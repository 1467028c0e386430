"""顺丰同城's double in the sandbox: its API under /sf (the `?sign=` over the raw body checked as SF
does), rides on the shared rider desk, and SF-shaped callbacks signed the same way."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from integrations.sandbox.carrier_api import Call, carrier_route, known_account
from integrations.sandbox.riders import Account, Refusal, Ride, RiderDesk
from integrations.sf_same_city import wire
from qihang_app.domain.geo import Point

PREFIX = "/sf"
CODES = {
    "credentials": wire.UNKNOWN_DEV,
    "sign": wire.SIGN_ERROR,
    "params": wire.PARAMS,
    "rate": wire.RATE_LIMITED,
    "balance": wire.BALANCE_LOW,
    "no_rider": wire.NO_RIDER,
    "state": wire.BAD_STATE,
    "not_found": wire.NOT_FOUND,
}
WORDS = {"balance": "账户余额不足，请充值", "no_rider": "当前运力紧张，暂无骑手", "rate": "接口调用频率超限"}


def read(request, body: bytes, desk: RiderDesk) -> Call:
    try:
        data = json.loads(body)
        dev_id = str(data["dev_id"])
    except (ValueError, KeyError, TypeError):
        raise Refusal("params", "body must be a JSON object with dev_id") from None
    account = known_account(desk, wire.CARRIER, dev_id)
    if not wire.signed_ok(body, request.query_params.get("sign", ""), dev_id, account.secret):
        raise Refusal("sign", "sign mismatch", account=account.key)
    if str(data.get("shop_id", account.shop)) != account.shop:
        raise Refusal("not_found", "shop_id is not this developer's shop")
    return Call(account, request.path_params["method"], data)


def _receiver(data: dict) -> Point:
    where = data.get("receive") or data
    return Point(float(where["user_lng"]), float(where["user_lat"]))


async def precreate(desk: RiderDesk, account: Account, data: dict) -> dict:
    fee, metres, eta = desk.quote(account, account.store, _receiver(data))
    now = int(data.get("push_time") or 0)
    return {"total_price": fee, "delivery_distance_meter": metres, "push_time": now, "expect_time": now + eta * 60}


async def create(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.create(account, str(data["shop_order_id"]), account.store, _receiver(data), account.callback_url,
                       tip_fen=int(data.get("gratuity_fee") or 0))  # fmt: skip
    return {"sf_order_id": ride.ride_id, "sf_bill_id": f"JS{ride.ride_id}", "shop_order_id": ride.order_ref,
            "total_price": ride.fee_fen, "delivery_distance_meter": ride.distance_m}  # fmt: skip


async def cancel(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.ride_of(account, str(data["order_id"]))
    desk.cancel(ride, str(data.get("cancel_reason") or ""))
    return {"sf_order_id": ride.ride_id, "deduction_detail": {"deduction_fee": 0}}


async def gratuity(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.ride_of(account, str(data["order_id"]))
    desk.tip(ride, int(data["gratuity_fee"]))
    return {"sf_order_id": ride.ride_id, "total_gratuity_fee": ride.tip_fen}


def _feed_entry(ride: Ride, event: str, at: float) -> dict:
    index, code = wire.EVENT_CODES.get(event, (wire.RIDER_STATUS, wire.CREATED))
    entry = {"url_index": index, "order_status": code, "status_desc": "配送员改派" if event == "reassigned" else "",
             "operator_name": ride.rider_name, "operator_phone": ride.rider_phone, "create_time": int(at)}  # fmt: skip
    if index == wire.COMPLETE:
        entry["receipt_type"] = 2 if event == "returned" else 1
    return entry


async def order_feed(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.ride_of(account, str(data["order_id"]))
    feed = [_feed_entry(ride, event, at) for event, at in ride.history]
    if feed and ride.position is not None:  # the newest entry carries where the rider is
        feed[-1].update(rider_lng=f"{ride.position.lng:.6f}", rider_lat=f"{ride.position.lat:.6f}")
    if feed and ride.stage == "cancelled":
        feed[-1]["cancel_reason"] = ride.reason
    return {"sf_order_id": ride.ride_id, "shop_order_id": ride.order_ref, "feed": feed}


async def balance(desk: RiderDesk, account: Account, data: dict) -> dict:
    return {"balance": account.balance_fen}


METHODS = {
    "precreateorder": precreate,
    "createorder": create,
    "cancelorder": cancel,
    "addordergratuityfee": gratuity,
    "getshopaccountbalance": balance,
    "listorderfeed": order_feed,
}


def _ok(result: Any) -> dict:
    return {"error_code": wire.OK, "error_msg": "success", "result": result}


def _refused(exc: Refusal) -> dict:
    return {"error_code": int(CODES[exc.kind]), "error_msg": WORDS.get(exc.kind, exc.message)}


class SfTwin:
    carrier = wire.CARRIER
    prefix = PREFIX
    demo_account = dict(key="1688000", secret="sandbox-sf-dev-key", shop="3243279847393")

    def routes(self) -> list:
        return [carrier_route(PREFIX + wire.PATH + "{method}", self.carrier, read, METHODS, _ok, _refused)]

    def account_keys(self, account: Account, sandbox_url: str) -> dict[str, str]:
        return {"dev_id": account.key, "dev_key": account.secret, "shop_id": account.shop}

    def encode_callback(self, ride: Ride, account: Account, event: str, at: float):
        url = ride.callback_url or account.callback_url
        if not url or event not in wire.EVENT_CODES:
            return None
        index, code = wire.EVENT_CODES[event]
        fields: dict[str, Any] = {
            "sf_order_id": ride.ride_id,
            "sf_bill_id": f"JS{ride.ride_id}",
            "shop_id": account.shop,
            "shop_order_id": ride.order_ref,
            "url_index": index,
            "order_status": code,
            "status_desc": "配送员改派" if event == "reassigned" else "",
            "operator_name": ride.rider_name,
            "operator_phone": ride.rider_phone,
            "rider_lng": "" if ride.position is None else f"{ride.position.lng:.6f}",
            "rider_lat": "" if ride.position is None else f"{ride.position.lat:.6f}",
            "push_time": int(at),
        }
        if index == wire.COMPLETE:
            fields["receipt_type"] = 2 if event == "returned" else 1
        if index in (wire.CANCEL, wire.RECALL):
            fields["cancel_reason"] = ride.reason
        if index == wire.EXCEPTION:
            fields.update(ex_id=2001, ex_content="顾客拒收，正在返还商家")
        body = wire.body_bytes(fields)
        query = urlencode({"sign": wire.sign(body, account.key, account.secret)})
        return f"{url}{'&' if '?' in url else '?'}{query}", body, {"Content-Type": "application/json"}

    def delivered(self, status: int, body: bytes) -> bool:
        try:
            return status == 200 and json.loads(body).get("error_code") == 0
        except (ValueError, AttributeError):
            return False


TWIN = SfTwin()
