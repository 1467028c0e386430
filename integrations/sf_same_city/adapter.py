"""顺丰同城 on the carrier contract: precreate (quote), create (idempotent on shop_order_id), cancel,
gratuity (tip), shop balance, and the signed callbacks. Fen on the wire (U), GCJ-02 coordinates."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from integrations.carrier_base import CarrierAdapterBase, CarrierKindBase
from integrations.carrier_contract import Booking, CarrierField, DeliveryOrder, Quote, RiderUpdate
from integrations.sf_same_city import wire

CANCEL_OTHER = 313  # SF's cancel_code for "other reason" (the words go in cancel_reason)


def _dev_id(value: str) -> int | str:
    return int(value) if value.isdigit() else value  # SF's dev_id is a number in the body


class SfAdapter(CarrierAdapterBase):
    async def _call(self, name: str, fields: Mapping[str, Any]) -> Any:
        dev_id = self.keys["dev_id"]
        body = wire.body_bytes({"dev_id": _dev_id(dev_id), **fields, "push_time": int(time.time()), "version": 17})
        signature = wire.sign(body, dev_id, self.keys["dev_key"])

        def read(answer: dict) -> Any:
            if int(answer.get("error_code", -1)) != wire.OK:
                raise self.error(answer.get("error_code", "?"), str(answer.get("error_msg") or ""))
            return answer.get("result") or {}

        url = f"{self.base_url}{wire.PATH}{name}"
        headers = {"Content-Type": "application/json"}
        return await self.caller.post(name, url, read, content=body, params={"sign": signature}, headers=headers)

    def _shop(self) -> dict[str, Any]:
        return {"shop_id": self.keys["shop_id"], "shop_type": 1}

    def _receiver(self, order: DeliveryOrder) -> dict[str, Any]:
        return {
            "user_name": order.receiver_name,
            "user_phone": order.receiver_phone,
            "user_address": order.receiver_address,
            "user_lng": str(order.receiver_lng),
            "user_lat": str(order.receiver_lat),
            "city_name": order.city,
        }

    async def quote(self, order: DeliveryOrder) -> Quote:
        receiver = self._receiver(order)
        fields = {**self._shop(), "user_lng": receiver["user_lng"], "user_lat": receiver["user_lat"],
                  "user_address": order.receiver_address, "weight": order.weight_g, "product_type": 1}  # fmt: skip
        result = await self._call("precreateorder", fields)
        eta = max(1, (int(result.get("expect_time") or 0) - int(result.get("push_time") or 0)) // 60)
        return Quote(self.code, int(result["total_price"]), int(result.get("delivery_distance_meter") or 0), eta)

    async def create(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        fields = {
            **self._shop(),
            "shop_order_id": order.order_ref,
            "order_source": "启航OMS",
            "pay_type": 1,
            "order_time": int(time.time()),
            "is_appoint": 0,
            "is_insured": 0,
            "rider_pick_method": 1,
            "return_flag": 511,
            "gratuity_fee": order.tip_fen,
            "remark": order.note,
            "receive": self._receiver(order),
            "order_detail": {
                "total_price": order.value_fen,
                "product_type": 1,
                "weight_gram": order.weight_g,
                "product_num": 1,
                "product_type_num": 1,
                "product_detail": [{"product_name": "商品", "product_num": 1}],
            },
        }
        result = await self._call("createorder", fields)
        return Booking(str(result["sf_order_id"]), int(result.get("total_price") or 0),
                       int(result.get("delivery_distance_meter") or 0))  # fmt: skip

    async def cancel(self, carrier_order_id: str, *, reason: str, reason_code: str = "") -> None:
        fields = {"order_id": carrier_order_id, "order_type": 1, "shop_id": self.keys["shop_id"], "shop_type": 1,
                  "cancel_code": int(reason_code) if reason_code.isdigit() else CANCEL_OTHER, "cancel_reason": reason}  # fmt: skip
        await self._call("cancelorder", fields)

    async def add_tip(self, carrier_order_id: str, *, tip_fen: int) -> None:
        fields = {"order_id": carrier_order_id, "order_type": 1, **self._shop(), "gratuity_fee": tip_fen}
        await self._call("addordergratuityfee", fields)

    async def status(self, carrier_order_id: str) -> RiderUpdate:
        fields = {"order_id": carrier_order_id, "order_type": 1, **self._shop()}
        return wire.parse_feed(await self._call("listorderfeed", fields), carrier_order_id)

    async def balance(self) -> int:
        result = await self._call("getshopaccountbalance", self._shop())
        return int(result["balance"])

    def verify_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        return wire.signed_ok(body, str(query.get("sign") or ""), self.keys["dev_id"], self.keys["dev_key"])

    def parse_callback(self, body: bytes) -> RiderUpdate:
        fields = json.loads(body)
        if not isinstance(fields, dict):
            raise ValueError("an SF callback is a JSON object")
        return wire.parse_callback(fields)


class SfKind(CarrierKindBase):
    code = wire.CARRIER
    name_zh, name_en = "顺丰同城", "SF same-city"
    fields = (
        CarrierField("dev_id", "开发者 ID (dev_id)", "Developer id (dev_id)"),
        CarrierField("dev_key", "开发者密钥 (dev_key)", "Developer key (dev_key)", secret=True),
        CarrierField("shop_id", "店铺 ID", "Shop id", hint_zh="顺丰同城后台的店铺 ID", hint_en="From SF's shop list"),
    )
    default_url = wire.BASE_URL
    has_balance, tips, redispatch, callbacks = True, True, False, True
    rate_limit_codes = frozenset({wire.RATE_LIMITED})
    balance_codes = frozenset({wire.BALANCE_LOW})
    no_rider_codes = frozenset({wire.NO_RIDER})
    credential_codes = frozenset({wire.SIGN_ERROR, wire.UNKNOWN_DEV})
    adapter = SfAdapter
    callback_ack = {"error_code": 0, "error_msg": "success"}
    callback_refused = {"error_code": 1, "error_msg": "refused"}

    def sign(self, secret: str, params: Mapping[str, str], body: bytes | None = None) -> tuple[str, str]:
        """Signs the raw body (or --params serialised compactly); dev_id is read from it."""
        raw = body if body is not None else wire.body_bytes(params or {})
        dev_id = str(json.loads(raw).get("dev_id", ""))
        if not dev_id:
            raise ValueError("顺丰同城 signs the body with its dev_id: the body needs dev_id")
        return wire.sign(raw, dev_id, secret), wire.base_string(raw, dev_id, secret)

    def twin(self):
        from integrations.sf_same_city.twin import TWIN

        return TWIN


KIND = SfKind()
