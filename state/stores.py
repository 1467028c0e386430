"""门店与店铺: stores and the platform shops bound to them."""

from __future__ import annotations

import reflex as rx

from qihang_app import jobs
from qihang_app.db import session_scope
from qihang_app.services import stores as store_service
from state.auth import AuthState

EMPTY_STORE = {"id": "", "name": "", "address": "", "phone": "", "opening_hours": "", "lat": "", "lng": ""}
EMPTY_SHOP = {
    "id": "", "store_id": "", "platform": "meituan", "platform_shop_id": "", "name": "", "app_key": "", "app_secret": "",
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
    shops: list[dict[str, str]] = []

    store_dialog: bool = False
    store_form: dict[str, str] = dict(EMPTY_STORE)
    shop_dialog: bool = False
    shop_form: dict[str, str] = dict(EMPTY_SHOP)
    form_error: str = ""
    testing_shop: str = ""
    test_results: dict[str, str] = {}

    @rx.event
    async def load(self):
        try:
            actor = self._actor()
        except Exception as exc:
            return await self._denied(exc)
        with session_scope() as session:
            stores = store_service.list_stores(session, actor=actor)
            shops = store_service.list_shops(session, actor=actor)
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
        self.shops = [
            {
                "id": str(sh.id),
                "store_id": str(sh.store_id),
                "platform": str(sh.platform),
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
        self.shop_form = dict(EMPTY_SHOP, store_id=store_id)
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

    async def _fail(self, exc: Exception):
        if isinstance(exc, ValueError):
            self.form_error = str(exc)
            return rx.toast.error(str(exc))
        return await self._denied(exc)
