"""门店与店铺 page, the list of stores with their platform shops, and the store form. The shop form
and the calls that reach a platform (pulls, 测试连接) have states of their own
(state/shop_form.py, state/platform_calls.py)."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain import input_rules as rules
from qihang_app.domain import partners
from qihang_app.services import stores as store_service
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, refuse, translate
from state.form_errors import messages, placed
from state.offloop import in_session
from state.permissions import requires, view_only
from state.shop_oauth import token_fields

EMPTY_STORE = {"id": "", "name": "", "address": "", "phone": "", "opening_hours": "", "lat": "", "lng": ""}


def _store_row(s) -> dict[str, str]:
    return {
        "id": str(s.id),
        "name": s.name,
        "address": s.address or "",
        "phone": s.phone or "",
        "opening_hours": s.opening_hours or "",
        "lat": "" if s.lat is None else f"{s.lat:.6f}",
        "lng": "" if s.lng is None else f"{s.lng:.6f}",
    }


def _shop_row(sh) -> dict[str, str]:
    return {
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
        **token_fields(sh),  # OAuth platforms: token expiry and its badge
    }


async def form_failure(state: rx.State, exc: Exception):
    """A refused save or delete: the reason in the form and in a toast (scope: the usual refusal)."""
    if isinstance(exc, ValueError):
        state.form_error = await explain(state, exc)
        return rx.toast.error(state.form_error)
    return await refuse(state, exc)


async def save_form(state: rx.State, save) -> tuple[bool, object]:
    """Run `save(session, actor)` off the event loop: (True, None) when saved, else (False, what
    the handler returns) with the refusal at its field or in the form."""
    try:
        actor = await current_actor(state)
        await in_session(lambda session: save(session, actor))
    except ServiceError as exc:
        if at_field := await placed(state, exc):
            state.errors = at_field
            return False, None
        return False, await form_failure(state, exc)
    except PermissionError as exc:
        return False, await form_failure(state, exc)
    return True, None


class StoresState(rx.State):
    stores: list[dict[str, str]] = []
    shops: list[dict[str, str]] = []

    store_dialog: bool = False
    store_form: dict[str, str] = dict(EMPTY_STORE)
    form_error: str = ""
    errors: dict[str, str] = {}  # input name → its message

    @rx.event
    @requires("page.stores")
    async def load(self):
        try:
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)

    async def _reload(self) -> None:
        actor = await current_actor(self)
        stores, shops = await in_session(
            lambda s: (store_service.list_stores(s, actor=actor), store_service.list_shops(s, actor=actor))
        )
        self.stores = [_store_row(s) for s in stores]
        self.shops = [_shop_row(sh) for sh in shops]

    # ---- the store form ----------------------------------------------------------------------
    @rx.event
    @view_only
    def new_store(self):
        self.store_form = dict(EMPTY_STORE)
        self.form_error = ""
        self.errors = {}
        self.store_dialog = True

    @rx.event
    @view_only
    def edit_store(self, store: dict):
        self.store_form = {k: str(store.get(k, "")) for k in EMPTY_STORE}
        self.form_error = ""
        self.errors = {}
        self.store_dialog = True

    @rx.event
    @view_only
    def set_store_dialog(self, value: bool):
        self.store_dialog = value

    @rx.event
    @requires("stores.manage")
    async def save_store(self, form: dict):
        values, problems = rules.check_all(
            {
                "name": (rules.text, form.get("name"), dict(limit="store_name", required=True)),
                "address": (rules.text, form.get("address"), dict(limit="address")),
                "phone": (rules.phone, form.get("phone")),
                "opening_hours": (rules.opening_hours, form.get("opening_hours")),
                "lat": (rules.latitude, form.get("lat")),
                "lng": (rules.longitude, form.get("lng")),
            }
        )
        self.errors = await messages(self, problems)
        self.form_error = ""
        if problems:
            return
        store_id = int(self.store_form["id"]) if self.store_form.get("id") else None

        def save(session, actor):
            if store_id is not None:
                store_service.update_store(session, actor=actor, store_id=store_id, **values)
            else:
                store_service.create_store(session, actor=actor, **values)

        saved, answer = await save_form(self, save)
        if not saved:
            return answer
        self.store_dialog = False
        return await self._reloaded("common.saved")

    @rx.event
    @requires("stores.manage")
    async def delete_store(self, store_id: str):
        try:
            actor = await current_actor(self)
            await in_session(lambda s: store_service.delete_store(s, actor=actor, store_id=int(store_id)))
        except (PermissionError, ValueError) as exc:
            return await form_failure(self, exc)
        return await self._reloaded("common.deleted")

    async def _reloaded(self, done_key: str):
        """After a change: the fresh list and a toast saying it is done."""
        try:
            await self._reload()
        except Exception as exc:
            return await refuse(self, exc)
        return rx.toast.success(await translate(self, done_key))
