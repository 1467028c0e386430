"""JD refund pull (退款审核单 + 售后服务单) and the per-order refund query, against the twin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.contract import PullWindow
from qihang_app.domain.platform_order import RefundKind, RefundStatus
from tests.integrations.jd.conftest import collect


async def _pulled(jd, client, keys, start: datetime, end: datetime) -> dict[str, object]:
    pages = await collect(jd.refund_pull.pull(client, keys, PullWindow(start, end, sweep=True)))
    found = {}
    for page in pages:
        for refund in page.refunds:
            found[refund.platform_refund_id] = refund  # later pages carry the newer state
    return found


def _window() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(minutes=5), now + timedelta(minutes=5)


async def test_a_refund_application_is_pulled_then_its_decision(jd, make_shop, jd_keys, jd_client, new_order, control):
    shop = make_shop("jd")
    placed = new_order(shop)
    made = control.post(f"/orders/jd/{placed['order_id']}/refund", json={"reason": "拍错了"}).json()
    refund_id = made["after_sales"][-1]["after_sale_id"]
    client, keys = jd_client(shop), jd_keys(shop)
    first = (await _pulled(jd, client, keys, *_window()))[refund_id]
    assert first.status == RefundStatus.APPLIED and first.kind == RefundKind.FULL
    assert first.amount_fen == placed["paid_fen"] and first.platform_order_id == placed["order_id"]
    assert first.deadline_at is not None and first.deadline_at > datetime.now(UTC) and first.reason == "拍错了"
    from integrations.contract import WriteRequest
    from qihang_app.domain.partners import WriteBack

    await jd.write_back(client, WriteRequest(WriteBack.REFUND_AGREE, placed["order_id"], "k", refund_id=refund_id))
    later = (await _pulled(jd, client, keys, *_window()))[refund_id]
    assert later.status == RefundStatus.SUCCEEDED and later.raw_status_code == "3"


async def test_a_return_comes_from_the_service_list(jd, make_shop, jd_keys, jd_client, new_order, control):
    shop = make_shop("jd")
    placed = new_order(shop)
    pictures = ["https://img.sandbox.invalid/a.jpg"]
    control.post(
        f"/orders/jd/{placed['order_id']}/refund",
        json={"reason": "质量问题", "return_goods": True, "pictures": pictures, "amount_fen": 100},
    )
    found = await _pulled(jd, jd_client(shop), jd_keys(shop), *_window())
    (refund,) = found.values()
    assert refund.kind == RefundKind.RETURN_GOODS and refund.status == RefundStatus.APPLIED
    assert refund.amount_fen == 100 and refund.pictures == tuple(pictures)
    assert refund.lines and refund.lines[0].platform_sku_id == placed["lines"][0]["sku_id"]


async def test_a_return_shipped_back_carries_the_waybill(jd, make_shop, jd_keys, jd_client, new_order, control):
    shop = make_shop("jd")
    order_id = new_order(shop)["order_id"]
    control.post(f"/orders/jd/{order_id}/refund", json={"reason": "质量问题", "return_goods": True})
    from integrations.contract import WriteRequest
    from qihang_app.domain.partners import WriteBack

    client = jd_client(shop)
    await jd.write_back(client, WriteRequest(WriteBack.RETURN_AGREE, order_id, "k"))
    control.post(f"/orders/jd/{order_id}/return_ship", json={"carrier": "京东快递", "waybill": "JDVA9"})
    (refund,) = await jd.fetch_refunds(client, order_id)
    assert refund.status == RefundStatus.RETURN_SHIPPED and refund.return_waybill == "JDVA9"


async def test_fetch_refunds_of_an_order_without_any(jd, jd_shop, jd_client, new_order):
    assert await jd.fetch_refunds(jd_client(jd_shop), new_order(jd_shop)["order_id"]) == []


async def test_an_old_window_is_split_by_month(jd, make_shop, jd_keys, jd_client, control):
    shop = make_shop("jd")
    before = len(control.get("/requests", params={"platform": "jd"}).json())
    now = datetime.now(UTC)
    assert await _pulled(jd, jd_client(shop), jd_keys(shop), now - timedelta(days=45), now) == {}
    assert len(control.get("/requests", params={"platform": "jd"}).json()) - before == 2 * 3  # 2 windows x 3 lists
