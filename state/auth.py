"""Login session and the current user.

AuthState holds the session cookie. Page states are flat (each inherits rx.State) and resolve
the actor from that cookie on every event with `await current_actor(self)`, so store scope is
checked per handler, not per page. Every lookup runs off the event loop (state/offloop.py).
"""

from __future__ import annotations

import contextvars
import dataclasses
from contextlib import contextmanager

import reflex as rx

from qihang_app.config import get_settings
from qihang_app.domain import input_rules as rules
from qihang_app.i18n import tr
from qihang_app.services import auth
from qihang_app.services import roles as role_service
from qihang_app.services.errors import ServiceError
from qihang_app.services.scope import Actor, ScopeError
from state.lang import LangState
from state.marks import public
from state.offloop import in_session

SESSION_COOKIE = "qh_session"


class NotLoggedIn(PermissionError):
    pass


class AuthState(rx.State):
    # The browser's own session token; the server stores only its hash.
    token: str = rx.Cookie("", name=SESSION_COOKIE, same_site="strict", max_age=get_settings().session_hours * 3600)
    username: str = ""
    display_name: str = ""
    role: str = ""
    role_name: str = ""  # the role's own name (merchant-defined roles have no catalog key)
    perms: list[str] = []  # permission keys of the role: menus and buttons follow them
    store_count: int = 0  # stores granted (admins: all); 0 means the board can never fill

    async def _resolve(self) -> Actor:
        """The current user, resolved from the token now (raises NotLoggedIn)."""
        token = self.token
        if not token:
            raise NotLoggedIn()
        actor = await in_session(lambda s: auth.resolve_session(s, token=token))
        if actor is None:
            raise NotLoggedIn()
        return actor

    @rx.var
    def is_admin(self) -> bool:
        return "users.manage" in self.perms

    @rx.var
    def without_stores(self) -> bool:
        return self.username != "" and self.store_count == 0

    @rx.var
    def can_manage(self) -> bool:
        return "stores.manage" in self.perms

    # ---- events ------------------------------------------------------------------------------
    @rx.event
    @public
    async def require_login(self):
        """on_load of every protected page."""
        try:
            actor = await self._resolve()
        except NotLoggedIn:
            self.username = ""
            return rx.redirect("/login")
        self.username = actor.username
        self.display_name = getattr(actor, "display_name", "") or actor.username
        self.role = actor.role
        self.perms = sorted(actor.permissions)
        self.role_name = await in_session(lambda s: role_service.name_of(s, actor.role))
        self.store_count = 1 if actor.all_stores else len(actor.store_ids)

    @rx.event
    @public
    async def go_home(self):
        try:
            await self._resolve()
        except NotLoggedIn:
            return rx.redirect("/login")
        return rx.redirect("/board")

    @rx.event
    @public
    async def logout(self):
        token, address = self.token, self.router.session.client_ip or None
        if token:
            await in_session(lambda s: auth.logout(s, token=token, client_ip=address))
        self.token = ""
        self.username = self.display_name = self.role = self.role_name = ""
        self.perms = []
        return rx.redirect("/login")


# ---- what every page state uses -------------------------------------------------------------
# The user a @requires check resolved for the handler running now (state/permissions.py): the
# handler's own current_actor() call reuses it instead of a second lookup.
_checked: contextvars.ContextVar[tuple[str, Actor] | None] = contextvars.ContextVar("qh_checked", default=None)


@contextmanager
def checked_actor(state: rx.State, actor: Actor):
    mark = _checked.set((state.router.session.client_token, actor))
    try:
        yield
    finally:
        _checked.reset(mark)


async def current_actor(state: rx.State) -> Actor:
    """The signed-in user of this tab, resolved now (raises NotLoggedIn), with the tab's address
    (the audit trail records it)."""
    checked = _checked.get()
    if checked is not None and checked[0] == state.router.session.client_token:
        return checked[1]
    actor = await (await state.get_state(AuthState))._resolve()
    return dataclasses.replace(actor, address=state.router.session.client_ip or None)


async def lang_of(state: rx.State) -> str:
    return (await state.get_state(LangState)).lang


async def translate(state: rx.State, key: str, **params: object) -> str:
    """A catalog message (qihang_app/i18n.py) in this tab's language."""
    return tr(key, await lang_of(state), **params)


async def explain(state: rx.State, exc: Exception) -> str:
    """A service's refusal in this tab's language (one language, never a "中文 / English" pair)."""
    if isinstance(exc, ServiceError):
        return await translate(state, exc.key, **exc.params)
    return str(exc)


async def refuse(state: rx.State, exc: Exception):
    """Turn a scope or login failure into what the user sees; anything else is a bug: re-raise."""
    if isinstance(exc, NotLoggedIn):
        return rx.redirect("/login")
    if isinstance(exc, ScopeError):
        return rx.toast.error(await translate(state, "common.no_permission"))
    raise exc


class LoginState(rx.State):
    error: str = ""
    errors: dict[str, str] = {}  # input name → its message
    busy: bool = False

    @rx.event
    @public
    async def submit(self, form: dict):
        """Only the shape is checked here (empty, too long, emoji or markup): whether such a
        user exists is the login's business, answered without saying which part was wrong."""
        password = form.get("password") or ""
        values, problems = rules.check_all(
            {"username": (rules.text, form.get("username"), dict(limit="username", required=True))}
        )
        if not password:
            problems["password"] = rules.InputError("input.required")
        elif len(password) > rules.LIMITS["password"]:  # any character may be in a password
            problems["password"] = rules.InputError(
                "input.too_long", limit=rules.LIMITS["password"], length=len(password)
            )
        self.errors = {f: await translate(self, p.key, **p.params) for f, p in problems.items()}
        self.error = ""
        if problems:
            return
        username = values["username"]
        client_ip = self.router.session.client_ip or None
        user_agent = self.router.headers.user_agent or ""
        result = await in_session(
            lambda s: auth.login(s, username=username, password=password, client_ip=client_ip, user_agent=user_agent)
        )
        if not result.ok:
            if result.error == "locked":
                self.error = await translate(self, "login.locked", seconds=result.wait_seconds)
            else:
                self.error = await translate(self, f"login.{result.error}")
            return
        self.error = ""
        (await self.get_state(AuthState)).token = result.token
        return rx.redirect("/board")

    @rx.event
    @public
    async def redirect_if_logged_in(self):
        try:
            await current_actor(self)
        except NotLoggedIn:
            return
        return rx.redirect("/board")
