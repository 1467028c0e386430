"""闪送 on the carrier contract: orderCalculate (quote) → orderPlace (idempotent on our orderNo),
abortOrder, addition (tip, fen), getUserAccount (balance, fen), signed callbacks with BD-09 rider
positions converted to GCJ-02."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from integrations.carrier_base import CarrierAdapterBase, CarrierKindBase, estimate_minutes
from integrations.carrier_contract import Booking, CarrierField, DeliveryOrder, Quote, RiderUpdate
from integrations.shansong import wire
from qihang_app.domain.geo import gcj02_to_bd09


class ShansongAdapter(CarrierAdapterBase):
    async def _call(self, name: str, data: Mapping[str, Any] | None, path: str = wire.MERCHANT_PATH) -> Any:
        fields = wire.form(
            self.keys["client_id"], self.keys["shop_id"], self.keys["app_secret"], data, int(time.time() * 1000)
        )

        def read(answer: dict) -> Any:
            if int(answer.get("status", -1)) != wire.OK:
                raise self.error(answer.get("status", "?"), str(answer.get("msg") or ""))
            return answer.get("data")

        return await self.caller.post(name, f"{self.base_url}{path}{name}", read, data=fields)

    def _calculate(self, order: DeliveryOrder) -> dict[str, Any]:
        store = gcj02_to_bd09(order.pickup_lng, order.pickup_lat)
        to = gcj02_to_bd09(order.receiver_lng, order.receiver_lat)
        return {
            "cityName": order.city,
            "appointType": 0,
            "storeId": order.store_ref or self.keys.get("store_id", ""),
            "sender": {
                "fromAddress": order.pickup_address,
                "fromSenderName": self.keys.get("sender_name") or "门店",
                "fromMobile": self.keys.get("sender_mobile") or "",
                "fromLatitude": f"{store.lat:.6f}",
                "fromLongitude": f"{store.lng:.6f}",
            },
            "receiverList": [
                {
                    "orderNo": order.order_ref,
                    "toAddress": order.receiver_address,
                    "toLatitude": f"{to.lat:.6f}",
                    "toLongitude": f"{to.lng:.6f}",
                    "toReceiverName": order.receiver_name,
                    "toMobile": order.receiver_phone,
                    "goodType": 10,
                    "weight": max(1, round(order.weight_g / 1000)),
                    "remarks": order.note,
                    "additionFee": order.tip_fen,
                }
            ],
        }

    async def quote(self, order: DeliveryOrder) -> Quote:
        data = await self._call("orderCalculate", self._calculate(order))
        metres = int(data.get("totalDistance") or 0)
        return Quote(self.code, int(data["totalAmount"]), metres, estimate_minutes(metres), str(data["orderNumber"]))

    async def create(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        quote = await self.quote(order)  # Shansong books a calculated order by its number
        data = await self._call("orderPlace", {"issOrderNo": quote.quote_ref})
        return Booking(str(data["orderNumber"]), int(data.get("totalAmount") or quote.fee_fen), quote.distance_m)

    async def cancel(self, carrier_order_id: str, *, reason: str, reason_code: str = "") -> None:
        await self._call("abortOrder", {"issOrderNo": carrier_order_id, "abortReason": reason})

    async def add_tip(self, carrier_order_id: str, *, tip_fen: int) -> None:
        await self._call("addition", {"issOrderNo": carrier_order_id, "additionFee": tip_fen}, wire.DEVELOPER_PATH)

    async def status(self, carrier_order_id: str) -> RiderUpdate:
        data = await self._call("orderInfo", {"issOrderNo": carrier_order_id})
        return wire.parse_info(data or {})

    async def balance(self) -> int:
        data = await self._call("getUserAccount", None)
        return int(data["balance"])

    def verify_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        fields = _form(body)
        return (
            fields is not None
            and fields.get("clientId") == self.keys["client_id"]
            and (wire.signed_ok(fields, self.keys["app_secret"]))
        )

    def parse_callback(self, body: bytes) -> RiderUpdate:
        fields = _form(body)
        if fields is None or "data" not in fields:
            raise ValueError("a Shansong callback is a form with a data field")
        return wire.parse_callback(fields)


def _form(body: bytes) -> dict[str, str] | None:
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (UnicodeDecodeError, ValueError):
        return None


class ShansongKind(CarrierKindBase):
    code = wire.CARRIER
    name_zh, name_en = "闪送", "Shansong"
    fields = (
        CarrierField("client_id", "Client ID", "Client id"),
        CarrierField("app_secret", "App Secret", "App secret", secret=True),
        CarrierField("shop_id", "商户 ID (shopId)", "Merchant id (shopId)"),
        CarrierField("store_id", "门店 ID", "Store id", required=False, hint_zh="闪送后台的门店", hint_en="Optional"),
    )
    default_url = wire.BASE_URL
    has_balance, tips, redispatch, callbacks = True, True, False, True
    rate_limit_codes = frozenset({wire.RATE_LIMITED})
    balance_codes = frozenset({wire.BALANCE_LOW})
    no_rider_codes = frozenset({wire.NO_RIDER})
    credential_codes = frozenset({wire.SIGN_ERROR, wire.UNKNOWN_CLIENT})
    adapter = ShansongAdapter
    callback_ack = {"status": 200, "msg": "success"}
    callback_refused = {"status": 500, "msg": "refused"}

    def sign(self, secret: str, params: Mapping[str, str], body: bytes | None = None) -> tuple[str, str]:
        if not params:
            raise ValueError("闪送 signs the form fields: pass --params")
        return wire.sign(secret, params), wire.base_string(secret, params)

    def twin(self):
        from integrations.shansong.twin import TWIN

        return TWIN


KIND = ShansongKind()
