"""门店与店铺 page, the form that binds a platform shop to a store (and edits or deletes it)."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain import input_rules as rules
from qihang_app.domain import partners
from qihang_app.services import stores as store_service
from state.auth import current_actor, refuse, translate
from state.form_errors import messages
from state.offloop import in_session
from state.permissions import requires, view_only
from state.stores import StoresState, form_failure, save_form

EMPTY_SHOP = {
    "id": "",
    "store_id": "",
    "platform": "",
    "platform_shop_id": "",
    "name": "",
    "app_key": "",
    "app_secret": "",
    "enabled": "1",
    "auto_accept": "",
    "auto_accept_start": "",
    "auto_accept_end": "",
    "auto_accept_max_per_hour": "",
}
SHOP_KEYS = (
    "id",
    "store_id",
    "platform",
    "platform_shop_id",
    "name",
    "enabled",
    "auto_accept",
    "auto_accept_start",
    "auto_accept_end",
    "auto_accept_max_per_hour",
)


class ShopFormState(rx.State):
    shop_dialog: bool = False
    shop_form: dict[str, str] = dict(EMPTY_SHOP)
    form_error: str = ""
    errors: dict[str, str] = {}  # input name → its message
    # [code, 中文, English] of every platform with an adapter (filled when the form opens)
    platform_options: list[list[str]] = []

    @rx.event
    @view_only
    def new_shop(self, store_id: str):
        connected = partners.profiles(connected_only=True)
        self.platform_options = [[p.code, p.name_zh, p.name_en] for p in connected]
        self.shop_form = dict(EMPTY_SHOP, store_id=store_id, platform=connected[0].code if connected else "")
        self.form_error = ""
        self.errors = {}
        self.shop_dialog = True

    @rx.event
    @view_only
    def edit_shop(self, shop: dict):
        self.platform_options = [[p.code, p.name_zh, p.name_en] for p in partners.profiles()]
        self.shop_form = dict(EMPTY_SHOP, **{k: str(shop.get(k, "")) for k in SHOP_KEYS})
        self.form_error = ""
        self.errors = {}
        self.shop_dialog = True

    @rx.event
    @view_only
    def set_shop_dialog(self, value: bool):
        self.shop_dialog = value

    @rx.event
    @view_only
    def set_shop_platform(self, value: str):
        self.shop_form["platform"] = value

    @rx.event
    @requires("stores.manage")
    async def save_shop(self, form: dict):
        """New: everything typed. Edit: the platform and its shop id are fixed (their inputs are
        disabled, so the browser does not send them); an empty key or secret keeps the stored one."""
        shop_id = int(self.shop_form["id"]) if self.shop_form.get("id") else None
        platform = self.shop_form.get("platform") or ""
        checks = {
            "name": (rules.text, form.get("name"), dict(limit="shop_name", required=True)),
            "app_key": (rules.secret, form.get("app_key"), dict(limit="app_key")),
            "app_secret": (rules.secret, form.get("app_secret"), dict(limit="app_secret")),
            "auto_accept_start": (rules.hhmm, form.get("auto_accept_start")),
            "auto_accept_end": (rules.hhmm, form.get("auto_accept_end")),
            "auto_accept_max_per_hour": (rules.hourly_cap, form.get("auto_accept_max_per_hour")),
        }
        if shop_id is None:
            checks["platform_shop_id"] = (
                rules.code,
                form.get("platform_shop_id"),
                dict(limit="platform_shop_id", required=True),
            )
        values, problems = rules.check_all(checks)
        self.errors = await messages(self, problems)
        self.form_error = ""
        if problems:
            return
        credentials = {k: values[k] for k in ("app_key", "app_secret") if values[k]}
        settings = dict(
            name=values["name"],
            enabled=bool(form.get("enabled")),
            auto_accept=bool(form.get("auto_accept")),
            **{k: values[k] for k in ("auto_accept_start", "auto_accept_end", "auto_accept_max_per_hour")},
        )
        store_id_text = self.shop_form.get("store_id") or ""

        def save(session, actor):
            if shop_id is not None:
                store_service.update_shop(
                    session, actor=actor, shop_id=shop_id, credential_changes=credentials, **settings
                )
            else:
                store_service.create_shop(
                    session,
                    actor=actor,
                    store_id=int(store_id_text),
                    platform=platform,
                    platform_shop_id=values["platform_shop_id"],
                    credentials=credentials,
                    **settings,
                )

        saved, answer = await save_form(self, save)
        if not saved:
            return answer
        self.shop_dialog = False
        return await self._reloaded("common.saved")

    @rx.event
    @requires("stores.manage")
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
