"""Secrets never reach the audit trail: only that they changed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qihang_app.domain.audit import CHANGED, changed_only, describe_change, redact
from qihang_app.domain.permissions import KEYS, PERMISSIONS, PRESETS


def test_secret_fields_become_changed_and_old_values_vanish():
    before, after = redact(
        {"name": "A", "app_secret": "old", "password": "p1", "nested": {"token": "t1", "x": 1}},
        {"name": "B", "app_secret": "new", "password": "p1", "nested": {"token": "t2", "x": 2}},
    )
    assert before == {"name": "A", "nested": {"x": 1}}
    assert after == {"name": "B", "app_secret": CHANGED, "nested": {"token": CHANGED, "x": 2}}


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_no_secret_value_survives(old, new):
    before, after = redact({"access_token": old, "app_key": old}, {"access_token": new, "app_key": new})
    assert before == {}
    assert after == ({"access_token": CHANGED, "app_key": CHANGED} if old != new else {})


def test_changed_only_and_describe():
    assert changed_only({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})
    assert describe_change({"status": "new"}, {"status": "to_ship", "note": "x"}) == "status: new → to_ship; note: x"
    assert describe_change(None, None) == ""
    assert describe_change({"a": "x" * 500}, None).endswith("…")


def test_the_registry_is_consistent():
    assert len(KEYS) == len(PERMISSIONS)  # one entry per key
    for key, (zh, en, keys) in PRESETS.items():
        assert keys <= KEYS and zh and en, key
    assert PRESETS["staff"][2] < PRESETS["manager"][2] < PRESETS["admin"][2]
