"""JD 无界电子面单 against the twin: issue (idempotent by object_id), 大头笔, cancel."""

from __future__ import annotations

import pytest

from integrations.base import PlatformError
from integrations.contract import Unsupported
from integrations.ecommerce_contract import Address, WaybillRequest

SENDER = Address("启航仓", "02160000000", "上海", "上海市", "静安区", "南京西路 1266 号")
RECEIVER = Address("林*", "138****1234", "上海", "上海市", "徐汇区", "衡山路****")


def _request(order_id: str, object_id: str, carrier: str = "JD") -> WaybillRequest:
    return WaybillRequest(carrier, order_id, object_id, SENDER, RECEIVER, (("矿泉水", 2),), 1200)


async def test_issue_twice_gives_one_number_and_cancel_returns_it(
    jd, jd_shop, jd_client, new_order, jd_inspect, control
):
    order_id = new_order(jd_shop)["order_id"]
    client = jd_client(jd_shop)
    first = await jd.waybills.issue(client, _request(order_id, f"pkg-{order_id}"))
    again = await jd.waybills.issue(client, _request(order_id, f"pkg-{order_id}"))
    assert first.tracking_no == again.tracking_no and first.tracking_no.startswith("JDVA")
    assert first.sort_code and first.route_code == "上海分拨中心" and first.print_data["providerCode"] == "JD"
    assert len(control.get("/writebacks", params={"order_id": order_id, "api": "waybill_receive"}).json()) == 1
    other = await jd.waybills.issue(client, _request(order_id, f"pkg-{order_id}-2", carrier="ZTO"))
    assert other.tracking_no != first.tracking_no
    await jd.waybills.cancel(client, "JD", first.tracking_no)
    cancelled = [w for w in jd_inspect()["waybills"] if w["waybillCode"] == first.tracking_no]
    assert cancelled and cancelled[0]["cancelled"] is True
    reissued = await jd.waybills.issue(client, _request(order_id, f"pkg-{order_id}"))
    assert reissued.tracking_no != first.tracking_no  # a cancelled number is not handed out again


async def test_cancel_of_an_unknown_number_fails(jd, jd_shop, jd_client):
    with pytest.raises(PlatformError) as info:
        await jd.waybills.cancel(jd_client(jd_shop), "JD", "JDVA00000000000")
    assert info.value.code == "waybill_3001"


async def test_a_carrier_without_jd_waybills_is_unsupported(jd, jd_shop, jd_client):
    assert "DBL" not in jd.profile.waybill_carriers
    with pytest.raises(Unsupported):
        await jd.waybills.issue(jd_client(jd_shop), _request("1", "x", carrier="DBL"))
