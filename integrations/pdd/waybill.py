"""拼多多电子面单: `pdd.waybill.get` (idempotent by object_id) and `pdd.waybill.cancel`."""

from __future__ import annotations

import json

from integrations.base import PlatformError
from integrations.contract import Unsupported
from integrations.ecommerce_contract import Address, Waybill, WaybillRequest
from integrations.pdd.client import PddClient
from integrations.pdd.spec import PLATFORM, WAYBILL_WP_CODES, Api


def wp_code(carrier: str) -> str:
    try:
        return WAYBILL_WP_CODES[carrier]
    except KeyError:
        raise Unsupported(PLATFORM, f"电子面单 for carrier {carrier}") from None


def _person(who: Address) -> dict:
    return {
        "name": who.name,
        "mobile": who.phone,
        "address": {"province": who.province, "city": who.city, "district": who.district, "detail": who.detail},
    }


class PddWaybills:
    async def issue(self, client: PddClient, request: WaybillRequest) -> Waybill:
        apply = {
            "wp_code": wp_code(request.carrier),
            "sender": _person(request.sender),
            "trade_order_info_dtos": [
                {
                    "object_id": request.object_id,
                    "order_info": {"order_channels_type": "PDD", "trade_order_list": [request.platform_order_id]},
                    "package_info": {
                        "id": request.object_id,
                        "items": [{"name": name, "count": count} for name, count in request.items],
                        "weight": request.weight_g,
                    },
                    "recipient": _person(request.receiver),
                    "user_id": client.mall_id,
                }
            ],
        }
        data = await client.call(Api.WAYBILL_GET, {"param_waybill_cloud_print_apply_new_request": apply})
        module = next((m for m in data.get("modules") or () if str(m.get("object_id")) == request.object_id), None)
        if module is None:
            raise PlatformError(PLATFORM, "bad_response", f"no waybill for object_id {request.object_id}")
        raw_print = module.get("print_data") or "{}"
        print_data = json.loads(raw_print) if isinstance(raw_print, str) else dict(raw_print)
        routing = (print_data.get("data") or {}).get("routingInfo") or {}
        return Waybill(
            carrier=request.carrier,
            tracking_no=str(module["waybill_code"]),
            sort_code=str((routing.get("sortation") or {}).get("name") or routing.get("routeCode") or ""),
            route_code=str((routing.get("consolidation") or {}).get("name") or ""),
            print_data=print_data,
        )

    async def cancel(self, client: PddClient, carrier: str, tracking_no: str) -> None:
        data = await client.call(Api.WAYBILL_CANCEL, {"wp_code": wp_code(carrier), "waybill_code": tracking_no})
        if not data.get("cancel_result"):
            raise PlatformError(PLATFORM, "cancel_refused", f"waybill {tracking_no} was not cancelled")
