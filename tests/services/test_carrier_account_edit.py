"""Editing a carrier account's keys as 配送设置 does: the form gets the non-secret keys and only
"set" for secrets; saving twice with a secret left empty keeps it; the audit trail says "changed"
and never a value; another store's staff and staff without the permission are refused."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

import integrations.registry  # noqa: F401  (registers the carriers' profiles)
from qihang_app.models import AuditEntry
from qihang_app.services import carrier_accounts
from qihang_app.services.errors import ValidationError
from qihang_app.services.scope import ScopeError
from tests.services.factories import build_world

SF = {"dev_id": "1688000", "dev_key": "first-dev-key", "shop_id": "3243279847393"}


@pytest.fixture
def world(session):
    return build_world(session)


def _save(session, world, **changes):
    values = dict(actor=world.admin, store_id=world.store_a, carrier="sf_same_city", keys=dict(SF))
    values.update(changes)
    row = carrier_accounts.save_account(session, **values)
    session.commit()
    return row


def _audit(session, account_id: int) -> list[AuditEntry]:
    rows = session.exec(select(AuditEntry).where(AuditEntry.target_kind == "carrier_account")).all()
    return [r for r in rows if r.target_id == str(account_id)]


def test_the_edit_form_shows_keys_but_never_a_secret(session, world):
    row = _save(session, world)
    view = carrier_accounts.get_account(session, actor=world.admin, account_id=row.id)
    assert view.values == {"dev_id": "1688000", "shop_id": "3243279847393"}
    assert view.secrets_set == ("dev_key",)
    assert "first-dev-key" not in repr(view)


def test_edit_twice_keeps_an_empty_secret_and_audits_changed(session, world):
    row = _save(session, world)
    _save(session, world, account_id=row.id, keys={**SF, "dev_key": "", "shop_id": "999"}, enabled=False)
    _save(session, world, account_id=row.id, keys={**SF, "dev_key": "", "shop_id": "999"}, enabled=False)
    keys = carrier_accounts.account_keys(session, account_id=row.id)
    assert (keys.keys["dev_key"], keys.keys["shop_id"], keys.enabled) == ("first-dev-key", "999", False)
    _save(session, world, account_id=row.id, keys={**SF, "dev_key": "second-key"}, enabled=False)
    assert carrier_accounts.account_keys(session, account_id=row.id).keys["dev_key"] == "second-key"
    entries = _audit(session, row.id)
    # create, the first edit, the new secret (the identical second edit records nothing)
    assert [e.action for e in entries] == ["carrier_account.create", "carrier_account.update", "carrier_account.update"]
    first, secret = json.loads(entries[1].after), json.loads(entries[2].after)
    assert first["credentials.shop_id"] == "changed" and "credentials.dev_key" not in first
    assert secret["credentials.dev_key"] == "changed"
    text = " ".join((e.before or "") + (e.after or "") for e in entries)
    assert "first-dev-key" not in text and "second-key" not in text and "999" not in text


@pytest.mark.parametrize("value", ["", "x" * 3000, "店🚴", "<b>1</b>"])
def test_bad_edits_are_refused_and_change_nothing(session, world, value):
    row = _save(session, world)
    with pytest.raises(ValidationError) as refused:
        _save(session, world, account_id=row.id, keys={**SF, "dev_id": value})
    session.rollback()
    assert refused.value.field == "dev_id"
    assert carrier_accounts.account_keys(session, account_id=row.id).keys == SF


def test_others_may_not_read_or_edit(session, world):
    row = _save(session, world)
    with pytest.raises(ScopeError):
        carrier_accounts.get_account(session, actor=world.staff_a, account_id=row.id)  # no delivery.settings
    with pytest.raises(ScopeError):
        _save(session, world, actor=world.staff_a, account_id=row.id)
    other = _save(session, world, store_id=world.store_b)
    with pytest.raises(ScopeError):
        carrier_accounts.get_account(session, actor=world.manager_a, account_id=other.id)
