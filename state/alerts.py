"""告警设置 page: alert channels (group robots), rule switches and thresholds, 测试, recent messages."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from qihang_app import jobs
from qihang_app.domain import alert_inputs, alert_robots
from qihang_app.domain import input_rules as rules_
from qihang_app.domain.display import format_time
from qihang_app.services import alert_channels as channel_service
from qihang_app.services import alerts as alert_service
from qihang_app.services import stores as store_service
from state.auth import current_actor, refuse, translate
from state.form_errors import messages
from state.offloop import in_session
from state.permissions import requires, view_only
from state.stores import form_failure, save_form

EMPTY = {
    "id": "",
    "name": "",
    "kind": "",  # a new channel starts on the first registered robot (see _new_form)
    "store_id": "",
    "url_hint": "",
    "quiet_start": "",
    "quiet_end": "",
    "max_per_hour": "20",
    "enabled": "1",
    "rules": "",
}


def _new_form() -> dict[str, str]:
    return {**EMPTY, "kind": next((p.code for p in alert_robots.profiles()), "")}


def _row(view) -> dict[str, str]:
    return {
        "id": str(view.id),
        "name": view.name,
        "kind": view.kind,
        "store_id": str(view.store_id or ""),
        "store_name": view.store_name,
        "url_hint": view.url_hint,
        "has_secret": "1" if view.has_secret else "",
        "quiet_start": view.quiet_start,
        "quiet_end": view.quiet_end,
        "quiet": f"{view.quiet_start}–{view.quiet_end}" if view.quiet_start else "",
        "max_per_hour": str(view.max_per_hour),
        "enabled": "1" if view.enabled else "",
        "rules": ",".join(view.rules),
    }


class AlertsState(rx.State):
    channels: list[dict[str, str]] = []
    rules: list[dict[str, str]] = []  # code, unit, threshold, enabled
    history: list[dict[str, str]] = []
    store_options: list[list[str]] = []  # [id, name]
    robot_options: list[list[str]] = []  # [code, label, url hint, needs secret]
    dialog: bool = False
    form: dict[str, str] = dict(EMPTY)
    form_error: str = ""
    errors: dict[str, str] = {}
    testing: str = ""
    test_results: dict[str, str] = {}

    @rx.var
    def kind_needs_secret(self) -> bool:
        return any(r[0] == self.form.get("kind") and r[3] for r in self.robot_options)

    @rx.event
    @requires("page.alerts")
    async def load(self):
        try:
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)

    async def _reload(self) -> None:
        actor = await current_actor(self)

        def read(session):
            views = channel_service.list_channels(session, actor=actor)
            sent = alert_service.recent_deliveries(session, channel_ids=[v.id for v in views])
            stores = store_service.list_stores(session, actor=actor)
            return views, channel_service.rule_settings(session), sent, stores

        views, rule_views, sent, stores = await in_session(read)
        now = datetime.now(UTC)
        names = {v.id: v.name for v in views}
        self.channels = [_row(v) for v in views]
        self.rules = [
            {"code": r.code, "unit": r.unit, "threshold": str(r.threshold), "enabled": "1" if r.enabled else ""}
            for r in rule_views.values()
        ]
        self.history = [
            {
                "channel": names.get(d.channel_id, ""),
                "kind": d.kind,
                "status": d.status,
                "rule": d.rule,
                "error": d.error[:120],
                "when": format_time(d.created_at, now),
            }
            for d in sent
        ]
        self.store_options = [[str(s.id), s.name] for s in stores]
        self.robot_options = [
            [p.code, p.label, p.url_hint, "1" if p.needs_secret else ""] for p in alert_robots.profiles()
        ]

    @rx.event
    @view_only
    def new_channel(self):
        self.form, self.errors, self.form_error, self.dialog = _new_form(), {}, "", True

    @rx.event
    @view_only
    def edit_channel(self, row: dict):
        self.form = {**EMPTY, **{k: str(row.get(k, "")) for k in EMPTY}}
        self.errors, self.form_error, self.dialog = {}, "", True

    @rx.event
    @view_only
    def set_dialog(self, value: bool):
        self.dialog = value

    @rx.event
    @view_only
    def set_form_value(self, name: str, value: str):
        self.form[name] = value

    @rx.event
    @requires("alerts.manage")
    async def save(self, data: dict):
        channel_id = int(self.form["id"]) if self.form.get("id") else None
        checks = {
            "name": (
                rules_.text,
                data.get("name"),
                dict(limit="shop_name", required=True, required_key="alerts.err.name_required"),
            ),
            "secret": (rules_.secret, data.get("secret"), dict(limit="app_secret")),
            "max_per_hour": (
                rules_.whole,
                data.get("max_per_hour"),
                dict(minimum=1, maximum=alert_inputs.MAX_PER_HOUR, limit="hourly_cap"),
            ),
        }
        if channel_id is None or (data.get("url") or "").strip():
            checks["url"] = (alert_inputs.webhook_url, data.get("url"))
        checks["quiet_start"] = (
            lambda v: alert_inputs.quiet_hours(*v),
            (data.get("quiet_start"), data.get("quiet_end")),
        )
        values, problems = rules_.check_all(checks)
        self.errors, self.form_error = await messages(self, problems), ""
        if problems:
            return
        store = self.form.get("store_id") or ""
        fields = dict(
            name=values["name"],
            store_id=int(store) if store else None,
            quiet_start=data.get("quiet_start") or "",
            quiet_end=data.get("quiet_end") or "",
            max_per_hour=values["max_per_hour"],
            enabled=bool(data.get("enabled")),
        )
        url, secret, kind = values.get("url", ""), values["secret"], self.form.get("kind") or ""

        def write(session, actor):
            if channel_id is None:
                channel_service.create_channel(session, actor=actor, kind=kind, url=url, secret=secret, **fields)
            else:
                channel_service.update_channel(
                    session, actor=actor, channel_id=channel_id, url=url, secret=secret, **fields
                )

        saved, answer = await save_form(self, write)
        if not saved:
            return answer
        self.dialog = False
        return await self._done("common.saved")

    @rx.event
    @requires("alerts.manage")
    async def delete(self, channel_id: str):
        try:
            actor = await current_actor(self)
            await in_session(lambda s: channel_service.delete_channel(s, actor=actor, channel_id=int(channel_id)))
        except (PermissionError, ValueError) as exc:
            return await form_failure(self, exc)
        return await self._done("common.deleted")

    @rx.event
    @requires("alerts.manage")
    async def set_rule(self, code: str, enabled: bool, threshold: str):
        try:
            actor = await current_actor(self)
            await in_session(
                lambda s: channel_service.set_rule(s, actor=actor, code=code, enabled=enabled, threshold=threshold)
            )
        except (PermissionError, ValueError) as exc:
            await self._reload()
            return await form_failure(self, exc)
        return await self._done("common.saved")

    @rx.event
    @requires("alerts.manage")
    async def toggle_rule(self, code: str, enabled: bool):
        threshold = next((r["threshold"] for r in self.rules if r["code"] == code), "")
        return await self.set_rule(code, enabled, threshold)

    @rx.event
    @requires("alerts.manage")
    async def save_threshold(self, code: str, threshold: str):
        enabled = next((bool(r["enabled"]) for r in self.rules if r["code"] == code), True)
        return await self.set_rule(code, enabled, threshold)

    async def _done(self, key: str):
        try:
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)
        return rx.toast.success(await translate(self, key))

    @rx.event(background=True)
    @requires("alerts.manage")
    async def send_test(self, channel_id: str):
        """测试: a worker sends a sample through the robot; its answer is shown in words."""
        async with self:
            try:
                actor = await current_actor(self)
                await in_session(lambda s: channel_service.channel_for_test(s, actor=actor, channel_id=int(channel_id)))
            except Exception as exc:
                return await refuse(self, exc)
            self.testing = channel_id
        try:
            result = await jobs.run("send_test_alert", int(channel_id), timeout=20)
        except Exception as exc:
            result = {"ok": False, "key": "alerts.test.no_worker", "params": {"error": type(exc).__name__}}
        async with self:
            message = await translate(self, result["key"], **(result.get("params") or {}))
            self.testing = ""
            self.test_results = {**self.test_results, channel_id: ("✓ " if result["ok"] else "✗ ") + message}
            await self._reload()
            return rx.toast.success(message) if result["ok"] else rx.toast.error(message)
