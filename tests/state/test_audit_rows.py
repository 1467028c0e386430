"""An audit entry on screen speaks the reader's language: actions, targets, statuses, permissions."""

from __future__ import annotations

import json

from qihang_app.models import AuditEntry, utcnow
from state.audit_rows import entry_row


def _entry(**kw) -> AuditEntry:
    values = dict(id=1, at=utcnow(), actor="user:1", actor_name="alice", action="order.accept", target_kind="order",
                  target_id="12", address="10.0.0.7")  # fmt: skip
    return AuditEntry(**{**values, **kw})


def test_an_order_action_in_both_languages():
    row = entry_row(_entry(before=json.dumps({"status": "awaiting_accept"}), after=json.dumps({"status": "to_ship"})))
    assert (row["action_zh"], row["action_en"], row["target"], row["target_en"]) == (
        "接单",
        "Accepted",
        "订单 12",
        "Order 12",
    )
    assert row["change"] == "status: 待接单 → 待发货" and "awaiting_accept" not in row["change_en"]


def test_permissions_and_unknown_words_fall_back_to_their_codes():
    row = entry_row(_entry(action="role.update", target_kind="role",
                           before=json.dumps({"permissions": ["order.accept", "gone.key"]}), after=None))  # fmt: skip
    assert row["change"] == "permissions: [接单, gone.key] → ∅"
    odd = entry_row(_entry(action="erp.something_new", target_kind="gadget", actor="anonymous", actor_name="eve"))
    assert (odd["action_zh"], odd["target"], odd["who"]) == ("erp.something_new", "gadget 12", "eve（未登录）")
