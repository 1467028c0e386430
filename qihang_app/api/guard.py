"""Every API route declares who may call it: `@requires("audit.view")` or `@public("why")`.

`requires` resolves the caller from `Authorization: Bearer <session token>` (or the app's session
cookie), refuses with 401 when nobody is signed in and 403 when their role lacks the permission,
and hands the Actor to the endpoint as `request.state.actor`. tests/api/test_route_permissions.py
fails for any route of build_api() carrying neither declaration.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from qihang_app.db import get_engine
from qihang_app.domain.permissions import KEYS
from qihang_app.services import auth

PERMISSION_ATTR = "__permission__"
PUBLIC = "public"
SESSION_COOKIE = "qh_session"  # the same cookie the pages use (state/auth.py)


def public(reason: str):
    """Open without a session: say why (a platform signs its own pushes, a probe must reach health)."""

    def mark(endpoint):
        setattr(endpoint, PERMISSION_ATTR, PUBLIC)
        endpoint.__public_reason__ = reason
        return endpoint

    return mark


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE, "")


def engine_of(request: Request):
    return getattr(request.app.state, "db_engine", None) or get_engine()


def _resolve(engine, token: str):
    with Session(engine, expire_on_commit=False) as session:
        return auth.resolve_session(session, token=token)


def requires(permission: str):
    if permission not in KEYS:
        raise ValueError(f"unknown permission {permission!r}: add it to domain/permissions.py")

    def wrap(endpoint):
        @functools.wraps(endpoint)
        async def guarded(request: Request):
            token = _token(request)
            actor = await asyncio.to_thread(_resolve, engine_of(request), token) if token else None
            if actor is None:
                return JSONResponse({"error": "not_logged_in"}, status_code=401)
            if not actor.can(permission):
                return JSONResponse({"error": "forbidden", "permission": permission}, status_code=403)
            address = request.client.host if request.client else None
            request.state.actor = dataclasses.replace(actor, address=address)
            return await endpoint(request)

        setattr(guarded, PERMISSION_ATTR, permission)
        return guarded

    return wrap
