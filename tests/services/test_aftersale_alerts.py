"""The 退款申请 alert rule reads the after-sale center: a platform request still waiting for an
answer keeps its problem open after staff clear the card's flag; an answered one resolves it."""

from __future__ import annotations

from qihang_app.domain.alert_rules import RULES
from qihang_app.domain.order_status import OrderStatus
from qihang_app.domain.platform_order import RefundStatus
from qihang_app.models import utcnow
from qihang_app.services.alert_facts import FACTS
from tests.services.ingest_factories import apply, order, snapshot
from tests.services.test_aftersale_intake import push, records


def _problems(session) -> list[tuple[str, int]]:
    facts = FACTS["refund_request"](session, utcnow(), {})
    return [(p.key, p.order_id) for p in RULES["refund_request"].evaluate(facts, 0, utcnow())]


def test_a_pending_request_alerts_until_answered_even_when_the_card_is_cleared(session, world):
    apply(session, world, snapshot(status=OrderStatus.TO_SHIP))
    assert _problems(session) == []
    apply(session, world, push(RefundStatus.APPLIED, 60))
    mine = order(session)
    assert _problems(session) == [(f"order:{mine.id}", mine.id)]
    mine.exception_reason = None  # 知道了 on the card
    session.add(mine)
    session.flush()
    assert _problems(session) == [(f"order:{mine.id}", mine.id)]  # still unanswered on the platform
    (record,) = records(session)
    record.state = "refused"
    session.add(record)
    session.flush()
    assert _problems(session) == []
