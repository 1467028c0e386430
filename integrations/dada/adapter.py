"""达达 on the carrier contract: quote, book (idempotent on origin_id), re-publish, cancel, tip,
balance, callbacks. Yuan on the wire, fen inside."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from integrations.base import wire_yuan_to_fen
from integrations.carrier_base import CarrierAdapterBase, CarrierKindBase, estimate_minutes
from integrations.carrier_contract import Booking, CarrierField, DeliveryOrder, Quote, RiderUpdate
from integrations.dada import wire
from qihang_app.domain.money import fen_to_yuan_str

CANCEL_OTHER = "36"  # Dada's "other reason" id of /api/order/cancel/reasons (the reason text goes along)


class DadaAdapter(CarrierAdapterBase):
    async def _call(self, path: str, body: Mapping[str, Any]) -> Any:
        fields = wire.envelope(
            self.keys["app_key"], self.keys["source_id"], self.keys["app_secret"], body, int(time.time())
        )

        def read(answer: dict) -> Any:
            if answer.get("status") != "success" or int(answer.get("code", -1)) != wire.OK:
                raise self.error(answer.get("code", "?"), str(answer.get("msg") or ""))
            return answer.get("result")

        return await self.caller.post(path, f"{self.base_url}{path}", read, json=fields)

    def _order_body(self, order: DeliveryOrder) -> dict[str, Any]:
        return {
            "shop_no": order.store_ref or self.keys.get("shop_no", ""),
            "origin_id": order.order_ref,
            "city_code": order.city_code,
            "cargo_price": fen_to_yuan_str(order.value_fen),
            "cargo_weight": round(order.weight_g / 1000, 3),
            "is_prepay": 0,
            "receiver_name": order.receiver_name,
            "receiver_address": order.receiver_address,
            "receiver_phone": order.receiver_phone,
            "receiver_lat": order.receiver_lat,
            "receiver_lng": order.receiver_lng,
            "callback": order.callback_url or self.account.callback_url,
            "tips": fen_to_yuan_str(order.tip_fen),
            "info": order.note,
        }

    async def quote(self, order: DeliveryOrder) -> Quote:
        result = await self._call("/api/order/queryDeliverFee", self._order_body(order))
        metres = int(float(result.get("distance") or 0))
        fee = wire_yuan_to_fen(result["fee"])
        return Quote(self.code, fee, metres, estimate_minutes(metres), str(result.get("deliveryNo") or ""))

    async def create(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        result = await self._call("/api/order/addOrder", self._order_body(order))
        return Booking(order.order_ref, wire_yuan_to_fen(result["fee"]), int(float(result.get("distance") or 0)))

    async def redispatch(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        result = await self._call("/api/order/reAddOrder", self._order_body(order))
        return Booking(order.order_ref, wire_yuan_to_fen(result["fee"]), int(float(result.get("distance") or 0)))

    async def cancel(self, carrier_order_id: str, *, reason: str, reason_code: str = "") -> None:
        body = {"order_id": carrier_order_id, "cancel_reason_id": reason_code or CANCEL_OTHER, "cancel_reason": reason}
        await self._call("/api/order/formalCancel", body)

    async def add_tip(self, carrier_order_id: str, *, tip_fen: int) -> None:
        body = {
            "order_id": carrier_order_id,
            "tips": fen_to_yuan_str(tip_fen),
            "city_code": self.keys.get("city_code") or "021",
            "info": "",
        }
        await self._call("/api/order/addTip", body)

    async def status(self, carrier_order_id: str) -> RiderUpdate:
        result = await self._call("/api/order/status/query", {"order_id": carrier_order_id})
        return wire.parse_status(result or {}, carrier_order_id)

    async def balance(self) -> int:
        result = await self._call("/api/balance/query", {"category": 3})
        return wire_yuan_to_fen(result["deliverBalance"])

    def verify_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        try:
            fields = json.loads(body)
        except ValueError:
            return False
        return isinstance(fields, dict) and wire.callback_ok(fields)

    def parse_callback(self, body: bytes) -> RiderUpdate:
        fields = json.loads(body)
        if not isinstance(fields, dict):
            raise ValueError("a Dada callback is a JSON object")
        return wire.parse_callback(fields)


class DadaKind(CarrierKindBase):
    code = wire.CARRIER
    name_zh, name_en = "达达", "Dada"
    fields = (
        CarrierField("app_key", "App Key", "App key"),
        CarrierField("app_secret", "App Secret", "App secret", secret=True),
        CarrierField("source_id", "商户编号 source_id", "Merchant id (source_id)"),
        CarrierField(
            "shop_no", "门店编号", "Store number", hint_zh="达达后台创建门店后的编号", hint_en="From Dada's store list"
        ),
        CarrierField("city_code", "城市编码", "City code", required=False, hint_zh="如 021", hint_en="e.g. 021"),
    )
    default_url = wire.BASE_URL
    has_balance, tips, redispatch, callbacks = True, True, True, True
    rate_limit_codes = frozenset({wire.RATE_LIMITED})
    balance_codes = frozenset({wire.BALANCE_LOW})
    no_rider_codes = frozenset({wire.NO_RIDER})
    credential_codes = frozenset({wire.SIGN_ERROR, wire.UNKNOWN_APP})
    adapter = DadaAdapter
    callback_ack = {"status": "ok", "code": 0}
    callback_refused = {"status": "fail", "code": 1}

    def sign(self, secret: str, params: Mapping[str, str], body: bytes | None = None) -> tuple[str, str]:
        if not params:
            raise ValueError("达达 signs the envelope fields: pass --params")
        return wire.sign(secret, params), wire.base_string(secret, params)

    def twin(self):
        from integrations.dada.twin import TWIN

        return TWIN


KIND = DadaKind()
