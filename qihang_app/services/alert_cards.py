"""The words of an alert (Simplified Chinese: group chats are read by store staff) and its link."""

from __future__ import annotations

import json

from qihang_app.config import get_settings
from qihang_app.domain.alert_card import AlertCard
from qihang_app.i18n import PLATFORM_LABEL, render, tr
from qihang_app.models import AlertProblem


def base_url() -> str:
    settings = get_settings()
    return (settings.public_url or f"http://127.0.0.1:{settings.app_port}").rstrip("/")


def _params(problem: AlertProblem) -> dict:
    params = json.loads(problem.params or "{}")
    if "platform" in params:
        label = PLATFORM_LABEL.get(params["platform"])
        params["platform"] = label[0] if isinstance(label, tuple) else (label or params["platform"])
    if "reason" in params:
        params["reason"] = render(params["reason"], "zh")
    return params


def card_for(problem: AlertProblem, *, resolved: bool) -> AlertCard:
    params = _params(problem)
    title = tr(f"alerts.rule.{problem.rule}.title", "zh", **params)
    text = tr(f"alerts.rule.{problem.rule}.text", "zh", **params)
    if resolved:
        title = tr("alerts.card.resolved", "zh", title=title)
        lasted = (problem.resolved_at or problem.last_seen_at) - problem.opened_at
        text = tr("alerts.card.resolved_text", "zh", minutes=max(1, round(lasted.total_seconds() / 60)))
    if problem.order_id:
        link, link_text = f"{base_url()}/orders?order={problem.order_id}", tr("alerts.card.open_order", "zh")
    else:
        link, link_text = f"{base_url()}/system", tr("alerts.card.open_system", "zh")
    return AlertCard(title=title, text=text, link=link, link_text=link_text, resolved=resolved)


def sample_card(channel_name: str) -> AlertCard:
    return AlertCard(
        title=tr("alerts.card.test_title", "zh"),
        text=tr("alerts.card.test_text", "zh", channel=channel_name),
        link=f"{base_url()}/alerts",
        link_text=tr("alerts.card.open_settings", "zh"),
    )
