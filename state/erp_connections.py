"""ERP 对接: the merchant's ERP connections, their form (keys per the kind's fields; a secret left
empty keeps the stored one) and 测试连接 answered by a worker in plain words."""

from __future__ import annotations

import json

import reflex as rx

from qihang_app import jobs
from qihang_app.domain import erp_kinds
from qihang_app.i18n import render
from qihang_app.services import erp_connections as conn_service
from qihang_app.services import stores as store_service
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, lang_of, refuse, translate
from state.form_errors import placed
from state.offloop import in_session

EMPTY = {
    "id": "", "name": "", "erp": "qihang", "store_id": "all", "base_url": "", "settings": "{}", "push_on": "accept",
    "customer_mode": "per_buyer", "push_cancels": "1", "push_after_sales": "1", "enabled": "1",
}  # fmt: skip


def _row(v: conn_service.ConnectionView, stores: dict[int, str]) -> dict[str, str]:
    kind = erp_kinds.profile(v.erp)
    return {
        "id": str(v.id),
        "name": v.name,
        "erp": v.erp,
        "erp_name": kind.name_zh if kind else v.erp,
        "store_id": "all" if v.store_id is None else str(v.store_id),
        "store": stores.get(v.store_id, "") if v.store_id else "",
        "base_url": v.base_url,
        "settings": json.dumps(v.settings, ensure_ascii=False),
        "push_on": v.push_on,
        "customer_mode": v.customer_mode,
        "push_cancels": "1" if v.push_cancels else "",
        "push_after_sales": "1" if v.push_after_sales else "",
        "enabled": "1" if v.enabled else "",
        "check": render(v.last_check_message, "zh"),
        "check_en": render(v.last_check_message, "en"),
    }


class ErpConnectionsState(rx.State):
    rows: list[dict[str, str]] = []
    store_options: list[dict[str, str]] = []
    form: dict[str, str] = dict(EMPTY)
    form_open: bool = False
    form_errors: dict[str, str] = {}
    form_error: str = ""
    testing: str = ""
    customers_open: bool = False
    customers_for: str = ""
    customer_rows: list[dict[str, str]] = []
    customer_errors: dict[str, str] = {}

    @rx.var
    def kind_fields(self) -> list[dict[str, str]]:
        """The chosen kind's keys (its `fields`), with the stored values of the non-secret ones."""
        kind = erp_kinds.profile(self.form.get("erp", ""))
        stored = json.loads(self.form.get("settings") or "{}")
        return [
            {
                "name": f.name, "label_zh": f.label_zh, "label_en": f.label_en, "secret": "1" if f.secret else "",
                "hint_zh": f.hint_zh, "hint_en": f.hint_en, "value": "" if f.secret else str(stored.get(f.name, "")),
            }
            for f in (kind.fields if kind else ())
        ]  # fmt: skip

    @rx.var
    def kinds(self) -> list[dict[str, str]]:
        return [{"code": p.code, "zh": p.name_zh, "en": p.name_en} for p in erp_kinds.profiles()]

    @rx.event
    async def load(self):
        try:
            actor = await current_actor(self)

            def read(session):
                stores = store_service.list_stores(session, actor=actor)
                names = {s.id: s.name for s in stores}
                return [_row(v, names) for v in conn_service.list_connections(session, actor=actor)], stores

            self.rows, stores = await in_session(read)
        except Exception as exc:
            return await refuse(self, exc)
        self.store_options = [{"id": str(s.id), "name": s.name} for s in stores]

    @rx.event
    def new_connection(self):
        self.form, self.form_errors, self.form_error, self.form_open = dict(EMPTY), {}, "", True

    @rx.event
    def edit(self, row: dict):
        self.form = {k: str(row.get(k, v)) for k, v in EMPTY.items()}
        self.form_errors, self.form_error, self.form_open = {}, "", True

    @rx.event
    def set_form_open(self, value: bool):
        self.form_open = value

    @rx.event
    def set_choice(self, name: str, value: str):
        self.form = {**self.form, name: value}

    @rx.event
    def set_flag(self, name: str, value: bool):
        self.form = {**self.form, name: "1" if value else ""}

    @rx.event
    async def save(self, typed: dict):
        self.form_errors, self.form_error = {}, ""
        f = {**self.form, **{k: str(v) for k, v in typed.items()}}
        options = {
            "push_on": f["push_on"],
            "customer_mode": f["customer_mode"],
            "push_cancels": bool(f["push_cancels"]),
            "push_after_sales": bool(f["push_after_sales"]),
            "enabled": bool(f["enabled"]),
            "store_id": None if f["store_id"] in ("", "all") else int(f["store_id"]),
        }
        keys = {field["name"]: str(typed.get("k_" + field["name"], "")) for field in self.kind_fields}
        try:
            actor = await current_actor(self)

            def write(session):
                if f["id"]:
                    return conn_service.update_connection(
                        session,
                        actor=actor,
                        connection_id=int(f["id"]),
                        name=f["name"],
                        base_url=f["base_url"],
                        keys=keys,
                        **options,
                    )
                return conn_service.create_connection(
                    session, actor=actor, name=f["name"], erp=f["erp"], base_url=f["base_url"], keys=keys, **options
                )

            await in_session(write)
        except ServiceError as exc:
            self.form_errors = await placed(self, exc)
            if not self.form_errors:
                self.form_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.form_open = False
        message = await translate(self, "erp.ui.saved")
        return [ErpConnectionsState.load, rx.toast.success(message)]

    @rx.event(background=True)
    async def test(self, connection_id: str):
        async with self:
            self.testing = connection_id
        try:
            message = await jobs.run("test_erp_connection", int(connection_id), timeout=20)
        except Exception:  # no worker answered: say so, nothing was stored
            message = "erp.ui.no_worker"
        async with self:
            self.testing = ""
            words = render(message, await lang_of(self))
        return [ErpConnectionsState.load, rx.toast.info(words)]

    # ---- 固定客户 per shop (when the connection maps per shop) --------------------------------
    @rx.event
    async def open_customers(self, connection_id: str):
        try:
            actor = await current_actor(self)
            rows = await in_session(
                lambda s: conn_service.shop_customers(s, actor=actor, connection_id=int(connection_id))
            )
        except Exception as exc:
            return await refuse(self, exc)
        self.customer_rows = [
            {"shop_id": str(i), "shop": name, "platform": platform, "code": code} for i, name, platform, code in rows
        ]
        self.customers_for, self.customer_errors, self.customers_open = connection_id, {}, True

    @rx.event
    def set_customers_open(self, value: bool):
        self.customers_open = value

    @rx.event
    async def save_customers(self, typed: dict):
        self.customer_errors = {}
        try:
            actor = await current_actor(self)

            def write(session):
                for row in self.customer_rows:
                    name = f"shop_{row['shop_id']}"
                    try:
                        conn_service.set_shop_customer(
                            session,
                            actor=actor,
                            connection_id=int(self.customers_for),
                            shop_id=int(row["shop_id"]),
                            code=str(typed.get(name, "")),
                        )
                    except ServiceError as exc:
                        exc.field = name
                        raise

            await in_session(write)
        except ServiceError as exc:
            self.customer_errors = await placed(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.customers_open = False
        return rx.toast.success(await translate(self, "erp.ui.saved"))
