"""Login session and the current user. Every page state inherits from AuthState and resolves the
actor from the session token on every event, so store scope is checked per handler, not per page.
"""

from __future__ import annotations

import reflex as rx

from qihang_app.config import get_settings
from qihang_app.db import session_scope
from qihang_app.i18n import tr
from qihang_app.services import auth
from qihang_app.services.scope import Actor, ScopeError
from state.lang import LangState

SESSION_COOKIE = "qh_session"


class NotLoggedIn(PermissionError):
    pass


class AuthState(rx.State):
    # The browser's own session token; the server stores only its hash.
    token: str = rx.Cookie("", name=SESSION_COOKIE, same_site="strict", max_age=get_settings().session_hours * 3600)
    username: str = ""
    display_name: str = ""
    role: str = ""

    # ---- helpers for subclasses -------------------------------------------------------------
    def _actor(self) -> Actor:
        """The current user, resolved from the token now (raises NotLoggedIn)."""
        if not self.token:
            raise NotLoggedIn()
        with session_scope() as session:
            actor = auth.resolve_session(session, token=self.token)
        if actor is None:
            raise NotLoggedIn()
        return actor

    async def _lang(self) -> str:
        return (await self.get_state(LangState)).lang

    async def _t(self, key: str, **params: object) -> str:
        return tr(key, await self._lang(), **params)

    async def _denied(self, exc: Exception):
        """Turn a scope or login failure into what the user sees."""
        if isinstance(exc, NotLoggedIn):
            return rx.redirect("/login")
        if isinstance(exc, ScopeError):
            return rx.toast.error(await self._t("common.no_permission"))
        raise exc

    @rx.var
    def is_admin(self) -> bool:
        return self.role == "admin"

    @rx.var
    def can_manage(self) -> bool:
        return self.role in ("admin", "manager")

    # ---- events ------------------------------------------------------------------------------
    @rx.event
    def require_login(self):
        """on_load of every protected page."""
        try:
            actor = self._actor()
        except NotLoggedIn:
            self.username = ""
            return rx.redirect("/login")
        self.username = actor.username
        self.display_name = getattr(actor, "display_name", "") or actor.username
        self.role = actor.role

    @rx.event
    def go_home(self):
        try:
            self._actor()
        except NotLoggedIn:
            return rx.redirect("/login")
        return rx.redirect("/board")

    @rx.event
    def logout(self):
        if self.token:
            with session_scope() as session:
                auth.logout(session, token=self.token)
        self.token = ""
        self.username = self.display_name = self.role = ""
        return rx.redirect("/login")


class LoginState(AuthState):
    error: str = ""
    busy: bool = False

    @rx.event
    async def submit(self, form: dict):
        username = (form.get("username") or "").strip()
        password = form.get("password") or ""
        if not username or not password:
            self.error = await self._t("login.required")
            return
        with session_scope() as session:
            result = auth.login(
                session,
                username=username,
                password=password,
                client_ip=self.router.session.client_ip or None,
                user_agent=self.router.headers.user_agent or "",
            )
        if not result.ok:
            if result.error == "locked":
                self.error = await self._t("login.locked", seconds=result.wait_seconds)
            else:
                self.error = await self._t(f"login.{result.error}")
            return
        self.error = ""
        self.token = result.token
        return rx.redirect("/board")

    @rx.event
    def redirect_if_logged_in(self):
        try:
            self._actor()
        except NotLoggedIn:
            return
        return rx.redirect("/board")
