"""An audit entry as a row of strings, in both languages (the page picks by the switch)."""

from __future__ import annotations

import json

from qihang_app.domain.audit import describe_change
from qihang_app.domain.order_flow import status_label
from qihang_app.domain.permissions import BY_KEY
from qihang_app.i18n import MESSAGES
from qihang_app.models import AuditEntry
from state.orders import fmt_dt


def _words(key: str, fallback: str) -> tuple[str, str]:
    return MESSAGES.get(key, (fallback, fallback))


def _statuses_in(values: dict | None, lang: str) -> dict | None:
    """Codes in the reader's words: an order status (待接单, not awaiting_accept) and a role's
    permissions (接单, not order.accept)."""
    if not values:
        return values
    values = dict(values)
    if "status" in values:
        try:
            values["status"] = status_label(values["status"], lang)
        except ValueError:
            pass
    if isinstance(values.get("permissions"), list):
        values["permissions"] = [
            (BY_KEY[k].en if lang == "en" else BY_KEY[k].zh) if k in BY_KEY else k for k in values["permissions"]
        ]
    return values


def entry_row(e: AuditEntry) -> dict[str, str]:
    action_zh, action_en = _words(f"audit.act.{e.action}", e.action)
    kind_zh, kind_en = _words(f"audit.target.{e.target_kind}", e.target_kind)
    anonymous_zh, anonymous_en = MESSAGES["audit.anonymous"]
    who = e.actor_name or e.actor
    before, after = json.loads(e.before or "null"), json.loads(e.after or "null")
    return {
        "id": str(e.id),
        "at": fmt_dt(e.at),
        "who": who if e.actor != "anonymous" else f"{who}（{anonymous_zh}）",
        "who_en": who if e.actor != "anonymous" else f"{who} ({anonymous_en})",
        "actor": e.actor,
        "action": e.action,
        "action_zh": action_zh,
        "action_en": action_en,
        "target": f"{kind_zh} {e.target_id}".strip(),
        "target_en": f"{kind_en} {e.target_id}".strip(),
        "address": e.address or "",
        "change": describe_change(_statuses_in(before, "zh"), _statuses_in(after, "zh")),
        "change_en": describe_change(_statuses_in(before, "en"), _statuses_in(after, "en")),
    }
