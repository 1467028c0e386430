"""角色: merchant-defined roles (sets of permissions), with the three presets."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain.permissions import BY_KEY, PERMISSIONS
from qihang_app.services import roles as role_service
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, refuse, translate
from state.form_errors import placed
from state.offloop import in_session
from state.permissions import requires, view_only

EMPTY_ROLE = {"id": "", "name": "", "preset": ""}


class RolesState(rx.State):
    roles: list[dict[str, str]] = []
    dialog: bool = False
    form: dict[str, str] = dict(EMPTY_ROLE)
    chosen: list[str] = []
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    @requires("page.roles")
    async def load(self):
        try:
            actor = await current_actor(self)
            rows = await in_session(lambda s: role_service.list_roles(s, actor=actor))
        except Exception as exc:
            return await refuse(self, exc)
        order = [p.key for p in PERMISSIONS]
        self.roles = [
            {
                "id": str(r.id),
                "key": r.key,
                "name": r.name,
                "preset": "1" if r.preset else "",
                "users": str(r.users),
                "count": str(len(r.permissions)),
                "permissions": ",".join(sorted(r.permissions)),
                "summary": "、".join(BY_KEY[k].zh for k in order if k in r.permissions),
                "summary_en": ", ".join(BY_KEY[k].en for k in order if k in r.permissions),
            }
            for r in rows
        ]

    @rx.event
    @view_only
    def new_role(self):
        self.form, self.chosen, self.errors, self.form_error = dict(EMPTY_ROLE), [], {}, ""
        self.dialog = True

    @rx.event
    @view_only
    def edit_role(self, role: dict):
        self.form = {k: str(role.get(k, "")) for k in EMPTY_ROLE}
        self.chosen = [k for k in str(role.get("permissions", "")).split(",") if k]
        self.errors, self.form_error = {}, ""
        self.dialog = True

    @rx.event
    @view_only
    def set_dialog(self, value: bool):
        self.dialog = value

    @rx.event
    @view_only
    def toggle(self, key: str):
        self.errors = {k: v for k, v in self.errors.items() if k != "permissions"}
        self.chosen = [k for k in self.chosen if k != key] if key in self.chosen else self.chosen + [key]

    @rx.event
    @view_only
    def toggle_group(self, group: str):
        keys = [p.key for p in PERMISSIONS if p.group == group]
        if all(k in self.chosen for k in keys):
            self.chosen = [k for k in self.chosen if k not in keys]
        else:
            self.chosen = self.chosen + [k for k in keys if k not in self.chosen]

    @rx.event
    @requires("roles.manage")
    async def save(self, form: dict):
        role_id = int(self.form["id"]) if self.form.get("id") else None
        name, keys = (form.get("name") or "").strip(), list(self.chosen)

        def save(session):
            if role_id is None:
                role_service.create_role(session, actor=actor, name=name, permissions=keys)
            else:
                role_service.update_role(session, actor=actor, role_id=role_id, name=name, permissions=keys)

        self.errors, self.form_error = {}, ""
        try:
            actor = await current_actor(self)
            await in_session(save)
        except ServiceError as exc:
            if at_field := await placed(self, exc):
                self.errors = at_field
            else:
                self.form_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.dialog = False
        await self.load()
        return rx.toast.success(await translate(self, "common.saved"))

    @rx.event
    @requires("roles.manage")
    async def delete(self, role_id: str):
        try:
            actor = await current_actor(self)
            await in_session(lambda s: role_service.delete_role(s, actor=actor, role_id=int(role_id)))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc), id="role-refused")
        except Exception as exc:
            return await refuse(self, exc)
        await self.load()
        return rx.toast.success(await translate(self, "common.deleted"))
