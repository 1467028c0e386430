"""JD 无界电子面单 (`adapter.waybills`): `ldop.alpha.waybill.receive` issues a number per
platformOrderNo (our object_id, so asking again returns the same number), `vendor.bigshot.query`
gives the 大头笔 / 集包地 printed on the label, `waybill.api.unbind` returns an unused number."""

from __future__ import annotations

import json
from typing import Any

from integrations.base import PlatformError
from integrations.contract import Unsupported
from integrations.ecommerce_contract import Address, Waybill, WaybillRequest
from integrations.jd.client import JdClient
from integrations.jd.spec import PLATFORM, WAYBILL_PROVIDERS, Method

SALE_PLATFORM_JD = "0030001"  # salePlatform: the order was sold on JD


def _address(address: Address) -> dict[str, str]:
    return {
        "provinceName": address.province,
        "cityName": address.city,
        "countryName": address.district,
        "address": address.detail or address.full,
        "contact": address.name,
        "mobile": address.phone,
    }


def _checked(result: Any, action: str) -> dict:
    result = result or {}
    if int(result.get("statusCode", -1)) != 0:
        raise PlatformError(PLATFORM, f"waybill_{result.get('statusCode')}", str(result.get("statusMessage") or action))
    return result.get("data") or {}


class JdWaybills:
    def provider(self, carrier: str) -> str:
        try:
            return WAYBILL_PROVIDERS[carrier]
        except KeyError:
            raise Unsupported(PLATFORM, f"电子面单 for carrier {carrier}") from None

    async def issue(self, client: JdClient, request: WaybillRequest) -> Waybill:
        provider = self.provider(request.carrier)
        content = {
            "waybillType": 1,
            "waybillCount": 1,
            "providerCode": provider,
            "salePlatform": SALE_PLATFORM_JD,
            "platformOrderNo": request.object_id,
            "vendorCode": client.vender_id,
            "vendorOrderCode": request.platform_order_id,
            "weight": round(request.weight_g / 1000, 3),
            "payType": 0,
            "fromAddress": _address(request.sender),
            # JD resolves the real receiver of a JD order from vendorOrderCode; the masked one is fine
            "toAddress": _address(request.receiver),
            "goodsDescription": ",".join(f"{name}x{qty}" for name, qty in request.items)[:200],
        }
        got = _checked(
            await client.call(Method.WAYBILL_GET, {"content": json.dumps(content, ensure_ascii=False)}), "receive"
        )
        numbers = got.get("waybillCodeList") or []
        if not numbers:
            raise PlatformError(PLATFORM, "waybill_empty", "no waybill number in the answer")
        number = str(numbers[0])
        shot = _checked(await client.call(Method.BIGSHOT, {"waybillCode": number, "providerCode": provider}), "bigshot")
        return Waybill(
            carrier=request.carrier,
            tracking_no=number,
            sort_code=str(shot.get("bigShotName") or ""),
            route_code=str(shot.get("gatherCenterName") or ""),
            print_data={"providerCode": provider, "platformOrderNo": request.object_id, **shot},
        )

    async def cancel(self, client: JdClient, carrier: str, tracking_no: str) -> None:
        provider = self.provider(carrier)
        _checked(
            await client.call(Method.WAYBILL_CANCEL, {"providerCode": provider, "waybillCode": tracking_no}), "unbind"
        )
