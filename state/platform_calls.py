"""门店与店铺 page, what reaches a shop's platform through a worker: manual pulls (with the last
few pull logs per shop) and 测试连接."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import reflex as rx

from qihang_app import jobs
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.display import format_time
from qihang_app.i18n import render, tr_known
from qihang_app.services import pulls as pull_service
from qihang_app.services import stores as store_service
from state.auth import current_actor, explain, lang_of, refuse, translate
from state.offloop import in_session
from state.permissions import requires, view_only

PULL_WATCH_SECONDS = 15 * 60  # the progress poll of a manual pull stops after this, whatever


def _pull_rows(pulls: dict, error_text) -> list[dict[str, str]]:
    now = datetime.now(UTC)

    def hhmm(value: datetime | None) -> str:
        return value.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if value else ""

    rows = []
    for shop_id, logs in pulls.items():
        for log in logs:
            rows.append(
                {
                    "id": str(log.id),
                    "shop_id": str(shop_id),
                    "kind": log.kind,
                    "status": log.status,
                    "when": format_time(log.created_at, now),
                    "window": f"{hhmm(log.window_start)} – {hhmm(log.window_end)}",
                    "pages": str(log.pages),
                    "orders": str(log.orders),
                    "changed": str(log.changed),
                    "duration": "" if log.duration_ms is None else f"{log.duration_ms / 1000:.1f}s",
                    "error": error_text(log.error),
                }
            )
    return rows


class PlatformCallsState(rx.State):
    pull_logs: list[dict[str, str]] = []
    pull_dialog: bool = False
    pull_form: dict[str, str] = {"shop_id": "", "shop_name": "", "from": "", "to": ""}
    pull_error: str = ""
    watching_pulls: bool = False
    testing_shop: str = ""
    test_results: dict[str, str] = {}

    # ---- pulls -------------------------------------------------------------------------------
    @rx.event
    @requires("page.stores")
    async def load(self):
        try:
            busy = await self._reload_pulls()
        except Exception as exc:
            return await refuse(self, exc)
        if busy:
            return PlatformCallsState.watch_pulls

    async def _reload_pulls(self) -> bool:
        """Refresh the pull logs; True while a pull is queued or running."""
        actor = await current_actor(self)
        pulls = await in_session(lambda s: pull_service.recent_pulls(s, actor=actor, per_shop=3))
        lang = await lang_of(self)
        # a pull's error is an encoded message or key (written by this app) or the platform's own words
        self.pull_logs = _pull_rows(pulls, lambda error: render(error, lang))
        return any(r["status"] in ("queued", "running") for r in self.pull_logs)

    @rx.event
    @view_only
    def open_pull(self, shop: dict):
        now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
        self.pull_form = {
            "shop_id": str(shop.get("id", "")),
            "shop_name": str(shop.get("name", "")),
            "from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "to": now.strftime("%Y-%m-%dT%H:%M"),
        }
        self.pull_error = ""
        self.pull_dialog = True

    @rx.event
    @view_only
    def set_pull_dialog(self, value: bool):
        self.pull_dialog = value

    @rx.event
    @requires("shops.pull")
    async def start_pull(self, form: dict):
        """Queue a manual pull (a worker cron starts it within seconds) and watch its progress."""
        try:
            start = datetime.strptime(form.get("from") or "", "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
            end = datetime.strptime(form.get("to") or "", "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
        except ValueError:
            self.pull_error = await translate(self, "pulls.bad_range")
            return
        shop_id = int(self.pull_form["shop_id"])
        try:
            actor = await current_actor(self)
            await in_session(
                lambda s: pull_service.request_pull(
                    s, actor=actor, shop_id=shop_id, start=start.astimezone(UTC), end=end.astimezone(UTC)
                )
            )
        except ValueError as exc:
            self.pull_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.pull_dialog = False
        await self._reload_pulls()
        return [rx.toast.info(await translate(self, "pulls.queued")), PlatformCallsState.watch_pulls]

    @rx.event(background=True)
    @requires("page.stores")
    async def watch_pulls(self):
        """Poll the pull logs every second while a pull is queued or running (bounded)."""
        async with self:
            if self.watching_pulls:
                return
            self.watching_pulls = True
        deadline = time.monotonic() + PULL_WATCH_SECONDS
        try:
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                async with self:
                    try:
                        busy = await self._reload_pulls()
                    except Exception:
                        busy = False
                if not busy:
                    break
        finally:
            async with self:
                self.watching_pulls = False

    # ---- 测试连接 -----------------------------------------------------------------------------
    @rx.event(background=True)
    @requires("shops.pull")
    async def test_connection(self, shop_id: str):
        """A worker calls the platform; the answer is shown in plain words."""
        async with self:
            try:
                actor = await current_actor(self)
                await in_session(lambda s: store_service.get_shop(s, actor=actor, shop_id=int(shop_id)))  # scope check
            except Exception as exc:
                return await refuse(self, exc)
            self.testing_shop = shop_id
        try:
            result = await jobs.run("test_shop_connection", int(shop_id), timeout=20)
        except Exception as exc:
            result = {"ok": False, "key": "shops.test.no_worker", "params": {"error": type(exc).__name__}}
        async with self:
            # the worker answers with a catalog key (+ params) or, for a platform's refusal, its words
            lang = await lang_of(self)
            if result.get("key"):
                message = tr_known(result["key"], lang, **(result.get("params") or {}))
            else:  # a failed call: integrations.errors' encoded message
                message = render(result.get("message", ""), lang)
            self.testing_shop = ""
            self.test_results = {**self.test_results, shop_id: ("✓ " if result["ok"] else "✗ ") + message}
            return rx.toast.success(message) if result["ok"] else rx.toast.error(message)
