"""Every API route declares who may call it (qihang_app/api/guard.py): a permission, or public
with a reason. A route merged later without one fails here."""

from __future__ import annotations

import pytest

from qihang_app.api.guard import PERMISSION_ATTR, PUBLIC, public, requires
from qihang_app.api.routes import build_api
from qihang_app.domain.permissions import KEYS


def undeclared(app) -> list[str]:
    problems = []
    for route in app.routes:
        endpoint = getattr(route, "endpoint", None)
        declared = getattr(endpoint, PERMISSION_ATTR, None)
        if declared not in KEYS | {PUBLIC}:
            problems.append(f"{route.path}: {declared!r}")
        elif declared == PUBLIC and not getattr(endpoint, "__public_reason__", ""):
            problems.append(f"{route.path}: public without a reason")
    return problems


def test_every_route_declares_who_may_call_it():
    app = build_api(enqueue=False)
    assert len(app.routes) >= 5
    assert undeclared(app) == []


def test_the_checker_catches_an_undeclared_route():
    from starlette.applications import Starlette
    from starlette.routing import Route

    async def bare(request): ...

    @requires("audit.view")
    async def guarded(request): ...

    @public("")
    async def reasonless(request): ...

    app = Starlette(routes=[Route("/a", bare), Route("/b", guarded), Route("/c", reasonless)])
    assert undeclared(app) == ["/a: None", "/c: public without a reason"]


def test_an_unknown_permission_fails_at_import():
    with pytest.raises(ValueError, match="domain/permissions.py"):
        requires("audit.erase")
