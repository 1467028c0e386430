"""用户 (admin only): users, roles and store grants."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from qihang_app.domain import input_rules as rules
from qihang_app.domain.display import format_time
from qihang_app.domain.permissions import ALL_STORES
from qihang_app.i18n import MESSAGES
from qihang_app.services import roles as role_service
from qihang_app.services import stores as store_service
from qihang_app.services import users as user_service
from qihang_app.services.auth import MIN_PASSWORD_LENGTH
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, refuse, translate
from state.form_errors import messages, placed
from state.offloop import in_session
from state.permissions import requires, view_only

EMPTY_USER = {"id": "", "username": "", "display_name": "", "role": "staff", "enabled": "1"}


class UsersState(rx.State):
    users: list[dict[str, str]] = []
    store_options: list[dict[str, str]] = []
    role_options: list[dict[str, str]] = []  # key, name, name_en
    all_store_roles: list[str] = []  # roles that see every store (no grants to pick)
    dialog: bool = False
    form: dict[str, str] = dict(EMPTY_USER)
    grants: list[str] = []
    form_error: str = ""
    errors: dict[str, str] = {}  # input name → its message ("stores" for the grants)

    @rx.event
    @requires("page.users")
    async def load(self):
        try:
            actor = await current_actor(self)
            users, stores, roles = await in_session(
                lambda s: (
                    user_service.list_users(s, actor=actor),
                    store_service.list_stores(s, actor=actor),
                    role_service.list_roles(s, actor=actor),
                )
            )
            now = datetime.now(UTC)
            names = {
                r.key: MESSAGES.get(f"role.{r.key}", (r.name, r.name)) if r.preset else (r.name, r.name) for r in roles
            }
            every_store = {r.key for r in roles if ALL_STORES in r.permissions}
            self.role_options = [{"key": r.key, "name": names[r.key][0], "name_en": names[r.key][1]} for r in roles]
            self.all_store_roles = sorted(every_store)
            self.users = [
                {
                    "id": str(u.id),
                    "username": u.username,
                    "display_name": u.display_name or "",
                    "role": u.role,
                    "role_name": names.get(u.role, (u.role, u.role))[0],
                    "role_name_en": names.get(u.role, (u.role, u.role))[1],
                    "all_stores": "1" if u.role in every_store else "",
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
    @view_only
    def new_user(self):
        self.form = dict(EMPTY_USER)
        self.grants = []
        self.form_error = ""
        self.errors = {}
        self.dialog = True

    @rx.event
    @view_only
    def edit_user(self, user: dict):
        self.form = {k: str(user.get(k, "")) for k in EMPTY_USER}
        self.grants = [s for s in str(user.get("stores", "")).split(",") if s]
        self.form_error = ""
        self.errors = {}
        self.dialog = True

    @rx.event
    @view_only
    def set_dialog(self, value: bool):
        self.dialog = value

    @rx.event
    @view_only
    def set_role(self, value: str | list[str]):
        self.form["role"] = value if isinstance(value, str) else value[0]

    @rx.event
    @view_only
    def toggle_grant(self, store_id: str):
        if store_id in self.grants:
            self.grants = [g for g in self.grants if g != store_id]
        else:
            self.grants = self.grants + [store_id]

    @rx.event
    @requires("users.manage")
    async def save(self, form: dict):
        existing = int(self.form["id"]) if self.form.get("id") else None
        password = form.get("password") or ""
        role = self.form.get("role") or "staff"
        checks = {"display_name": (rules.text, form.get("display_name"), dict(limit="display_name"))}
        if existing is None:  # the username is fixed once created (its input is disabled)
            checks["username"] = (rules.username, form.get("username"))
        values, problems = rules.check_all(checks)
        self.errors = await messages(self, problems)
        if role not in self.all_store_roles and not self.grants:
            self.errors["stores"] = await translate(self, "users.err.store_required")
        if (existing is None or password) and not MIN_PASSWORD_LENGTH <= len(password) <= rules.LIMITS["password"]:
            short = len(password) < MIN_PASSWORD_LENGTH
            self.errors["password"] = await translate(
                self,
                "users.err.short_password" if short else "users.err.long_password",
                n=MIN_PASSWORD_LENGTH if short else rules.LIMITS["password"],
            )
        self.form_error = ""
        if self.errors:
            return
        enabled = bool(form.get("enabled"))
        grants = [int(g) for g in self.grants]

        def save(session):
            if existing is not None:
                user_id = existing
                user_service.update_user(
                    session,
                    actor=actor,
                    user_id=user_id,
                    display_name=values["display_name"],
                    role=role,
                    enabled=enabled,
                )
                if password:
                    user_service.set_password(session, actor=actor, user_id=user_id, password=password)
                user_service.set_store_grants(session, actor=actor, user_id=user_id, store_ids=grants)
            else:
                user_service.create_user(
                    session,
                    actor=actor,
                    username=values["username"],
                    display_name=values["display_name"],
                    role=role,
                    password=password,
                    store_ids=grants,
                )

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
    @requires("users.manage")
    async def set_enabled(self, user_id: str, enabled: bool):
        """停用 / 启用 from the list: a disabled user's sessions end at once."""
        return await self._change(
            lambda s, actor: user_service.update_user(s, actor=actor, user_id=int(user_id), enabled=enabled),
            "common.saved",
        )

    @rx.event
    @requires("users.manage")
    async def delete(self, user_id: str):
        return await self._change(
            lambda s, actor: user_service.delete_user(s, actor=actor, user_id=int(user_id)), "common.deleted"
        )

    async def _change(self, work, done_key: str):
        try:
            actor = await current_actor(self)
            await in_session(lambda s: work(s, actor))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        await self.load()
        return rx.toast.success(await translate(self, done_key))
