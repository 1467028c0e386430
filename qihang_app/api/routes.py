"""Plain HTTP routes mounted into the Reflex backend through `api_transformer`.

Handlers stay thin: they check, call a service, and answer.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from qihang_app.api import health


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/api/health", health.health, methods=["GET"]),
            Route("/api/version", health.version, methods=["GET"]),
        ]
    )
