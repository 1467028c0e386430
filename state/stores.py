"""门店与店铺: stores and the platform shops bound to them."""

from __future__ import annotations

import reflex as rx

import asyncio
import time
from datetime import datetime, timedelta, timezone

from qihang_app import jobs
from qihang_app.db import session_scope
from qihang_app.domain import partners
from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.display import format_time
from qihang_app.services import pulls as pull_service
from qihang_app.services import stores as store_service
from state.auth import AuthState

PULL_WATCH_SECONDS = 15 * 60  # the progress poll of a manual pull stops after this, whatever

EMPTY_STORE = {"id": "", "name": "", "address": "", "phone": "", "opening_hours": "", "lat": "", "lng": ""}
EMPTY_SHOP = {
    "id": "", "store_id": "", "platform": "", "platform_shop_id": "", "name": "", "app_key": "", "app_secret": "",
    "enabled": "1", "auto_accept": "", "auto_accept_start": "", "auto_accept_end": "", "auto_accept_max_per_hour": "",
}
SHOP_KEYS = ("id", "store_id", "platform", "platform_shop_id", "name", "enabled", "auto_accept", "auto_accept_start", "auto_accept_end", "auto_accept_max_per_hour")


def _float_or_none(value: str) -> float | None:
    try:
        return float(value) if str(value).strip() else None
    except ValueError:
        return None


class StoresState(AuthState):
    stores: list[dict[str, str]] = []
    # [code, 中文, English] of every platform with an adapter (the shop form's choices)
    platform_options: list[list[str]] = []
    shops: list[dict[str, str]] = []

    store_dialog: bool = False
    store_form: dict[str, str] = dict(EMPTY_STORE)
    shop_dialog: bool = False
    shop_form: dict[str, str] = dict(EMPTY_SHOP)
    form_error: str = ""
    testing_shop: str = ""
    test_results: dict[str, str] = {}

    # pulls: the last few per shop, and the manual pull dialog
    pull_logs: list[dict[str, str]] = []
    pull_dialog: bool = False
    pull_form: dict[str, str] = {"shop_id": "", "shop_name": "", "from": "", "to": ""}
    pull_error: str = ""
    watching_pulls: bool = False

    @rx.event
    async def load(self):
        try:
            actor = self._actor()
        except Exception as exc:
            return await self._denied(exc)
        with session_scope() as session:
            stores = store_service.list_stores(session, actor=actor)
            shops = store_service.list_shops(session, actor=actor)
            pulls = pull_service.recent_pulls(session, actor=actor, per_shop=3)
        self.pull_logs = self._pull_rows(pulls)
        self.stores = [
            {
                "id": str(s.id),
                "name": s.name,
                "address": s.address or "",
                "phone": s.phone or "",
                "opening_hours": s.opening_hours or "",
                "lat": "" if s.lat is None else f"{s.lat:.6f}",
                "lng": "" if s.lng is None else f"{s.lng:.6f}",
            }
            for s in stores
        ]
        self.platform_options = [[p.code, p.name_zh, p.name_en] for p in partners.profiles(connected_only=True)]
        self.shops = [
            {
                "id": str(sh.id),
                "store_id": str(sh.store_id),
                "platform": str(sh.platform),
                "pullable": "1" if partners.profile(sh.platform) and partners.profile(sh.platform).pullable else "",
                "platform_shop_id": sh.platform_shop_id,
                "name": sh.name,
                "enabled": "1" if sh.enabled else "",
                "auto_accept": "1" if sh.auto_accept else "",
                "auto_accept_start": sh.auto_accept_start or "",
                "auto_accept_end": sh.auto_accept_end or "",
                "auto_accept_max_per_hour": str(sh.auto_accept_max_per_hour or ""),
            }
            for sh in shops
        ]
        if any(r["status"] in ("queued", "running") for r in self.pull_logs):
            return StoresState.watch_pulls

    # ---- stores ------------------------------------------------------------------------------
    @rx.event
    def new_store(self):
        self.store_form = dict(EMPTY_STORE)
        self.form_error = ""
        self.store_dialog = True

    @rx.event
    def edit_store(self, store: dict):
        self.store_form = {k: str(store.get(k, "")) for k in EMPTY_STORE}
        self.form_error = ""
        self.store_dialog = True

    @rx.event
    def set_store_dialog(self, value: bool):
        self.store_dialog = value

    @rx.event
    async def save_store(self, form: dict):
        name = (form.get("name") or "").strip()
        if not name:
            self.form_error = await self._t("stores.name_required")
            return
        fields = dict(
            name=name,
            address=(form.get("address") or "").strip(),
            phone=(form.get("phone") or "").strip(),
            opening_hours=(form.get("opening_hours") or "").strip(),
            lat=_float_or_none(form.get("lat", "")),
            lng=_float_or_none(form.get("lng", "")),
        )
        try:
            actor = self._actor()
            with session_scope() as session:
                if self.store_form.get("id"):
                    store_service.update_store(session, actor=actor, store_id=int(self.store_form["id"]), **fields)
                else:
                    store_service.create_store(session, actor=actor, **fields)
        except (PermissionError, ValueError) as exc:
            return await self._fail(exc)
        self.store_dialog = False
        await self.load()
        return rx.toast.success(await self._t("common.saved"))

    @rx.event
    async def delete_store(self, store_id: str):
        try:
            actor = self._actor()
            with session_scope() as session:
                store_service.delete_store(session, actor=actor, store_id=int(store_id))
        except (PermissionError, ValueError) as exc:
            return await self._fail(exc)
        await self.load()
        return rx.toast.success(await self._t("common.deleted"))

    # ---- shops -------------------------------------------------------------------------------
    @rx.event
    def new_shop(self, store_id: str):
        connected = partners.profiles(connected_only=True)
        self.shop_form = dict(EMPTY_SHOP, store_id=store_id, platform=connected[0].code if connected else "")
        self.form_error = ""
        self.shop_dialog = True

    @rx.event
    def edit_shop(self, shop: dict):
        self.shop_form = dict(EMPTY_SHOP, **{k: str(shop.get(k, "")) for k in SHOP_KEYS})
        self.form_error = ""
        self.shop_dialog = True

    @rx.event
    def set_shop_dialog(self, value: bool):
        self.shop_dialog = value

    @rx.event
    def set_shop_platform(self, value: str):
        self.shop_form["platform"] = value

    @rx.event
    async def save_shop(self, form: dict):
        platform = self.shop_form.get("platform") or ""
        shop_id_text = (form.get("platform_shop_id") or "").strip()
        name = (form.get("name") or "").strip()
        if not (platform and shop_id_text and name):
            self.form_error = await self._t("shops.fields_required")
            return
        credentials = {}
        if (form.get("app_key") or "").strip():
            credentials["app_key"] = form["app_key"].strip()
        if (form.get("app_secret") or "").strip():
            credentials["app_secret"] = form["app_secret"].strip()
        enabled = bool(form.get("enabled"))
        max_text = (form.get("auto_accept_max_per_hour") or "").strip()
        auto = dict(
            auto_accept=bool(form.get("auto_accept")),
            auto_accept_start=(form.get("auto_accept_start") or "").strip() or None,
            auto_accept_end=(form.get("auto_accept_end") or "").strip() or None,
            auto_accept_max_per_hour=int(max_text) if max_text.isdigit() and int(max_text) > 0 else None,
        )
        try:
            actor = self._actor()
            with session_scope() as session:
                if self.shop_form.get("id"):
                    shop_id = int(self.shop_form["id"])
                    store_service.update_shop(session, actor=actor, shop_id=shop_id, name=name, enabled=enabled, **auto)
                    if credentials:  # merge: an empty secret field keeps the stored secret
                        store_service.get_shop(session, actor=actor, shop_id=shop_id)
                        store_service.update_shop_credentials(session, shop_id=shop_id, changes=credentials)
                else:
                    store_service.create_shop(
                        session, actor=actor, store_id=int(self.shop_form["store_id"]), platform=platform,
                        platform_shop_id=shop_id_text, name=name, credentials=credentials, **auto,
                    )
        except (PermissionError, ValueError) as exc:
            return await self._fail(exc)
        self.shop_dialog = False
        await self.load()
        return rx.toast.success(await self._t("common.saved"))

    @rx.event
    async def delete_shop(self, shop_id: str):
        try:
            actor = self._actor()
            with session_scope() as session:
                store_service.delete_shop(session, actor=actor, shop_id=int(shop_id))
        except (PermissionError, ValueError) as exc:
            return await self._fail(exc)
        await self.load()
        return rx.toast.success(await self._t("common.deleted"))

    @rx.event(background=True)
    async def test_connection(self, shop_id: str):
        """测试连接: a worker calls the platform; the answer is shown in plain words."""
        async with self:
            try:
                actor = self._actor()
                with session_scope() as session:
                    store_service.get_shop(session, actor=actor, shop_id=int(shop_id))  # scope check
            except Exception as exc:
                return await self._denied(exc)
            self.testing_shop = shop_id
        try:
            result = await jobs.run("test_shop_connection", int(shop_id), timeout=20)
        except Exception as exc:
            result = {"ok": False, "message": f"后台任务无响应，请检查系统状态 / no worker answered ({type(exc).__name__})"}
        async with self:
            self.testing_shop = ""
            self.test_results = {**self.test_results, shop_id: ("✓ " if result["ok"] else "✗ ") + result["message"]}
            return rx.toast.success(result["message"]) if result["ok"] else rx.toast.error(result["message"])

    # ---- pulls -------------------------------------------------------------------------------
    @staticmethod
    def _pull_rows(pulls: dict) -> list[dict[str, str]]:
        now = datetime.now(timezone.utc)

        def hhmm(value: datetime | None) -> str:
            return value.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if value else ""

        rows = []
        for shop_id, logs in pulls.items():
            for log in logs:
                rows.append({
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
                    "error": log.error,
                })
        return rows

    @rx.event
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
    def set_pull_dialog(self, value: bool):
        self.pull_dialog = value

    @rx.event
    async def start_pull(self, form: dict):
        """Queue a manual pull (a worker cron starts it within seconds) and watch its progress."""
        try:
            start = datetime.strptime(form.get("from") or "", "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
            end = datetime.strptime(form.get("to") or "", "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
        except ValueError:
            self.pull_error = await self._t("pulls.bad_range")
            return
        try:
            actor = self._actor()
            with session_scope() as session:
                pull_service.request_pull(session, actor=actor, shop_id=int(self.pull_form["shop_id"]),
                                          start=start.astimezone(timezone.utc), end=end.astimezone(timezone.utc))
        except ValueError as exc:
            self.pull_error = str(exc)
            return
        except Exception as exc:
            return await self._denied(exc)
        self.pull_dialog = False
        await self._reload_pulls()
        return [rx.toast.info(await self._t("pulls.queued")), StoresState.watch_pulls]

    async def _reload_pulls(self) -> bool:
        """Refresh the pull logs; True while a pull is queued or running."""
        actor = self._actor()
        with session_scope() as session:
            pulls = pull_service.recent_pulls(session, actor=actor, per_shop=3)
        self.pull_logs = self._pull_rows(pulls)
        return any(r["status"] in ("queued", "running") for r in self.pull_logs)

    @rx.event(background=True)
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

    async def _fail(self, exc: Exception):
        if isinstance(exc, ValueError):
            self.form_error = str(exc)
            return rx.toast.error(str(exc))
        return await self._denied(exc)
