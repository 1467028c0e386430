"""Plain HTTP routes mounted into the Reflex backend through `api_transformer`.

Handlers stay thin: they check, call a service (or store raw), and answer.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from qihang_app.api import audit, health, webhooks
from qihang_app.api.guard import public


def _signed_by_partner(route: Route) -> Route:
    """A webhook is checked by its platform's signature, not a session."""
    public("the platform signs every push; the route verifies it")(route.endpoint)
    return route


def build_api(*, engine: Engine | None = None, redis_url: str | None = None, enqueue: bool = True) -> Starlette:
    """The API app. Tests and benchmarks pass their own engine / Redis; the app uses settings."""
    app = Starlette(
        routes=[
            Route("/api/health", health.health, methods=["GET"]),
            Route("/api/version", health.version, methods=["GET"]),
            Route("/api/audit", audit.entries, methods=["GET"]),
            Route("/api/audit.csv", audit.export, methods=["GET"]),
            *(_signed_by_partner(r) for r in webhooks.build_routes()),
        ]
    )
    app.state.db_engine = engine
    app.state.webhooks = webhooks.Webhooks(engine=engine, redis_url=redis_url, enqueue=enqueue)
    return app
