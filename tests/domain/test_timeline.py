"""An order's timeline in words: who, what, a status move only when the status moved, refunds
and riders in the reader's language, old stored notes read into the same words."""

from __future__ import annotations

import re

import pytest

from qihang_app.domain.order_notes import cancel_note, refund_note, rider_note
from qihang_app.domain.timeline import describe
from qihang_app.i18n import render

USERS = {"user:1": "zhangsan"}
TECH = re.compile(r"platform:|user:\d|push |sweep|[a-z]+_[a-z]+|\d+分|full/|partial/|/applied")


def said(lang: str, **event) -> tuple[str, str, str, str]:
    entry = describe(usernames=USERS, **{"from_status": None, "to_status": None, "note": "", **event})
    moved = " → ".join(s for s in entry.moved or () if s)
    return (
        render(entry.who, lang),
        render(entry.what, lang) + (f" [{moved}]" if moved else ""),
        render(entry.detail, lang),
        render(entry.via, lang),
    )


@pytest.mark.parametrize(
    ("event", "zh", "en"),
    [
        (
            {"actor": "platform:meituan", "kind": "created", "to_status": "awaiting_accept", "note": "push order_paid"},
            ("美团闪购", "平台下单 [awaiting_accept]", "", "平台推送"),
            ("Meituan", "Order placed on the platform [awaiting_accept]", "", "pushed by the platform"),
        ),
        (
            {"actor": "user:1", "kind": "created", "to_status": "to_ship", "note": "orders.event.manual"},
            ("zhangsan", "手工建单 [to_ship]", "", ""),
            ("zhangsan", "Entered by hand [to_ship]", "", ""),
        ),
        (
            {"actor": "user:2", "kind": "accepted", "from_status": "awaiting_accept", "to_status": "to_ship"},
            ("#2", "接单 [awaiting_accept → to_ship]", "", ""),
            ("#2", "Accepted [awaiting_accept → to_ship]", "", ""),
        ),
        (
            {
                "actor": "auto-accept",
                "kind": "accepted",
                "from_status": "awaiting_accept",
                "to_status": "to_ship",
                "note": "自动接单",
            },
            ("自动接单", "接单 [awaiting_accept → to_ship]", "", ""),
            ("Auto-accept", "Accepted [awaiting_accept → to_ship]", "", ""),
        ),
        # 备货完成 keeps the status: no "待发货 → 待发货"
        (
            {"actor": "user:1", "kind": "ready", "from_status": "to_ship", "to_status": "to_ship", "note": "备货完成"},
            ("zhangsan", "备货完成", "", ""),
            ("zhangsan", "Packed", "", ""),
        ),
        (
            {
                "actor": "user:1",
                "kind": "cancelled",
                "from_status": "to_ship",
                "to_status": "cancelled",
                "note": "1001 商品已售完",
            },
            ("zhangsan", "取消订单 [to_ship → cancelled]", "原因：商品已售完", ""),
            ("zhangsan", "Cancelled [to_ship → cancelled]", "Reason: 商品已售完", ""),
        ),
        (
            {
                "actor": "platform:meituan",
                "kind": "status",
                "from_status": "awaiting_accept",
                "to_status": "cancelled",
                "note": cancel_note(via="push order_cancel", cancelled_by="user", code="1001", reason="不想要了"),
            },
            ("美团闪购", "订单取消 [awaiting_accept → cancelled]", "原因：不想要了", "平台推送"),
            ("Meituan", "Order cancelled [awaiting_accept → cancelled]", "Reason: 不想要了", "pushed by the platform"),
        ),
        (
            {
                "actor": "platform:meituan",
                "kind": "status",
                "from_status": "to_ship",
                "to_status": "pending_payment",
                "note": "sweep #9",
            },
            ("美团闪购", "状态变更 [to_ship → pending_payment]", "", "定时补单"),
            ("Meituan", "Status changed [to_ship → pending_payment]", "", "scheduled sweep"),
        ),
        (
            {
                "actor": "platform:meituan",
                "kind": "refund",
                "note": refund_note(
                    kind="partial", status="applied", amount_fen=500, refund_id="R1", reason="少送一件", via="sweep #3"
                ),
            },
            ("美团闪购", "部分退款 ¥5.00（已申请）", "原因：少送一件", "定时补单"),
            ("Meituan", "Partial refund ¥5.00 (requested)", "Reason: 少送一件", "scheduled sweep"),
        ),
        # stored before notes were encoded
        (
            {"actor": "platform:meituan", "kind": "refund", "note": "退款 full/applied 500分 #R1 (push refund)"},
            ("美团闪购", "全额退款 ¥5.00（已申请）", "", "平台推送"),
            ("Meituan", "Full refund ¥5.00 (requested)", "", "pushed by the platform"),
        ),
        (
            {
                "actor": "platform:meituan",
                "kind": "delivery",
                "note": rider_note(via="push", status="delivering", rider_name="王师傅"),
            },
            ("美团闪购", "骑手配送中", "骑手：王师傅", "平台推送"),
            ("Meituan", "Rider on the way", "Rider: 王师傅", "pushed by the platform"),
        ),
        (
            {"actor": "platform:meituan", "kind": "delivery", "note": "push rider_status at_store 李师傅"},
            ("美团闪购", "骑手已到店", "骑手：李师傅", "平台推送"),
            ("Meituan", "Rider at the store", "Rider: 李师傅", "pushed by the platform"),
        ),
        (
            {
                "actor": "platform:meituan",
                "kind": "updated",
                "note": "sweep #2: receiver_name, receiver_address, lines",
            },
            ("美团闪购", "订单信息更新：收货信息、商品", "", "定时补单"),
            ("Meituan", "Order details updated: receiver, items", "", "scheduled sweep"),
        ),
        (
            {
                "actor": "platform:meituan",
                "kind": "accept_failed",
                "from_status": "to_ship",
                "to_status": "awaiting_accept",
                "note": "订单已被取消",
            },
            ("美团闪购", "平台未接受：接单 [to_ship → awaiting_accept]", "订单已被取消", ""),
            ("Meituan", "The platform refused: Accept [to_ship → awaiting_accept]", "订单已被取消", ""),
        ),
        (
            {
                "actor": "worker",
                "kind": "exception_acknowledged",
                "from_status": "to_ship",
                "to_status": "to_ship",
                "note": "顾客申请退款 ¥5.00：不要了，请到平台处理 / The buyer asks for a refund ¥5.00: 不要了; answer it on the platform",
            },
            ("系统", "已确认异常提醒", "顾客申请退款 ¥5.00：不要了，请到平台处理", ""),
            (
                "System",
                "Exception acknowledged",
                "The buyer asks for a refund ¥5.00: 不要了; answer it on the platform",
                "",
            ),
        ),
    ],
)
def test_an_event_in_words(event, zh, en):
    assert said("zh", **event) == zh
    assert said("en", **event) == en
    for words in (*zh[:2], *en[:2]):  # who and what never show a developer's words
        assert not TECH.search(words.split(" [")[0]), words
