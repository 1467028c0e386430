"""Alert channels (group robots) and rule settings, as the 告警设置 screen edits them.

Admins manage every channel, merchant-wide ones included; a store manager manages the channels
of their stores. The robot's address (its token or key is in it) and signing secret are
encrypted like shop credentials and never leave this module in clear except to the sender.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from qihang_app.domain import alert_inputs, alert_robots
from qihang_app.domain import input_rules as rules_
from qihang_app.domain.alert_rules import RULES
from qihang_app.models import AlertChannel, AlertRuleSetting, Store, utcnow
from qihang_app.services.crypto import decrypt_credentials, encrypt_credentials
from qihang_app.services.errors import NotFoundError, ValidationError, checked
from qihang_app.services.scope import Actor, require_role, require_store


@dataclass(frozen=True)
class ChannelView:
    id: int
    name: str
    kind: str
    store_id: int | None
    store_name: str  # "" when merchant-wide
    url_hint: str
    has_secret: bool
    rules: list[str]  # [] = every rule
    quiet_start: str
    quiet_end: str
    max_per_hour: int
    enabled: bool


@dataclass(frozen=True)
class RuleView:
    code: str
    unit: str
    threshold: int
    enabled: bool


def _view(channel: AlertChannel, store_names: dict[int, str]) -> ChannelView:
    secret = decrypt_credentials(channel.credentials_encrypted).get("secret", "")
    return ChannelView(
        id=channel.id,
        name=channel.name,
        kind=channel.kind,
        store_id=channel.store_id,
        store_name=store_names.get(channel.store_id, "") if channel.store_id else "",
        url_hint=channel.url_hint,
        has_secret=bool(secret),
        rules=json.loads(channel.rules) if channel.rules else [],
        quiet_start=channel.quiet_start or "",
        quiet_end=channel.quiet_end or "",
        max_per_hour=channel.max_per_hour,
        enabled=channel.enabled,
    )


def _may_manage(actor: Actor, store_id: int | None) -> None:
    require_role(actor, "admin", "manager")
    if store_id is None:
        require_role(actor, "admin")  # merchant-wide channels hear every store and the system
    else:
        require_store(actor, store_id)


def list_channels(session: Session, *, actor: Actor) -> list[ChannelView]:
    require_role(actor, "admin", "manager")
    names = {s.id: s.name for s in session.exec(select(Store))}
    channels = session.exec(select(AlertChannel).order_by(AlertChannel.id)).all()
    return [_view(c, names) for c in channels if actor.all_stores or actor.can_access(c.store_id)]


def _channel(session: Session, actor: Actor, channel_id: int) -> AlertChannel:
    channel = session.get(AlertChannel, channel_id)
    if channel is None or not (actor.all_stores or actor.can_access(channel.store_id)):
        raise NotFoundError(key="alerts.err.not_found", channel_id=channel_id)
    _may_manage(actor, channel.store_id)
    return channel


def _values(session: Session, fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if creating or "name" in fields:
        out["name"] = checked(
            "name",
            rules_.text,
            fields.get("name"),
            limit="shop_name",
            required=True,
            required_key="alerts.err.name_required",
        )
    if creating or "kind" in fields:
        if alert_robots.profile(str(fields.get("kind"))) is None:
            raise ValidationError(key="alerts.err.bad_kind", field="kind", kind=str(fields.get("kind"))[:20])
        out["kind"] = str(fields["kind"])
    if "store_id" in fields:
        store_id = fields["store_id"]
        if store_id not in (None, "") and session.get(Store, int(store_id)) is None:
            raise NotFoundError(key="stores.err.not_found", store_id=store_id)
        out["store_id"] = int(store_id) if store_id not in (None, "") else None
    if "rules" in fields:
        codes = list(dict.fromkeys(fields["rules"] or []))
        unknown = [c for c in codes if c not in RULES]
        if unknown:
            raise ValidationError(key="alerts.err.bad_rule", field="rules", rule=str(unknown[0])[:40])
        out["rules"] = json.dumps(codes) if codes else ""
    if "quiet_start" in fields or "quiet_end" in fields:
        start, end = checked(
            "quiet_start", lambda v: alert_inputs.quiet_hours(*v), (fields.get("quiet_start"), fields.get("quiet_end"))
        )
        out["quiet_start"], out["quiet_end"] = start, end
    if "max_per_hour" in fields:
        out["max_per_hour"] = checked(
            "max_per_hour",
            rules_.whole,
            fields["max_per_hour"],
            minimum=1,
            maximum=alert_inputs.MAX_PER_HOUR,
            limit="hourly_cap",
        )
    if "enabled" in fields:
        out["enabled"] = bool(fields["enabled"])
    return out


CHANNEL_FIELDS = {"name", "kind", "store_id", "rules", "quiet_start", "quiet_end", "max_per_hour", "enabled"}


def _credentials(url: object, secret: object, stored: dict | None, kind: str) -> dict[str, str]:
    stored = stored or {}
    url_text = str(url or "").strip()
    clean_url = checked("url", alert_inputs.webhook_url, url_text) if url_text or not stored else stored["url"]
    clean_secret = checked("secret", rules_.secret, secret, limit="app_secret") or stored.get("secret", "")
    profile = alert_robots.profile(kind)
    if profile is not None and not profile.needs_secret:
        clean_secret = ""
    return {"url": clean_url, "secret": clean_secret}


def create_channel(
    session: Session, *, actor: Actor, url: str, secret: str = "", store_id: int | None = None, **fields: Any
) -> ChannelView:
    _may_manage(actor, store_id)
    unknown = set(fields) - CHANNEL_FIELDS
    if unknown:
        raise ValidationError(key="alerts.err.unknown_field", field=sorted(unknown)[0])
    values = _values(session, {**fields, "store_id": store_id}, creating=True)
    credentials = _credentials(url, secret, None, values["kind"])
    channel = AlertChannel(
        **values,
        credentials_encrypted=encrypt_credentials(credentials),
        url_hint=alert_inputs.masked(credentials["url"]),
    )
    session.add(channel)
    session.flush()
    return _view(channel, {s.id: s.name for s in session.exec(select(Store))})


def update_channel(
    session: Session, *, actor: Actor, channel_id: int, url: str = "", secret: str = "", **fields: Any
) -> ChannelView:
    """Empty url / secret keep the stored ones."""
    channel = _channel(session, actor, channel_id)
    unknown = set(fields) - CHANNEL_FIELDS
    if unknown:
        raise ValidationError(key="alerts.err.unknown_field", field=sorted(unknown)[0])
    values = _values(session, fields, creating=False)
    if "store_id" in values:
        _may_manage(actor, values["store_id"])
    for name, value in values.items():
        setattr(channel, name, value)
    stored = decrypt_credentials(channel.credentials_encrypted)
    credentials = _credentials(url, secret, stored, channel.kind)
    channel.credentials_encrypted = encrypt_credentials(credentials)
    channel.url_hint = alert_inputs.masked(credentials["url"])
    channel.updated_at = utcnow()
    session.add(channel)
    session.flush()
    return _view(channel, {s.id: s.name for s in session.exec(select(Store))})


def delete_channel(session: Session, *, actor: Actor, channel_id: int) -> None:
    session.delete(_channel(session, actor, channel_id))
    session.flush()


def channel_for_test(session: Session, *, actor: Actor, channel_id: int) -> ChannelView:
    """The scope check before the page asks a worker to send a sample."""
    return _view(_channel(session, actor, channel_id), {})


def sender_credentials(session: Session, channel_id: int) -> tuple[str, dict[str, str]]:
    """(robot kind, {url, secret}) for the worker that sends: the only reader of the clear values."""
    channel = session.get(AlertChannel, channel_id)
    if channel is None:
        raise NotFoundError(key="alerts.err.not_found", channel_id=channel_id)
    return channel.kind, decrypt_credentials(channel.credentials_encrypted)


# -- rules --------------------------------------------------------------------------------------


def rule_settings(session: Session) -> dict[str, RuleView]:
    stored = {r.code: r for r in session.exec(select(AlertRuleSetting))}
    views = {}
    for code, rule in RULES.items():
        row = stored.get(code)
        views[code] = RuleView(
            code=code,
            unit=rule.unit,
            threshold=row.threshold if row else rule.default_threshold,
            enabled=row.enabled if row else True,
        )
    return views


def set_rule(session: Session, *, actor: Actor, code: str, enabled: bool, threshold: object = None) -> RuleView:
    require_role(actor, "admin")
    rule = RULES.get(code)
    if rule is None:
        raise ValidationError(key="alerts.err.bad_rule", field="rules", rule=str(code)[:40])
    row = session.get(AlertRuleSetting, code) or AlertRuleSetting(code=code, threshold=rule.default_threshold)
    if rule.unit and threshold not in (None, ""):
        row.threshold = checked(
            "threshold", rules_.whole, threshold, minimum=1, maximum=alert_inputs.MAX_THRESHOLD, limit="hourly_cap"
        )
    row.enabled = bool(enabled)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return rule_settings(session)[code]
