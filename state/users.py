"""用户 (admin only): users, roles and store grants."""

from __future__ import annotations

from datetime import datetime, timezone

import reflex as rx

from qihang_app.domain.display import format_time
from qihang_app.services import stores as store_service
from qihang_app.services import users as user_service
from state.auth import current_actor, explain, refuse, translate
from state.offloop import in_session

EMPTY_USER = {"id": "", "username": "", "display_name": "", "role": "staff", "enabled": "1"}


class UsersState(rx.State):
    users: list[dict[str, str]] = []
    store_options: list[dict[str, str]] = []
    dialog: bool = False
    form: dict[str, str] = dict(EMPTY_USER)
    grants: list[str] = []
    form_error: str = ""

    @rx.event
    async def load(self):
        try:
            actor = await current_actor(self)
            users, stores = await in_session(
                lambda s: (user_service.list_users(s, actor=actor), store_service.list_stores(s, actor=actor)))
            now = datetime.now(timezone.utc)
            self.users = [
                {
                    "id": str(u.id),
                    "username": u.username,
                    "display_name": u.display_name or "",
                    "role": u.role,
                    "enabled": "1" if u.enabled else "",
                    "last_login": format_time(u.last_login_at, now) if u.last_login_at else "",
                    "stores": ",".join(str(s) for s in sorted(u.store_ids)),
                }
                for u in users
            ]
            self.store_options = [{"id": str(s.id), "name": s.name} for s in stores]
        except Exception as exc:
            return await refuse(self, exc)

    @rx.event
    def new_user(self):
        self.form = dict(EMPTY_USER)
        self.grants = []
        self.form_error = ""
        self.dialog = True

    @rx.event
    def edit_user(self, user: dict):
        self.form = {k: str(user.get(k, "")) for k in EMPTY_USER}
        self.grants = [s for s in str(user.get("stores", "")).split(",") if s]
        self.form_error = ""
        self.dialog = True

    @rx.event
    def set_dialog(self, value: bool):
        self.dialog = value

    @rx.event
    def set_role(self, value: str | list[str]):
        self.form["role"] = value if isinstance(value, str) else value[0]

    @rx.event
    def toggle_grant(self, store_id: str):
        if store_id in self.grants:
            self.grants = [g for g in self.grants if g != store_id]
        else:
            self.grants = self.grants + [store_id]

    @rx.event
    async def save(self, form: dict):
        username = (form.get("username") or "").strip()
        password = form.get("password") or ""
        display_name = (form.get("display_name") or "").strip()
        role = self.form.get("role") or "staff"
        enabled = bool(form.get("enabled"))
        existing = int(self.form["id"]) if self.form.get("id") else None
        grants = [int(g) for g in self.grants]

        def save(session):
            if existing is not None:
                user_id = existing
                user_service.update_user(session, actor=actor, user_id=user_id, display_name=display_name, role=role, enabled=enabled)
                if password:
                    user_service.set_password(session, actor=actor, user_id=user_id, password=password)
            else:
                user = user_service.create_user(
                    session, actor=actor, username=username, display_name=display_name, role=role, password=password
                )
                session.flush()
                user_id = user.id
            user_service.set_store_grants(session, actor=actor, user_id=user_id, store_ids=grants)

        try:
            actor = await current_actor(self)
            await in_session(save)
        except ValueError as exc:
            self.form_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.dialog = False
        await self.load()
        return rx.toast.success(await translate(self, "common.saved"))
