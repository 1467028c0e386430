"""Plain HTTP routes mounted into the Reflex backend through `api_transformer`.

Handlers stay thin: they check, call a service (or store raw), and answer.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from qihang_app.api import carrier_hooks, erp, health, metrics, openapi, webhooks


def build_api(*, engine: Engine | None = None, redis_url: str | None = None, enqueue: bool = True) -> Starlette:
    """The API app. Tests and benchmarks pass their own engine / Redis; the app uses settings."""
    app = Starlette(
        routes=[
            Route("/api/health", health.health, methods=["GET"]),
            Route("/api/version", health.version, methods=["GET"]),
            Route("/metrics", metrics.endpoint, methods=["GET"]),
            *webhooks.build_routes(),
            *carrier_hooks.build_routes(),
            *erp.build_routes(),
            *openapi.routes,
        ]
    )
    app.state.carrier_engine = engine
    app.state.webhooks = webhooks.Webhooks(engine=engine, redis_url=redis_url, enqueue=enqueue)
    app.state.erp_api = erp.ErpApi(engine=engine)
    app.state.metrics_engine, app.state.metrics_redis_url = engine, redis_url
    return app
