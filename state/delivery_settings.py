"""配送设置: per store, the carrier accounts (keys encrypted, 测试连接 with the balance), the
store's own riders (with their secret page link) and the auto-dispatch rule."""

from __future__ import annotations

import reflex as rx

from qihang_app import jobs
from qihang_app.domain import carriers
from qihang_app.domain import input_rules as rules_
from qihang_app.domain.money import format_money
from qihang_app.i18n import render, tr_known
from qihang_app.services import auto_dispatch, carrier_accounts, own_riders
from qihang_app.services import stores as store_service
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, lang_of, refuse, translate
from state.form_errors import placed
from state.offloop import in_session
from state.permissions import requires, view_only

RIDER_PAGE = "/rider?k="


def _kind_fields(code: str, values: dict | None = None, secrets_set: tuple = ()) -> list[list[str]]:
    """[name, 中文, English, secret?, hint 中文, hint English, stored value, secret set?] per key."""
    kind = carriers.profile(code)
    if kind is None:
        return []
    values = values or {}
    return [
        [f.name, f.label_zh, f.label_en, "1" if f.secret else "", f.hint_zh, f.hint_en,
         "" if f.secret else str(values.get(f.name, "")), "1" if f.name in secrets_set else ""]
        for f in kind.fields
    ]  # fmt: skip


class DeliverySettingsState(rx.State):
    store_options: list[list[str]] = []  # [id, name]
    store_id: str = ""
    accounts: list[dict[str, str]] = []
    riders: list[dict[str, str]] = []
    rule: dict[str, str] = {}
    carrier_options: list[list[str]] = []  # [code, 中文, English]
    carrier_codes: str = ""  # the preferred-order input's hint: every carrier's code
    tests: dict[str, str] = {}  # account id → 测试连接 answer
    link: str = ""  # a rider's fresh link, shown once
    account_open: bool = False
    account_form: dict[str, str] = {}
    account_fields: list[list[str]] = []
    form_key: int = 0  # a new key remounts the form: its inputs show this opening's values
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    @requires("page.delivery")
    async def load(self):
        try:
            actor = await current_actor(self)
            stores = await in_session(lambda s: store_service.list_stores(s, actor=actor))
            self.store_options = [[str(s.id), s.name] for s in stores]
            self.carrier_options = [[p.code, p.name_zh, p.name_en] for p in carriers.profiles()]
            self.carrier_codes = ",".join(p.code for p in carriers.profiles())
            if not self.store_id and stores:
                self.store_id = str(stores[0].id)
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)

    @rx.event
    @requires("page.delivery")
    async def set_store(self, value: str):
        self.store_id, self.link, self.tests = value, "", {}
        try:
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)

    async def _reload(self) -> None:
        if not self.store_id:
            return
        actor = await current_actor(self)
        store_id = int(self.store_id)

        def read(s):
            return (
                carrier_accounts.list_accounts(s, actor=actor, store_id=store_id),
                own_riders.list_riders(s, actor=actor, store_id=store_id),
                auto_dispatch.get_rule(s, actor=actor, store_id=store_id),
            )

        accounts, riders, rule = await in_session(read)
        self.accounts = [
            {
                "id": str(a.id),
                "carrier": a.carrier,
                "label": carriers.name(a.carrier),
                "name": a.name if a.name != carriers.name(a.carrier) else "",
                "enabled": "1" if a.enabled else "",
            }
            for a in accounts
        ]
        self.riders = [
            {"id": str(r.id), "name": r.name, "phone": r.phone, "active": "1" if r.active else ""} for r in riders
        ]
        self.rule = {
            "enabled": "1" if rule.enabled else "",
            "trigger": rule.trigger,
            "strategy": rule.strategy,
            "preferred": rule.preferred,
            "max_fee": format_money(rule.max_fee_fen).lstrip("¥") if rule.max_fee_fen else "",
            "accept_minutes": str(rule.accept_minutes),
        }

    async def _failed(self, exc: Exception):
        if isinstance(exc, ServiceError) and (at_field := await placed(self, exc)):
            self.errors = at_field
            return None
        if isinstance(exc, ValueError):
            self.form_error = await explain(self, exc)
            return rx.toast.error(self.form_error)
        return await refuse(self, exc)

    # ---- carrier accounts --------------------------------------------------------------------
    @rx.event
    @view_only
    def new_account(self, carrier: str):
        self.account_form = {"id": "", "carrier": carrier, "name": carriers.name(carrier), "base_url": "",
                             "enabled": "1"}  # fmt: skip
        self.account_fields = _kind_fields(carrier)
        self.errors, self.form_error, self.account_open = {}, "", True
        self.form_key += 1

    @rx.event
    @requires("delivery.settings")
    async def edit_account(self, account_id: str):
        """The account's form with its keys: secrets show only "已设置" and stay unless typed anew."""
        try:
            actor = await current_actor(self)
            view = await in_session(lambda s: carrier_accounts.get_account(s, actor=actor, account_id=int(account_id)))
        except Exception as exc:
            return await refuse(self, exc)
        self.account_form = {"id": str(view.id), "carrier": view.carrier, "name": view.name,
                             "base_url": view.base_url, "enabled": "1" if view.enabled else ""}  # fmt: skip
        self.account_fields = _kind_fields(view.carrier, view.values, view.secrets_set)
        self.errors, self.form_error, self.account_open = {}, "", True
        self.form_key += 1

    @rx.event
    @view_only
    def set_account_open(self, value: bool):
        self.account_open = value

    @rx.event
    @requires("delivery.settings")
    async def save_account(self, form: dict):
        carrier = self.account_form.get("carrier", "")
        editing = int(self.account_form["id"]) if self.account_form.get("id") else None
        keys = {f[0]: str(form.get(f[0], "")) for f in self.account_fields}
        self.errors, self.form_error = {}, ""
        try:
            actor = await current_actor(self)
            store_id = int(self.store_id)
            saved_id = await in_session(
                lambda s: (
                    carrier_accounts.save_account(
                        s,
                        actor=actor,
                        store_id=store_id,
                        carrier=carrier,
                        keys=keys,
                        account_id=editing,
                        name=str(form.get("name", "")),
                        base_url=str(form.get("base_url", "")),
                        enabled=self.account_form.get("enabled", "1") == "1",  # editing keys keeps it on / off
                    ).id
                )
            )
            await self._reload()
        except Exception as exc:
            return await self._failed(exc)
        self.account_open = False
        # 测试连接 right away: new keys are worth nothing until the carrier takes them.
        return [
            rx.toast.success(await translate(self, "delivery.account.saved_test")),
            DeliverySettingsState.test_account(str(saved_id)),
        ]

    @rx.event
    @requires("delivery.settings")
    async def toggle_account(self, account: dict):
        try:
            actor = await current_actor(self)
            enabled = not account["enabled"]
            await in_session(
                lambda s: carrier_accounts.set_enabled(s, actor=actor, account_id=int(account["id"]), enabled=enabled)
            )
            await self._reload()
        except Exception as exc:
            return await self._failed(exc)

    @rx.event
    @requires("delivery.settings")
    async def delete_account(self, account_id: str):
        try:
            actor = await current_actor(self)
            await in_session(lambda s: carrier_accounts.delete_account(s, actor=actor, account_id=int(account_id)))
            await self._reload()
        except Exception as exc:
            return await self._failed(exc)

    @rx.event(background=True)
    @requires("delivery.settings")
    async def test_account(self, account_id: str):
        async with self:
            try:
                actor = await current_actor(self)
                await in_session(lambda s: carrier_accounts.account_keys(s, account_id=int(account_id), actor=actor))
            except Exception as exc:
                return await refuse(self, exc)
            self.tests = {**self.tests, account_id: "…"}
        try:
            result = await jobs.run("test_carrier_account", int(account_id), timeout=20)
        except Exception:
            result = {"ok": False, "key": "delivery.err.worker"}
        async with self:
            lang = await lang_of(self)
            said = (
                tr_known(result["key"], lang, **(result.get("params") or {}))
                if result.get("key")
                else render(result.get("message", ""), lang)
            )
            self.tests = {**self.tests, account_id: ("✓ " if result.get("ok") else "✗ ") + said}

    # ---- own riders --------------------------------------------------------------------------
    @rx.event
    @requires("delivery.settings")
    async def add_rider(self, form: dict):
        self.errors, self.form_error, self.link = {}, "", ""
        try:
            actor = await current_actor(self)
            store_id = int(self.store_id)
            await in_session(
                lambda s: own_riders.save_rider(
                    s, actor=actor, store_id=store_id, name=form.get("name", ""), phone=form.get("phone", "")
                )
            )
            await self._reload()
        except Exception as exc:
            return await self._failed(exc)
        return rx.toast.success(await translate(self, "common.saved"))

    @rx.event
    @requires("delivery.settings")
    async def toggle_rider(self, rider: dict):
        try:
            actor = await current_actor(self)
            store_id = int(self.store_id)
            await in_session(
                lambda s: own_riders.save_rider(
                    s,
                    actor=actor,
                    store_id=store_id,
                    name=rider["name"],
                    phone=rider["phone"],
                    active=not rider["active"],
                    rider_id=int(rider["id"]),
                )
            )
            await self._reload()
        except Exception as exc:
            return await self._failed(exc)

    @rx.event
    @requires("delivery.settings")
    async def new_link(self, rider_id: str):
        try:
            actor = await current_actor(self)
            token = await in_session(lambda s: own_riders.new_link(s, actor=actor, rider_id=int(rider_id)))
        except Exception as exc:
            return await self._failed(exc)
        self.link = self.router.page.host + RIDER_PAGE + token

    # ---- auto-dispatch -----------------------------------------------------------------------
    @rx.event
    @requires("delivery.settings")
    async def save_rule(self, form: dict):
        self.errors, self.form_error = {}, ""
        try:
            minutes = rules_.check(
                "accept_minutes", rules_.whole, form.get("accept_minutes") or "5", minimum=1, maximum=60
            )
            cap = rules_.check("max_fee", rules_.money, form.get("max_fee"), maximum=100_000) or None
        except rules_.InputError as exc:
            self.errors = {exc.field: await translate(self, exc.key, **exc.params)}
            return None
        preferred = [c.strip() for c in str(form.get("preferred", "")).replace("，", ",").split(",") if c.strip()]
        try:
            actor = await current_actor(self)
            store_id = int(self.store_id)
            await in_session(
                lambda s: auto_dispatch.save_rule(
                    s,
                    actor=actor,
                    store_id=store_id,
                    enabled=form.get("enabled") == "on",
                    trigger=str(form.get("trigger", "ready")),
                    strategy=str(form.get("strategy", "cheapest")),
                    preferred=preferred,
                    max_fee_fen=cap,
                    accept_minutes=minutes,
                )
            )
            await self._reload()
        except Exception as exc:
            return await self._failed(exc)
        return rx.toast.success(await translate(self, "common.saved"))
