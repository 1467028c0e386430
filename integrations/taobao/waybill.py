"""菜鸟电子面单 (cainiao.waybill.ii.get / .cancel) as the platform's WaybillService."""

from __future__ import annotations

import json

from integrations.base import PlatformError
from integrations.ecommerce_contract import Address, Waybill, WaybillRequest
from integrations.taobao.client import TaobaoClient
from integrations.taobao.spec import COMPANY_CODE, PLATFORM, WAYBILL_CARRIERS, Method


def _address(address: Address) -> dict:
    return {
        "name": address.name,
        "mobile": address.phone,
        "address": {
            "province": address.province,
            "city": address.city,
            "district": address.district,
            "detail": address.detail,
        },
    }


def cp_code(carrier: str) -> str:
    if carrier not in WAYBILL_CARRIERS:
        raise PlatformError(PLATFORM, "unsupported_carrier", f"菜鸟电子面单 does not issue {carrier} numbers")
    return COMPANY_CODE[carrier]


class CainiaoWaybills:
    async def issue(self, client: TaobaoClient, request: WaybillRequest) -> Waybill:
        code = cp_code(request.carrier)
        sender = _address(request.sender)
        apply = {
            "cp_code": code,
            "sender": {**sender, "address": sender["address"]},
            "trade_order_info_dtos": [
                {
                    "object_id": request.object_id,
                    "order_info": {"order_channels_type": "TB", "trade_order_list": [request.platform_order_id]},
                    "package_info": {
                        "id": request.object_id,
                        "items": [{"name": name, "count": count} for name, count in request.items],
                        "weight": request.weight_g,
                    },
                    "recipient": _address(request.receiver),
                    "template_url": "http://cloudprint.cainiao.com/template/standard/101",
                    "user_id": 0,
                }
            ],
        }
        data = await client.call(Method.WAYBILL_GET, {"param_waybill_cloud_print_apply_new_request": apply})
        modules = data.get("modules") or {}
        rows = modules.get("waybill_cloud_print_response") if isinstance(modules, dict) else modules
        row = next((r for r in rows or [] if str(r.get("object_id")) == request.object_id), None)
        if row is None:
            raise PlatformError(PLATFORM, "bad_response", "no waybill for the object id")
        print_data = row.get("print_data") or "{}"
        printed = json.loads(print_data) if isinstance(print_data, str) else dict(print_data)
        routing = (printed.get("data") or {}).get("routingInfo") or {}
        return Waybill(
            carrier=request.carrier,
            tracking_no=str(row["waybill_code"]),
            sort_code=str((routing.get("sortation") or {}).get("name") or ""),
            route_code=str((routing.get("consolidation") or {}).get("name") or routing.get("routeCode") or ""),
            print_data=printed,
        )

    async def cancel(self, client: TaobaoClient, carrier: str, tracking_no: str) -> None:
        data = await client.call(Method.WAYBILL_CANCEL, {"cp_code": cp_code(carrier), "waybill_code": tracking_no})
        if not data.get("cancel_result"):
            raise PlatformError(PLATFORM, "cancel_failed", f"{tracking_no} was not cancelled")


WAYBILLS = CainiaoWaybills()
