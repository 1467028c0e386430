"""Wire dict -> normalised types: amounts, statuses, times, events (hand-written payloads)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from integrations.douyin_laike import mapping as dy
from integrations.douyin_laike.spec import AFTER_SALE_EVENT, ORDER_EVENT
from integrations.douyin_laike.webhook import WebhookMessage
from integrations.meituan import mapping as mt
from integrations.meituan.spec import PushType
from qihang_app.domain.order_status import OrderStatus, Platform
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    DeliveryType,
    EventKind,
    PlatformOrder,
    RefundKind,
    RefundStatus,
)

CTIME = 1_700_000_000


def meituan_order(**overrides) -> dict:
    data = {
        "order_id": 27061900338318741,
        "wm_order_id_view": "27061900338318741",
        "app_poi_code": "MT001",
        "day_seq": 12,
        "ctime": CTIME,
        "utime": CTIME + 60,
        "status": 2,
        "recipient_name": "王女士",
        "recipient_phone": "13812345678_1234",
        "recipient_address": "静安新城5号楼2单元1201室@#上海市静安区武宁路88号",
        "latitude": 31.2304,
        "longitude": 121.4737,
        "caution": "少放辣",
        "shipping_fee": 3.0,
        "total": 42.5,
        "original_price": 47.5,
        "package_bag_money": 50,
        "delivery_time": 0,
        "is_pre_sale_order": 0,
        "pick_type": 0,
        "logistics_code": "1001",
        "detail": json.dumps(
            [
                {
                    "app_food_code": "SPU1",
                    "sku_id": "SKU1",
                    "food_name": "关东煮套餐",
                    "quantity": 2,
                    "price": 18.0,
                    "box_num": 2,
                    "box_price": 1.0,
                    "upc": "6901234567892",
                    "spec": "8串",
                },
                {
                    "app_food_code": "SPU2",
                    "sku_id": "SKU2",
                    "food_name": "农夫山泉",
                    "quantity": 3,
                    "price": 2.0,
                    "box_num": 0,
                    "box_price": 0,
                },
            ],
            ensure_ascii=False,
        ),
        "extras": json.dumps(
            [{"reduce_fee": 5.0, "mt_charge": 2.0, "poi_charge": 3.0, "remark": "满30减5", "type": 2}],
            ensure_ascii=False,
        ),
        "sku_benefit_detail": json.dumps(
            [
                {"app_food_code": "SPU1", "sku_id": "SKU1", "totalReducePrice": 4.29},
                {"app_food_code": "SPU2", "sku_id": "SKU2", "totalReducePrice": 0.71},
            ]
        ),
        "poi_receive_detail": json.dumps({"wmPoiReceiveCent": 3600}),
        "poi_receive_detail_yuan": json.dumps({"poiReceive": "36.00"}),
    }
    data.update(overrides)
    return data


def test_meituan_amounts_in_fen():
    order = mt.order_from_push(meituan_order())
    assert order.goods_fen == 2 * 1800 + 3 * 200
    assert order.packing_fen == 50 + 2 * 100  # package_bag_money is already fen; boxes are yuan
    assert order.freight_fen == 300
    assert (order.platform_discount_fen, order.merchant_discount_fen) == (200, 300)
    assert order.paid_fen == 4250
    assert order.paid_fen == (
        order.goods_fen
        + order.packing_fen
        + order.freight_fen
        - order.platform_discount_fen
        - order.merchant_discount_fen
    )
    assert order.merchant_receivable_fen == 3600
    first, second = order.lines
    assert (first.unit_price_fen, first.quantity, first.discount_fen, first.paid_fen) == (1800, 2, 429, 3171)
    assert second.discount_fen + first.discount_fen == 500
    assert first.barcode == "6901234567892" and first.outer_sku_code == "SKU1"


def test_meituan_identity_times_and_receiver():
    order = mt.order_from_push(meituan_order())
    assert order.platform == Platform.MEITUAN
    assert order.platform_order_id == "27061900338318741"  # a string, not a float-prone number
    assert order.day_seq == 12
    assert order.placed_at == datetime.fromtimestamp(CTIME, UTC)
    assert order.updated_at.tzinfo is not None and order.updated_at.timestamp() == CTIME + 60
    assert order.receiver_address == "静安新城5号楼2单元1201室"
    assert order.receiver_phone == "13812345678_1234"
    assert order.delivery_type == DeliveryType.PLATFORM
    assert order.accept_deadline_at == order.placed_at + mt.ACCEPT_WINDOW
    assert order.is_complete and not order.is_scheduled


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (1, OrderStatus.AWAITING_ACCEPT),
        (2, OrderStatus.AWAITING_ACCEPT),
        (3, OrderStatus.AWAITING_ACCEPT),
        (4, OrderStatus.TO_SHIP),
        (6, OrderStatus.SHIPPED),
        (7, OrderStatus.SHIPPED),
        (8, OrderStatus.COMPLETED),
        (9, OrderStatus.CANCELLED),
    ],
)
def test_meituan_status_mapping(code, status):
    order = mt.order_from_push(meituan_order(status=code))
    assert order.status == status and order.raw_status_code == str(code)


def test_meituan_scheduled_pickup_and_scaled_coordinates():
    order = mt.order_from_push(
        meituan_order(
            delivery_time=CTIME + 7200, is_pre_sale_order=1, pick_type=1, latitude=31230400, longitude=121473700
        )
    )
    assert order.is_scheduled
    assert order.expected_delivery_at == datetime.fromtimestamp(CTIME + 7200, UTC)
    assert order.delivery_type == DeliveryType.SELF_PICKUP
    assert (order.lat, order.lng) == pytest.approx((31.2304, 121.4737))


def test_meituan_incomplete_push_is_flagged():
    order = mt.order_from_push(meituan_order(incmp_code=-1))
    event = mt.event_from_push(PushType.PAID, meituan_order(incmp_code=-1))
    assert not order.is_complete and event.needs_detail


def test_meituan_receivable_falls_back_to_cent_field():
    order = mt.order_from_push(meituan_order(poi_receive_detail_yuan=""))
    assert order.merchant_receivable_fen == 3600


def test_meituan_cancel_push():
    event = mt.event_from_push(
        PushType.CANCEL,
        {
            "order_id": "1",
            "app_poi_code": "MT001",
            "reason_code": "1001",
            "reason": "用户不想要了",
            "deal_op_type": "1",
            "timestamp": str(CTIME),
        },
    )
    assert event.kind == EventKind.CANCEL and event.cancelled_by == "user"
    assert event.cancel_reason == "用户不想要了" and event.occurred_at.timestamp() == CTIME


@pytest.mark.parametrize(
    ("notify", "status"),
    [
        ("apply", RefundStatus.APPLIED),
        ("agree", RefundStatus.AGREED),
        ("reject", RefundStatus.REJECTED),
        ("cancelRefund", RefundStatus.CANCELLED),
    ],
)
def test_meituan_full_refund_flow_push(notify, status):
    event = mt.event_from_push(
        PushType.REFUND,
        {
            "order_id": "1",
            "app_poi_code": "MT001",
            "notify_type": notify,
            "refund_id": "99",
            "reason": "少送商品",
            "money": "41.3",
            "timestamp": str(CTIME),
        },
    )
    assert event.kind == EventKind.REFUND
    assert event.refund.status == status and event.refund.kind == RefundKind.FULL
    assert event.refund.amount_fen == 4130 and event.refund.platform_refund_id == "99"


@pytest.mark.parametrize(
    ("code", "kind", "status"),
    [
        ("3", RefundKind.FULL, RefundStatus.SUCCEEDED),
        ("4", RefundKind.FULL, RefundStatus.FAILED),
        ("13", RefundKind.PARTIAL, RefundStatus.SUCCEEDED),
        ("14", RefundKind.PARTIAL, RefundStatus.FAILED),
    ],
)
def test_meituan_refund_result_push(code, kind, status):
    event = mt.event_from_push(
        PushType.REFUND_STATUS,
        {"order_id": "1", "refund_id": "99", "refund_status": code, "money": 12.5, "timestamp": str(CTIME)},
    )
    assert (event.refund.kind, event.refund.status, event.refund.amount_fen) == (kind, status, 1250)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("0", DeliveryStatus.AWAITING_RIDER),
        ("5", DeliveryStatus.AWAITING_RIDER),
        ("10", DeliveryStatus.RIDER_ACCEPTED),
        ("15", DeliveryStatus.AT_STORE),
        ("20", DeliveryStatus.DELIVERING),
        ("40", DeliveryStatus.DELIVERED),
        ("100", DeliveryStatus.CANCELLED),
        ("77", DeliveryStatus.EXCEPTION),
    ],
)
def test_meituan_delivery_status_push(code, status):
    event = mt.event_from_push(
        PushType.LOGISTICS,
        {
            "order_id": "1",
            "logistics_status": code,
            "dispatcher_name": "张师傅",
            "dispatcher_mobile": "13800000000",
            "time": str(CTIME),
            "timestamp": str(CTIME + 5),
        },
    )
    assert event.kind == EventKind.DELIVERY and event.delivery.status == status
    assert event.occurred_at.timestamp() == CTIME  # the rider's time, not the send time


def test_meituan_skus_from_retail_list():
    skus = mt.skus_from_retail_list(
        "MT001",
        [
            {
                "app_food_code": "SPU1",
                "name": "可口可乐",
                "skus": json.dumps([{"sku_id": "SKU1", "spec": "330ml", "price": "3.50", "stock": "12"}]),
            }
        ],
    )
    assert [(s.platform_sku_id, s.price_fen, s.stock) for s in skus] == [("SKU1", 350, 12)]


def douyin_order(**overrides) -> dict:
    data = {
        "order_id": "1080000000000000001",
        "account_id": "7200",
        "order_status": 2,
        "create_time": CTIME,
        "pay_time": CTIME + 3,
        "update_time": CTIME + 3,
        "pay_amount": 2330,
        "freight_amount": 300,
        "packing_amount": 100,
        "platform_discount_amount": 200,
        "merchant_discount_amount": 300,
        "merchant_receivable_amount": 1900,
        "remark": "到了打电话",
        "delivery_type": "merchant",
        "book_time": 0,
        "day_seq": 3,
        "receiver_info": {
            "name": "李先生",
            "phone": "138****5678",
            "address": "徐汇区漕溪北路1号",
            "latitude": 31.19,
            "longitude": 121.43,
        },
        "products": [
            {
                "product_id": "1001",
                "sku_id": "1801",
                "out_sku_id": "SKU1",
                "count": 2,
                "sale_price": 1200,
                "discount_amount": 500,
                "pay_amount": 1900,
                "name": "伊利纯牛奶",
                "spec": "250ml",
            }
        ],
    }
    data.update(overrides)
    return data


def test_douyin_order_from_query():
    order = dy.order_from_query(douyin_order())
    assert order.platform == Platform.DOUYIN_LAIKE and order.platform_shop_id == "7200"
    assert order.status == OrderStatus.AWAITING_ACCEPT and order.paid_fen == 2330
    assert order.goods_fen == 2400 and order.lines[0].paid_fen == 1900
    assert order.paid_at.timestamp() == CTIME + 3 and order.delivery_type == DeliveryType.MERCHANT
    assert order.receiver_phone == "138****5678" and order.day_seq == 3


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (1, OrderStatus.PENDING_PAYMENT),
        (2, OrderStatus.AWAITING_ACCEPT),
        (3, OrderStatus.TO_SHIP),
        (4, OrderStatus.SHIPPED),
        (5, OrderStatus.COMPLETED),
        (6, OrderStatus.CANCELLED),
        (7, OrderStatus.CLOSED),
    ],
)
def test_douyin_status_mapping(code, status):
    assert dy.order_from_query(douyin_order(order_status=code)).status == status


def test_douyin_order_notify_is_thin():
    message = WebhookMessage(
        event=ORDER_EVENT,
        client_key="k",
        account_id="7200",
        content={"action": "pay", "msg_time": CTIME, "order": {"order_id": "1080", "pay_amount": 2330}},
    )
    event = dy.event_from_webhook(message)
    assert event.kind == EventKind.ORDER_REF and event.needs_detail
    assert event.platform_order_id == "1080" and event.raw_status_code == "2"


def test_douyin_cancel_and_after_sale_events():
    cancel = dy.event_from_webhook(
        WebhookMessage(
            ORDER_EVENT,
            "k",
            "7200",
            {"action": "cancel", "msg_time": CTIME, "order": {"order_id": "1080", "cancel_reason": "不想要了"}},
        )
    )
    assert cancel.kind == EventKind.CANCEL and cancel.cancel_reason == "不想要了"
    refund = dy.event_from_webhook(
        WebhookMessage(
            AFTER_SALE_EVENT,
            "k",
            "7200",
            {
                "action": "apply",
                "msg_time": CTIME,
                "after_sale": {"after_sale_id": "73", "order_id": "1080", "refund_amount": 2330, "type": 1},
            },
        )
    )
    assert refund.kind == EventKind.REFUND and refund.refund.status == RefundStatus.APPLIED
    assert refund.refund.amount_fen == 2330
    assert dy.event_from_webhook(WebhookMessage("verify_webhook", "k", "", {})) is None


def test_domain_types_refuse_naive_datetimes():
    with pytest.raises(ValueError):
        PlatformOrder(
            platform=Platform.MEITUAN,
            platform_shop_id="s",
            platform_order_id="1",
            status=OrderStatus.TO_SHIP,
            raw_status_code="4",
            placed_at=datetime(2024, 1, 1),
            updated_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
