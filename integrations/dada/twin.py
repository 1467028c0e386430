"""达达's double in the sandbox: its open API under /dada (signed envelope checked as Dada does),
rides on the shared rider desk, and Dada-shaped callbacks to the `callback` URL of each order."""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from integrations.base import wire_yuan_to_fen
from integrations.dada import wire
from integrations.sandbox.carrier_api import Call, carrier_route, known_account
from integrations.sandbox.riders import Account, Refusal, Ride, RiderDesk
from qihang_app.domain.geo import Point
from qihang_app.domain.money import fen_to_yuan_str

PREFIX = "/dada"
CHINA = ZoneInfo("Asia/Shanghai")
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
WORDS = {"balance": "账户余额不足", "no_rider": "当前区域运力不足", "rate": "请求过于频繁"}


def read(request, body: bytes, desk: RiderDesk) -> Call:
    try:
        fields = json.loads(body)
        data = json.loads(fields["body"])
    except (ValueError, KeyError, TypeError):
        raise Refusal("params", "body must be Dada's JSON envelope") from None
    account = known_account(desk, wire.CARRIER, str(fields.get("app_key", "")))
    if not wire.envelope_ok(fields, account.secret):
        raise Refusal("sign", "signature mismatch", account=account.key)
    return Call(account, request.path_params["method"], data if isinstance(data, dict) else {})


def _dropoff(data: dict) -> Point:
    return Point(float(data["receiver_lng"]), float(data["receiver_lat"]))


async def query_fee(desk: RiderDesk, account: Account, data: dict) -> dict:
    fee, metres, _ = desk.quote(account, account.store, _dropoff(data))
    return {
        "distance": metres,
        "fee": fen_to_yuan_str(fee),
        "deliverFee": fen_to_yuan_str(fee),
        "deliveryNo": f"Q{data['origin_id']}",
    }


async def add_order(desk: RiderDesk, account: Account, data: dict) -> dict:
    tip = wire_yuan_to_fen(data.get("tips"))
    ride = desk.create(
        account, str(data["origin_id"]), account.store, _dropoff(data), str(data.get("callback") or ""), tip_fen=tip
    )
    return {
        "distance": ride.distance_m,
        "fee": fen_to_yuan_str(ride.fee_fen),
        "deliverFee": fen_to_yuan_str(ride.fee_fen),
    }


async def re_add_order(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.redispatch(desk.ride_of(account, str(data["origin_id"])))
    return {
        "distance": ride.distance_m,
        "fee": fen_to_yuan_str(ride.fee_fen),
        "deliverFee": fen_to_yuan_str(ride.fee_fen),
    }


async def formal_cancel(desk: RiderDesk, account: Account, data: dict) -> dict:
    desk.cancel(desk.ride_of(account, str(data["order_id"])), str(data.get("cancel_reason") or ""))
    return {"deduct_fee": 0}


async def add_tip(desk: RiderDesk, account: Account, data: dict) -> None:
    desk.tip(desk.ride_of(account, str(data["order_id"])), wire_yuan_to_fen(data["tips"]))


# Which time field of the status query each rider event sets.
TIME_OF = {"accepted": "acceptTime", "reassigned": "acceptTime", "at_store": "acceptTime", "picked_up": "fetchTime",
           "delivered": "finishTime", "returned": "finishTime", "cancelled": "cancelTime", "expired": "cancelTime"}  # fmt: skip
WORDS_OF = {"1": "待接单", "2": "待取货", "100": "骑士到店", "3": "配送中", "4": "已完成", "5": "已取消", "7": "已过期",
            "9": "妥投异常之物品返回中", "10": "妥投异常之物品返回完成"}  # fmt: skip


def _china(at: float) -> str:
    return datetime.fromtimestamp(at, CHINA).strftime("%Y-%m-%d %H:%M:%S")


async def status_query(desk: RiderDesk, account: Account, data: dict) -> dict:
    ride = desk.ride_of(account, str(data["order_id"]))
    code = wire.EVENT_CODES[ride.event]
    times = {"createTime": _china(ride.history[0][1]) if ride.history else ""}
    for event, at in ride.history:
        if event in TIME_OF:
            times[TIME_OF[event]] = _china(at)
    position = ride.position
    return {
        "orderId": ride.order_ref,
        "statusCode": int(code),
        "statusMsg": WORDS_OF.get(code, ""),
        "transporterName": ride.rider_name,
        "transporterPhone": ride.rider_phone,
        "transporterLng": "" if position is None else f"{position.lng:.6f}",
        "transporterLat": "" if position is None else f"{position.lat:.6f}",
        "deliveryFee": fen_to_yuan_str(ride.fee_fen),
        "tips": fen_to_yuan_str(ride.tip_fen),
        "cancelReason": ride.reason if ride.stage == "cancelled" else "",
        **times,
    }


async def balance(desk: RiderDesk, account: Account, data: dict) -> dict:
    return {"deliverBalance": fen_to_yuan_str(account.balance_fen), "redPacketBalance": "0.00"}


METHODS = {
    "order/queryDeliverFee": query_fee,
    "order/addOrder": add_order,
    "order/reAddOrder": re_add_order,
    "order/formalCancel": formal_cancel,
    "order/addTip": add_tip,
    "order/status/query": status_query,
    "balance/query": balance,
}


def _ok(result: Any) -> dict:
    return {"status": "success", "code": wire.OK, "msg": "成功", "result": result}


def _refused(exc: Refusal) -> dict:
    return {"status": "fail", "code": int(CODES[exc.kind]), "msg": WORDS.get(exc.kind, exc.message)}


class DadaTwin:
    carrier = wire.CARRIER
    prefix = PREFIX
    demo_account = dict(key="dada-demo-app", secret="sandbox-dada-secret", shop="73753")

    def routes(self) -> list:
        return [carrier_route(PREFIX + "/api/{method:path}", self.carrier, read, METHODS, _ok, _refused)]

    def account_keys(self, account: Account, sandbox_url: str) -> dict[str, str]:
        return {"app_key": account.key, "app_secret": account.secret, "source_id": account.shop, "shop_no": "11047059"}

    def encode_callback(self, ride: Ride, account: Account, event: str, at: float):
        url = ride.callback_url or account.callback_url
        if not url:
            return None
        fields: dict[str, Any] = {
            "client_id": ride.ride_id,
            "order_id": ride.order_ref,
            "order_status": int(wire.EVENT_CODES[event]),
            "cancel_reason": ride.reason if event in ("cancelled", "expired", "rider_cancelled") else "",
            "cancel_from": {"cancelled": 2, "expired": 3, "rider_cancelled": 1}.get(event, 0),
            "update_time": int(at),
            "dm_id": zlib.crc32(ride.rider_phone.encode()) % 10**6 if ride.rider_phone else 0,
            "dm_name": ride.rider_name,
            "dm_mobile": ride.rider_phone,
        }
        if event == "reassigned":
            fields["repeat_reason_type"] = 1
        fields["signature"] = wire.callback_signature(fields)
        return url, json.dumps(fields, ensure_ascii=False).encode("utf-8"), {"Content-Type": "application/json"}

    def delivered(self, status: int, body: bytes) -> bool:
        return status == 200


TWIN = DadaTwin()
