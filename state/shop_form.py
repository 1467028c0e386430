"""门店与店铺 page, the form that binds a platform shop to a store (and edits or deletes it)."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain import partners
from qihang_app.services import stores as store_service
from state.auth import current_actor, refuse, translate
from state.offloop import in_session
from state.stores import StoresState, form_failure

EMPTY_SHOP = {
    "id": "", "store_id": "", "platform": "", "platform_shop_id": "", "name": "", "app_key": "", "app_secret": "",
    "enabled": "1", "auto_accept": "", "auto_accept_start": "", "auto_accept_end": "", "auto_accept_max_per_hour": "",
}
SHOP_KEYS = ("id", "store_id", "platform", "platform_shop_id", "name", "enabled", "auto_accept", "auto_accept_start", "auto_accept_end", "auto_accept_max_per_hour")


class ShopFormState(rx.State):
    shop_dialog: bool = False
    shop_form: dict[str, str] = dict(EMPTY_SHOP)
    form_error: str = ""
    # [code, 中文, English] of every platform with an adapter (filled when the form opens)
    platform_options: list[list[str]] = []

    @rx.event
    def new_shop(self, store_id: str):
        connected = partners.profiles(connected_only=True)
        self.platform_options = [[p.code, p.name_zh, p.name_en] for p in connected]
        self.shop_form = dict(EMPTY_SHOP, store_id=store_id, platform=connected[0].code if connected else "")
        self.form_error = ""
        self.shop_dialog = True

    @rx.event
    def edit_shop(self, shop: dict):
        self.platform_options = [[p.code, p.name_zh, p.name_en] for p in partners.profiles()]
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
            self.form_error = await translate(self, "shops.fields_required")
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
        shop_id = int(self.shop_form["id"]) if self.shop_form.get("id") else None
        store_id_text = self.shop_form.get("store_id") or ""

        def save(session):
            if shop_id is not None:
                store_service.update_shop(session, actor=actor, shop_id=shop_id, name=name, enabled=enabled, **auto)
                if credentials:  # merge: an empty secret field keeps the stored secret
                    store_service.get_shop(session, actor=actor, shop_id=shop_id)
                    store_service.update_shop_credentials(session, shop_id=shop_id, changes=credentials)
            else:
                store_service.create_shop(
                    session, actor=actor, store_id=int(store_id_text), platform=platform,
                    platform_shop_id=shop_id_text, name=name, credentials=credentials, **auto,
                )

        try:
            actor = await current_actor(self)
            await in_session(save)
        except (PermissionError, ValueError) as exc:
            return await form_failure(self, exc)
        self.shop_dialog = False
        return await self._reloaded("common.saved")

    @rx.event
    async def delete_shop(self, shop_id: str):
        try:
            actor = await current_actor(self)
            await in_session(lambda s: store_service.delete_shop(s, actor=actor, shop_id=int(shop_id)))
        except (PermissionError, ValueError) as exc:
            return await form_failure(self, exc)
        return await self._reloaded("common.deleted")

    async def _reloaded(self, done_key: str):
        """After a change: the page's fresh list and a toast saying it is done."""
        try:
            await (await self.get_state(StoresState))._reload()
        except Exception as exc:
            return await refuse(self, exc)
        return rx.toast.success(await translate(self, done_key))
