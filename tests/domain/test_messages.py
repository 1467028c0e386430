"""Stored messages: a key and its parameters in one string, rendered in the reader's language;
texts stored before (plain keys, "中文 / English" pairs, a platform's own words) stay readable."""

from __future__ import annotations

import pytest

from qihang_app.domain.messages import decode, encode
from qihang_app.i18n import render


def test_an_encoded_message_round_trips_and_encodes_the_same_way_twice():
    stored = encode("attention.refund_applied_why", reason="少送一件", amount=" ¥5.00")
    assert decode(stored) == ("attention.refund_applied_why", {"amount": " ¥5.00", "reason": "少送一件"})
    assert stored == encode("attention.refund_applied_why", amount=" ¥5.00", reason="少送一件")
    assert decode(encode("timeline.ready")) == ("timeline.ready", {})


@pytest.mark.parametrize("text", ["", "骑手取消了配送", "i18n:not json", 'i18n:["k"]', "board.reason.cancelled"])
def test_other_texts_are_not_encoded_messages(text):
    assert decode(text) is None


@pytest.mark.parametrize(
    ("stored", "zh", "en"),
    [
        (
            encode("attention.rider_problem_named", rider="王师傅"),
            "配送异常（王师傅），请联系骑手或平台",
            "Delivery problem (王师傅); contact the rider or the platform",
        ),
        # a parameter may be a message itself, a {"zh", "en"} pair or a list of either
        (
            encode(
                "order.event.refund",
                what=encode("refund.kind.partial"),
                amount=" ¥5.00",
                state=encode("refund.state.applied"),
            ),
            "部分退款 ¥5.00（已申请）",
            "Partial refund ¥5.00 (requested)",
        ),
        (encode("timeline.who.platform", name={"zh": "美团闪购", "en": "Meituan"}), "美团闪购", "Meituan"),
        (
            encode("order.event.updated", fields=[encode("field.receiver"), "lines_x"]),
            "订单信息更新：收货信息、lines_x",
            "Order details updated: receiver, lines_x",
        ),
        ("board.reason.cancelled", "订单已取消，请停止备货", "Cancelled: stop picking"),  # a plain key
        # stored before messages were encoded: one side of the pair, never both
        (
            "骑手取消了配送，请重新呼叫骑手或联系平台 / The rider cancelled the delivery; call another rider or the platform",
            "骑手取消了配送，请重新呼叫骑手或联系平台",
            "The rider cancelled the delivery; call another rider or the platform",
        ),
        (
            "部分退款已完成 ¥3.00：少 / 多，退款商品不要再出库 / Partial refund paid ¥3.00: 少 / 多; do not send the refunded items",
            "部分退款已完成 ¥3.00：少 / 多，退款商品不要再出库",
            "Partial refund paid ¥3.00: 少 / 多; do not send the refunded items",
        ),
        ("商家已拒单", "商家已拒单", "商家已拒单"),  # a platform's own words, as they are
        (encode("no.such.key"), "no.such.key", "no.such.key"),
        (
            encode("attention.refund_applied"),
            "顾客申请退款，请到售后处理",
            "The buyer asks for a refund; answer it under After-sales",
        ),
    ],
)
def test_render(stored, zh, en):
    assert render(stored, "zh") == zh
    assert render(stored, "en") == en
