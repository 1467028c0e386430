"""Alert channels (validation, encryption, scope) and alert runs: one message per problem and
channel, a resolve when it clears, rate limits — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from qihang_app.models import AlertChannel, AlertDelivery, AlertProblem, Order, utcnow
from qihang_app.services import alert_channels as channels
from qihang_app.services import alerts
from qihang_app.services.errors import NotFoundError, ValidationError
from qihang_app.services.scope import ScopeError
from tests.services.factories import platform_order

URL = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"


def _channel(session, world, **kw):
    values = {"name": "值班群", "kind": "dingtalk", "url": URL, "secret": "SECabc123"}
    return channels.create_channel(session, actor=world.admin, **{**values, **kw})


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("name", "", "alerts.err.name_required"),
        ("name", "群" * 3000, "input.too_long"),
        ("name", "值班群🔥", "input.bad_chars"),
        ("name", "<b>群</b>", "input.bad_chars"),
        ("url", "", "alerts.err.url_required"),
        ("url", "ftp://x/y", "alerts.err.bad_url"),
        ("url", "https://钉钉.com/x", "alerts.err.bad_url"),
        ("url", "https://x.com/" + "a" * 3000, "input.too_long"),
        ("kind", "telegram", "alerts.err.bad_kind"),
        ("max_per_hour", -1, "input.whole_range"),
        ("max_per_hour", 10**12, "input.whole_range"),
        ("quiet_start", "25:00", "alerts.err.bad_quiet"),
        ("rules", ["nonsense"], "alerts.err.bad_rule"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(session, world, field, value, key):
    with pytest.raises(ValidationError) as caught:
        _channel(session, world, **{field: value})
    assert caught.value.key == key
    assert session.exec(select(AlertChannel)).all() == []


def test_the_address_and_secret_are_encrypted_and_shown_masked(session, world):
    view = _channel(session, world)
    session.commit()
    raw = session.exec(sa.text("select credentials_encrypted, url_hint from alert_channels")).one()
    assert "0123456789abcdef" not in raw[0] and "SECabc123" not in raw[0]
    assert view.url_hint.endswith("****cdef") and view.has_secret
    kind, credentials = channels.sender_credentials(session, view.id)
    assert (kind, credentials) == ("dingtalk", {"url": URL, "secret": "SECabc123"})
    # empty address and secret keep the stored ones
    channels.update_channel(session, actor=world.admin, channel_id=view.id, url="", secret="", name="夜班群")
    assert channels.sender_credentials(session, view.id)[1] == {"url": URL, "secret": "SECabc123"}


def test_managers_see_and_edit_only_their_stores_channels(session, world):
    own = _channel(session, world, store_id=world.store_a)
    other = _channel(session, world, store_id=world.store_b)
    merchant = _channel(session, world)
    assert [c.id for c in channels.list_channels(session, actor=world.manager_a)] == [own.id]
    with pytest.raises(NotFoundError):
        channels.delete_channel(session, actor=world.manager_a, channel_id=other.id)
    with pytest.raises(NotFoundError):
        channels.update_channel(session, actor=world.manager_a, channel_id=merchant.id, name="x")
    with pytest.raises(ScopeError):
        channels.create_channel(session, actor=world.manager_a, name="全部", kind="wecom", url=URL)
    with pytest.raises(ScopeError):
        channels.list_channels(session, actor=world.staff_a)


def _waiting_order(session, world, no, minutes):
    at = utcnow() - timedelta(minutes=minutes)
    order = platform_order(session, shop_id=world.shop_a, store_id=world.store_a, no=no, status="awaiting_accept")
    session.exec(sa.update(Order).where(Order.id == order.id).values(created_at=at))
    return order


def test_one_alert_per_problem_then_one_resolve(session, world):
    store_channel = _channel(session, world, store_id=world.store_a)
    other_store = _channel(session, world, store_id=world.store_b)
    order = _waiting_order(session, world, "LATE1", 12)
    _waiting_order(session, world, "FRESH", 1)
    session.commit()

    first = alerts.evaluate(session, probes={"redis_ok": True})
    sends = alerts.claim_sends(session)
    session.commit()
    late = [s for s in sends if "LATE1" in s.card.title]
    assert first.opened >= 1 and [s.channel_id for s in late] == [store_channel.id]
    assert not any("FRESH" in s.card.title for s in sends)
    assert late[0].card.link.endswith(f"/orders?order={order.id}") and late[0].url == URL
    assert not [s for s in sends if s.channel_id == other_store.id and s.card.link.endswith(f"={order.id}")]
    for s in sends:
        alerts.finish(session, delivery_id=s.delivery_id)
    session.commit()

    alerts.evaluate(session, probes={"redis_ok": True})
    assert alerts.claim_sends(session) == []  # still open, already announced: nothing new

    session.exec(sa.update(Order).where(Order.id == order.id).values(status="to_ship"))
    result = alerts.evaluate(session, probes={"redis_ok": True})
    resolves = alerts.claim_sends(session)
    session.commit()
    assert result.resolved == 1
    assert [(s.channel_id, s.card.resolved) for s in resolves] == [(store_channel.id, True)]
    assert resolves[0].card.title.startswith("已恢复")
    for s in resolves:
        alerts.finish(session, delivery_id=s.delivery_id)
    alerts.evaluate(session, probes={"redis_ok": True})
    assert alerts.claim_sends(session) == []


def test_a_refused_message_is_retried_and_its_resolve_waits_for_it(session, world):
    _channel(session, world, rules=["redis_down"])
    alerts.evaluate(session, probes={"redis_ok": False, "redis_error": "Connection refused"})
    [fire] = alerts.claim_sends(session)
    alerts.finish(session, delivery_id=fire.delivery_id, error="310000: sign not match")
    session.commit()
    [again] = alerts.claim_sends(session)  # failed: claimed again on the next run
    assert again.delivery_id == fire.delivery_id
    alerts.finish(session, delivery_id=again.delivery_id, error="310000: sign not match")
    alerts.evaluate(session, probes={"redis_ok": True})
    session.commit()
    assert alerts.claim_sends(session) == []  # never announced: no resolve to send
    row = session.get(AlertDelivery, fire.delivery_id)
    assert (row.status, row.attempts, row.error) == ("failed", 2, "310000: sign not match")


def test_the_hourly_limit_holds_the_rest_for_later(session, world):
    channel = _channel(session, world, max_per_hour=2, store_id=world.store_a)
    for i in range(4):
        _waiting_order(session, world, f"LATE{i}", 30)
    alerts.evaluate(session, probes={"redis_ok": True})
    sends = alerts.claim_sends(session)
    assert len(sends) == 2
    for s in sends:
        alerts.finish(session, delivery_id=s.delivery_id)
    assert alerts.claim_sends(session) == []
    hour_later = utcnow() + timedelta(hours=1, minutes=1)
    assert len(alerts.claim_sends(session, now=hour_later)) == 2
    assert session.get(AlertChannel, channel.id).max_per_hour == 2


def test_a_rule_switched_off_resolves_what_it_had_open_and_thresholds_apply(session, world):
    _waiting_order(session, world, "LATE", 8)
    alerts.evaluate(session, probes={})
    keys = {p.key for p in session.exec(select(AlertProblem).where(AlertProblem.resolved_at.is_(None)))}
    assert any(k.startswith("new_order_unaccepted:") for k in keys)
    assert not any(k.startswith("redis_down") for k in keys)  # no probe: the rule said nothing
    channels.set_rule(session, actor=world.admin, code="new_order_unaccepted", enabled=True, threshold=10)
    alerts.evaluate(session, probes={})
    still = session.exec(select(AlertProblem).where(AlertProblem.rule == "new_order_unaccepted")).all()
    assert all(p.resolved_at is not None for p in still)
    with pytest.raises(ValidationError):
        channels.set_rule(session, actor=world.admin, code="new_order_unaccepted", enabled=True, threshold="abc")
    with pytest.raises(ScopeError):
        channels.set_rule(session, actor=world.manager_a, code="worker_down", enabled=False)
    assert json.loads(session.exec(select(AlertProblem.params)).first())
