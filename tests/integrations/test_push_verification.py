"""Pushes produced by the sandbox's push sender, caught by a loopback receiver, checked by the
adapters: genuine pushes pass; tampered bodies, wrong secrets and replays fail."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from integrations.douyin_laike import mapping as dy_mapping
from integrations.douyin_laike.spec import AFTER_SALE_EVENT, ORDER_EVENT, SIGNATURE_HEADER
from integrations.douyin_laike.webhook import douyin_signature, parse_webhook, verify_webhook
from integrations.meituan import mapping as mt_mapping
from integrations.meituan.push import decode_push_fields, is_probe, verify_push
from integrations.meituan.spec import PushType
from qihang_app.domain.platform_order import (
    DeliveryStatus,
    EventKind,
    RefundKind,
    RefundStatus,
)


def meituan_push(order_id: str, push_type: PushType):
    path = f"/api/webhooks/meituan/{push_type.value}"
    return lambda p: p.path == path and p.form.get("order_id") == order_id


def douyin_push(order_id: str, event: str = ORDER_EVENT, action: str | None = None):
    def match(p) -> bool:
        if p.path != "/api/webhooks/douyin_laike":
            return False
        message = parse_webhook(p.body)
        inner = message.content.get("order") or message.content.get("after_sale") or {}
        return (
            message.event == event
            and inner.get("order_id") == order_id
            and action in (None, message.content.get("action"))
        )

    return match


async def caught(receiver, predicate, count: int = 1):
    found = await receiver.wait_for(predicate, count)
    assert len(found) >= count, "push did not arrive"
    return found[0]


# ---- Meituan -----------------------------------------------------------------------------------


async def test_meituan_genuine_paid_push_verifies_and_maps(receiver, meituan_shop, new_order):
    placed = new_order(meituan_shop)
    push = await caught(receiver, meituan_push(placed["order_id"], PushType.PAID))
    check = verify_push(
        receiver.url + push.path, push.form, meituan_shop["secret"], expected_app_id=meituan_shop["app_id"]
    )
    assert check.ok and check.answer == {"data": "ok"}
    assert push.form["detail"].startswith("%5B")  # JSON arrived URL-encoded a second time
    event = mt_mapping.event_from_push(PushType.PAID, decode_push_fields(push.form))
    assert event.kind == EventKind.ORDER and not event.needs_detail
    order = event.order
    assert order.platform_order_id == placed["order_id"] and order.paid_fen == placed["paid_fen"]
    assert order.receiver_address == placed["address"]  # second decoding of a text field
    assert order.buyer_memo == placed["memo"]
    assert len(order.lines) == len(placed["lines"])


async def test_meituan_tampered_push_is_rejected_with_703(receiver, meituan_shop, new_order):
    placed = new_order(meituan_shop)
    push = await caught(receiver, meituan_push(placed["order_id"], PushType.PAID))
    tampered = {**push.form, "total": "0.01"}
    check = verify_push(receiver.url + push.path, tampered, meituan_shop["secret"])
    assert not check.ok and check.answer["error"]["code"] == 703


async def test_meituan_wrong_secret_or_wrong_url_is_rejected(receiver, meituan_shop, new_order):
    placed = new_order(meituan_shop)
    push = await caught(receiver, meituan_push(placed["order_id"], PushType.PAID))
    assert not verify_push(receiver.url + push.path, push.form, "not-the-secret").ok
    assert not verify_push("http://example.invalid" + push.path, push.form, meituan_shop["secret"]).ok
    assert not verify_push(receiver.url + push.path, push.form, meituan_shop["secret"], expected_app_id="other").ok


async def test_meituan_replay_outside_the_window_is_rejected(receiver, meituan_shop, new_order):
    placed = new_order(meituan_shop)
    push = await caught(receiver, meituan_push(placed["order_id"], PushType.PAID))
    url, sent_at = receiver.url + push.path, int(push.form["timestamp"])
    secret = meituan_shop["secret"]
    assert verify_push(url, push.form, secret, now=sent_at + 299, replay_window=300).ok
    late = verify_push(url, push.form, secret, now=sent_at + 301, replay_window=300)
    assert not late.ok and "replay" in late.reason
    assert not verify_push(url, push.form, secret, now=sent_at - 301, replay_window=300).ok


async def test_meituan_single_encoded_pushes_decode_too(receiver, make_shop, new_order):
    shop = make_shop("meituan", double_encode=False)
    placed = new_order(shop)
    push = await caught(receiver, meituan_push(placed["order_id"], PushType.PAID))
    assert push.form["detail"].startswith("[")
    assert verify_push(receiver.url + push.path, push.form, shop["secret"]).ok
    order = mt_mapping.order_from_push(decode_push_fields(push.form))
    assert order.paid_fen == placed["paid_fen"] and order.receiver_address == placed["address"]


def test_meituan_probe_is_acknowledged():
    assert is_probe({}) and not is_probe({"order_id": "1"})


async def test_meituan_follow_up_pushes(receiver, control, meituan_shop, meituan_for, new_order):
    placed = new_order(meituan_shop)
    order_id, secret = placed["order_id"], meituan_shop["secret"]
    client = meituan_for(meituan_shop)
    await client.confirm_order(order_id)
    control.post(f"/orders/meituan/{order_id}/rider", json={"step": "at_store"})
    control.post(f"/orders/meituan/{order_id}/refund", json={"reason": "少送商品"})
    await client.refund_agree(order_id, "同意")

    async def event(push_type: PushType, count: int = 1):
        found = await receiver.wait_for(meituan_push(order_id, push_type), count)
        push = found[count - 1]
        assert verify_push(receiver.url + push.path, push.form, secret).ok
        return mt_mapping.event_from_push(push_type, decode_push_fields(push.form))

    assert (await event(PushType.CONFIRMED)).kind == EventKind.CONFIRMED
    delivery = await event(PushType.LOGISTICS)
    assert delivery.delivery.status == DeliveryStatus.AT_STORE and delivery.delivery.rider_name
    applied, agreed = await event(PushType.REFUND), await event(PushType.REFUND, 2)
    assert applied.refund.status == RefundStatus.APPLIED and applied.refund.reason == "少送商品"
    assert agreed.refund.status == RefundStatus.AGREED
    done = await event(PushType.REFUND_STATUS)
    assert (done.refund.kind, done.refund.status, done.refund.amount_fen) == (
        RefundKind.FULL,
        RefundStatus.SUCCEEDED,
        placed["paid_fen"],
    )


async def test_meituan_cancel_push(receiver, control, meituan_shop, new_order):
    placed = new_order(meituan_shop)
    control.post(
        f"/orders/meituan/{placed['order_id']}/cancel",
        json={"by": "user", "reason_code": "1002", "reason": "地址填错了"},
    )
    push = await caught(receiver, meituan_push(placed["order_id"], PushType.CANCEL))
    assert verify_push(receiver.url + push.path, push.form, meituan_shop["secret"]).ok
    event = mt_mapping.event_from_push(PushType.CANCEL, decode_push_fields(push.form))
    assert (event.kind, event.cancelled_by, event.cancel_reason) == (EventKind.CANCEL, "user", "地址填错了")


# ---- Douyin Laike ------------------------------------------------------------------------------


async def test_douyin_genuine_push_verifies_and_maps(receiver, douyin_shop, new_order):
    placed = new_order(douyin_shop)
    push = await caught(receiver, douyin_push(placed["order_id"], action="pay"))
    check = verify_webhook(douyin_shop["secret"], push.body, push.headers[SIGNATURE_HEADER.lower()])
    assert check.ok and check.message.account_id == douyin_shop["shop_id"]
    event = dy_mapping.event_from_webhook(check.message)
    assert event.kind == EventKind.ORDER_REF and event.needs_detail
    assert event.platform_order_id == placed["order_id"]


async def test_douyin_tampered_wrong_secret_and_replay_are_rejected(receiver, douyin_shop, new_order):
    placed = new_order(douyin_shop)
    push = await caught(receiver, douyin_push(placed["order_id"], action="pay"))
    signature = push.headers[SIGNATURE_HEADER.lower()]
    secret = douyin_shop["secret"]
    tampered = push.body.replace(placed["order_id"].encode(), b"1" * len(placed["order_id"]))
    assert not verify_webhook(secret, tampered, signature).ok
    assert not verify_webhook("not-the-secret", push.body, signature).ok
    assert not verify_webhook(secret, push.body, None).ok
    sent_at = json.loads(json.loads(push.body)["content"])["msg_time"]
    assert verify_webhook(secret, push.body, signature.upper(), now=sent_at + 10).ok
    late = verify_webhook(secret, push.body, signature, now=sent_at + 301, replay_window=300)
    assert not late.ok and "replay" in late.reason


async def test_douyin_after_sale_push(receiver, control, douyin_shop, douyin_for, new_order):
    placed = new_order(douyin_shop)
    await douyin_for(douyin_shop).merchant_confirm_order(placed["order_id"])
    control.post(f"/orders/douyin_laike/{placed['order_id']}/refund", json={"reason": "商品破损"})
    push = await caught(receiver, douyin_push(placed["order_id"], AFTER_SALE_EVENT, "apply"))
    check = verify_webhook(douyin_shop["secret"], push.body, push.headers[SIGNATURE_HEADER.lower()])
    event = dy_mapping.event_from_webhook(check.message)
    assert event.kind == EventKind.REFUND and event.refund.status == RefundStatus.APPLIED
    assert event.refund.amount_fen == placed["paid_fen"] and event.refund.reason == "商品破损"


def test_douyin_url_check_answers_the_challenge():
    body = json.dumps(
        {"event": "verify_webhook", "client_key": "k", "content": json.dumps({"challenge": 12345})}
    ).encode()
    message = parse_webhook(body)
    assert message.is_url_check and message.challenge_answer() == {"challenge": 12345}


@pytest.mark.parametrize("body", [b"not json", b"[]"])
def test_douyin_garbage_body_with_valid_signature_is_rejected(body):
    assert not verify_webhook("s", body, douyin_signature("s", body)).ok


def test_meituan_form_values_are_signed_after_one_decoding():
    # The receiver must not decode again before verifying: a %-escape is part of the signed value.
    form = dict(parse_qsl("detail=%255B%255D&app_id=1&timestamp=1&sig=x"))
    assert form["detail"] == "%5B%5D"
    assert decode_push_fields(form)["detail"] == []
