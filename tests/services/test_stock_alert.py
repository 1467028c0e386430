"""The 库存不足 alert rule: a SKU at or below the low-stock line set for it in a place opens one
problem (store channels for a store's shelf, merchant-wide ones for a warehouse) and resolves when
restocked — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from qihang_app.domain.alert_rules import RULES
from qihang_app.models import AlertProblem
from qihang_app.services import alert_channels, alerts, stock_admin
from qihang_app.services.stock_levels import store_location

from .stock_support import make_sku

URL = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"
PROBES = {"redis_ok": True}


def _problems(session) -> dict[str, AlertProblem]:
    rows = session.execute(sa.select(AlertProblem).where(AlertProblem.rule == "stock_low")).scalars()
    return {p.key: p for p in rows}


def test_the_rule_names_each_low_level_and_only_those():
    now = datetime.now(UTC)
    fact = {"location_id": 1, "sku_id": 2, "store_id": 7, "location": "一号店", "code": "C1", "name": "可乐"}
    facts = [fact | {"available": 3, "threshold": 3}, fact | {"sku_id": 3, "available": 4, "threshold": 3}]
    facts.append(fact | {"sku_id": 4, "available": 0, "threshold": 0})  # no line set: never low
    [problem] = RULES["stock_low"].evaluate(facts, 0, now)
    assert (problem.key, problem.store_id, problem.params["available"]) == ("level:1:2", 7, 3)


def test_low_stock_opens_once_goes_to_its_store_and_resolves_on_restock(session, world):
    sku = make_sku(session, code="COLA-LOW", name="低糖可乐")
    shelf = store_location(session, world.store_a)
    warehouse = stock_admin.create_warehouse(session, actor=world.admin, name="中心仓").id
    for place in (shelf, warehouse):
        stock_admin.receive(session, actor=world.admin, location_id=place, sku_id=sku, quantity=5, note="首批")
        stock_admin.set_threshold(session, actor=world.admin, location_id=place, sku_id=sku, threshold=3)
    store_channel = alert_channels.create_channel(
        session, actor=world.admin, name="一店群", kind="dingtalk", url=URL, secret="SECabc", store_id=world.store_a
    )
    session.commit()
    alerts.evaluate(session, probes=PROBES)
    assert _problems(session) == {}  # 5 available, line at 3

    stock_admin.write_off(session, actor=world.admin, location_id=shelf, sku_id=sku, quantity=2, note="破损")
    stock_admin.write_off(session, actor=world.admin, location_id=warehouse, sku_id=sku, quantity=4, note="过期")
    session.commit()
    alerts.evaluate(session, probes=PROBES)
    alerts.evaluate(session, probes=PROBES)  # still low: the same problems, not new ones
    opened = _problems(session)
    assert set(opened) == {f"stock_low:level:{shelf}:{sku}", f"stock_low:level:{warehouse}:{sku}"}
    assert opened[f"stock_low:level:{warehouse}:{sku}"].store_id is None  # a warehouse is merchant-wide
    assert json.loads(opened[f"stock_low:level:{shelf}:{sku}"].params)["available"] == 3
    sends = [s for s in alerts.claim_sends(session) if s.channel_id == store_channel.id]
    assert [s.card.title for s in sends if "低糖可乐" in s.card.title] == [sends[0].card.title]
    assert "库存不足" in sends[0].card.title and "中心仓" not in sends[0].card.title
    session.commit()

    stock_admin.receive(session, actor=world.admin, location_id=shelf, sku_id=sku, quantity=10, note="补货")
    session.commit()
    result = alerts.evaluate(session, probes=PROBES)
    assert result.resolved == 1
    still = {k for k, p in _problems(session).items() if p.resolved_at is None}
    assert still == {f"stock_low:level:{warehouse}:{sku}"}
