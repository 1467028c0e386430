"""美团跑腿 on the carrier contract: preCreateByShop (quote), createByShop (idempotent on order_id),
order/delete (cancel), and the signed status callbacks. It has no tip or balance call: both are
refused before any request. Yuan on the wire, fen inside."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from integrations.base import PlatformError, wire_yuan_to_fen
from integrations.carrier_base import CarrierAdapterBase, CarrierKindBase, estimate_minutes
from integrations.carrier_contract import Booking, CarrierField, DeliveryOrder, Quote, RiderUpdate
from integrations.meituan_paotui import wire
from qihang_app.domain.money import fen_to_yuan_str
from qihang_app.domain.platform_order import DeliveryStatus as S

# Only a rider on the way has a position to ask for.
LOCATED = frozenset({S.RIDER_ACCEPTED, S.AT_STORE, S.DELIVERING})
SERVICE_CODE = 100029  # 跑腿 delivery service (the account's product decides which codes it may use)


class PaotuiAdapter(CarrierAdapterBase):
    @property
    def algorithm(self) -> str:
        return self.keys.get("sign_algorithm") or "sha1"

    async def _call(self, path: str, params: Mapping[str, Any]) -> Any:
        fields = {k: str(v) for k, v in params.items()}
        fields.update(appkey=self.keys["app_key"], timestamp=str(int(time.time())), version=wire.VERSION)
        fields["sign"] = wire.sign(self.keys["app_secret"], fields, self.algorithm)

        def read(answer: dict) -> Any:
            if int(answer.get("code", -1)) != wire.OK:
                raise self.error(answer.get("code", "?"), str(answer.get("message") or ""))
            return answer.get("data") or {}

        return await self.caller.post(path, f"{self.base_url}/{path}", read, data=fields)

    def _order(self, order: DeliveryOrder) -> dict[str, Any]:
        return {
            "delivery_id": wire.delivery_id(order.order_ref),
            "order_id": order.order_ref,
            "shop_id": order.store_ref or self.keys["shop_id"],
            "delivery_service_code": SERVICE_CODE,
            "receiver_name": order.receiver_name,
            "receiver_address": order.receiver_address,
            "receiver_phone": order.receiver_phone,
            "receiver_lng": wire.coordinate(order.receiver_lng),
            "receiver_lat": wire.coordinate(order.receiver_lat),
            "coordinate_type": 0,
            "goods_value": fen_to_yuan_str(order.value_fen),
            "goods_weight": round(order.weight_g / 1000, 2),
            "note": order.note,
        }

    async def quote(self, order: DeliveryOrder) -> Quote:
        data = await self._call("order/preCreateByShop", self._order(order))
        metres = int(data.get("distance") or 0)
        return Quote(self.code, wire_yuan_to_fen(data["delivery_fee"]), metres, estimate_minutes(metres))

    async def create(self, order: DeliveryOrder, *, idempotency_key: str) -> Booking:
        data = await self._call("order/createByShop", self._order(order))
        ride = wire.ride_id(data["mt_peisong_id"], data["delivery_id"])
        return Booking(ride, wire_yuan_to_fen(data.get("delivery_fee")), int(data.get("distance") or 0))

    async def cancel(self, carrier_order_id: str, *, reason: str, reason_code: str = "") -> None:
        peisong_id, delivery = wire.split_ride_id(carrier_order_id)
        params = {"delivery_id": delivery, "mt_peisong_id": peisong_id,
                  "cancel_reason_id": reason_code or wire.CANCEL_OTHER, "cancel_reason": reason}  # fmt: skip
        await self._call("order/delete", params)

    async def status(self, carrier_order_id: str) -> RiderUpdate:
        """order/status/query, then order/rider/location while a rider is on the way."""
        peisong_id, delivery = wire.split_ride_id(carrier_order_id)
        ids = {"delivery_id": delivery, "mt_peisong_id": peisong_id}
        update = wire.parse_status(await self._call("order/status/query", ids), carrier_order_id)
        if update.status not in LOCATED:
            return update
        try:
            where = wire.parse_location(await self._call("order/rider/location", ids))
        except PlatformError as exc:
            if exc.retryable:
                raise
            return update  # no position (yet): the status is still worth having
        if where is None:
            return update
        return dataclasses.replace(update, lat=where[0], lng=where[1])

    async def probe(self) -> None:
        """An authenticated status query of no order: "not found" proves the keys work."""
        try:
            await self._call("order/status/query", {"delivery_id": 0, "mt_peisong_id": "0"})
        except PlatformError as exc:
            if exc.code != wire.NOT_FOUND:
                raise

    def verify_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        fields = _form(body)
        return (
            fields is not None
            and fields.get("appkey") == self.keys["app_key"]
            and wire.signed_ok(fields, self.keys["app_secret"], self.algorithm)
        )

    def parse_callback(self, body: bytes) -> RiderUpdate:
        fields = _form(body)
        if fields is None:
            raise ValueError("a Meituan delivery callback is a form")
        return wire.parse_callback(fields)


def _form(body: bytes) -> dict[str, str] | None:
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (UnicodeDecodeError, ValueError):
        return None


class PaotuiKind(CarrierKindBase):
    code = wire.CARRIER
    name_zh, name_en = "美团跑腿", "Meituan errands"
    fields = (
        CarrierField("app_key", "AppKey", "App key"),
        CarrierField("app_secret", "Secret", "Secret", secret=True),
        CarrierField(
            "shop_id", "门店 ID", "Store id", hint_zh="美团配送后台创建的门店", hint_en="From Meituan's store list"
        ),
        CarrierField(
            "sign_algorithm", "签名算法", "Signing", required=False, hint_zh="sha1 或 sha256", hint_en="sha1 or sha256"
        ),
    )
    default_url = wire.BASE_URL
    has_balance, tips, redispatch, callbacks = False, False, False, True
    rate_limit_codes = frozenset({wire.RATE_LIMITED})
    balance_codes = frozenset({wire.BALANCE_LOW})
    no_rider_codes = frozenset({wire.NO_RIDER})
    credential_codes = frozenset({wire.SIGN_ERROR, wire.UNKNOWN_APP})
    adapter = PaotuiAdapter
    callback_ack = {"code": 0, "message": "成功"}
    callback_refused = {"code": 1, "message": "refused"}

    def sign(self, secret: str, params: Mapping[str, str], body: bytes | None = None) -> tuple[str, str]:
        if not params:
            raise ValueError("美团跑腿 signs the form fields: pass --params")
        return wire.sign(secret, params), wire.base_string(secret, params)

    def twin(self):
        from integrations.meituan_paotui.twin import TWIN

        return TWIN


KIND = PaotuiKind()
