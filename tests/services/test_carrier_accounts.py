"""Carrier accounts and auto-dispatch rules as the forms save them: keys encrypted at rest, a
secret left empty keeps the stored one, bad input refused at its field (empty, 3,000 chars, emoji,
HTML, negative, absurd), another store's staff refused."""

from __future__ import annotations

import pytest

import integrations.registry  # noqa: F401  (registers the carriers' profiles)
from qihang_app.models import CarrierAccount
from qihang_app.services import auto_dispatch, carrier_accounts
from qihang_app.services.errors import ValidationError
from qihang_app.services.scope import ScopeError
from tests.services.factories import build_world

DADA = {"app_key": "ak-1", "app_secret": "s3cret-value", "source_id": "73753", "shop_no": "11047059"}


@pytest.fixture
def world(session):
    return build_world(session)


def _save(session, world, **changes):
    values = dict(actor=world.admin, store_id=world.store_a, carrier="dada", keys=dict(DADA))
    values.update(changes)
    return carrier_accounts.save_account(session, **values)


def test_keys_are_encrypted_and_a_blank_secret_is_kept(session, world):
    row = _save(session, world)
    assert "s3cret-value" not in row.keys_encrypted and "ak-1" not in row.keys_encrypted
    _save(session, world, account_id=row.id, keys={**DADA, "app_secret": "", "app_key": "ak-2"})
    keys = carrier_accounts.account_keys(session, account_id=row.id).keys
    assert (keys["app_key"], keys["app_secret"]) == ("ak-2", "s3cret-value")
    (shown,) = carrier_accounts.list_accounts(session, actor=world.admin, store_id=world.store_a)
    assert "app_secret" not in shown.values and shown.secrets_set == ("app_secret",)


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("app_key", "", "delivery.err.key_required"),
        ("app_key", "x" * 3000, None),
        ("app_key", "ak 🚴", None),
        ("source_id", "<script>", None),
    ],
)
def test_bad_keys_are_refused_at_their_field(session, world, field, value, key):
    with pytest.raises(ValidationError) as refused:
        _save(session, world, keys={**DADA, field: value})
    assert refused.value.field == field
    if key:
        assert refused.value.key == key
    assert session.query(CarrierAccount).count() == 0


def test_unknown_carrier_bad_url_and_other_store(session, world):
    with pytest.raises(ValidationError, match="Unknown carrier"):
        _save(session, world, carrier="pigeon")
    with pytest.raises(ValidationError) as refused:
        _save(session, world, base_url="javascript:alert(1)")
    assert refused.value.field == "base_url"
    with pytest.raises(ScopeError):
        _save(session, world, actor=world.staff_a)  # staff may not change accounts
    with pytest.raises(ScopeError):
        carrier_accounts.list_accounts(session, actor=world.staff_a, store_id=world.store_b)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accept_minutes": 0}, "accept_minutes"),
        ({"accept_minutes": 10_000}, "accept_minutes"),
        ({"max_fee_fen": -5}, "max_fee_fen"),
        ({"max_fee_fen": 10**12}, "max_fee_fen"),
        ({"preferred": ["dada", "<b>x</b>"]}, "preferred"),
        ({"strategy": "random"}, "strategy"),
        ({"trigger": "🚴"}, "trigger"),
    ],
)
def test_bad_rules_are_refused_at_their_field(session, world, changes, field):
    values = dict(enabled=True, trigger="ready", strategy="cheapest", preferred=[], max_fee_fen=None, accept_minutes=5)
    values.update(changes)
    with pytest.raises(ValidationError) as refused:
        auto_dispatch.save_rule(session, actor=world.admin, store_id=world.store_a, **values)
    assert refused.value.field == field


def test_a_rule_is_saved_once_per_store(session, world):
    for minutes in (3, 7):
        auto_dispatch.save_rule(
            session,
            actor=world.admin,
            store_id=world.store_a,
            enabled=True,
            trigger="accept",
            strategy="preferred",
            preferred=["sf_same_city", "dada", "dada"],
            max_fee_fen=1500,
            accept_minutes=minutes,
        )
    rule = auto_dispatch.get_rule(session, actor=world.admin, store_id=world.store_a)
    assert (rule.preferred, rule.accept_minutes) == ("sf_same_city,dada", 7)
    assert auto_dispatch.rule_of(rule).preferred == ("sf_same_city", "dada")


def test_a_switched_off_account_is_not_asked(session, world):
    row = _save(session, world)
    assert [a.id for a in carrier_accounts.enabled_accounts(session, store_id=world.store_a)] == [row.id]
    carrier_accounts.set_enabled(session, actor=world.admin, account_id=row.id, enabled=False)
    assert carrier_accounts.enabled_accounts(session, store_id=world.store_a) == []
    assert carrier_accounts.account_keys(session, account_id=row.id).keys["app_secret"] == "s3cret-value"
