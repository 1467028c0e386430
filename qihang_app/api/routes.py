"""Plain HTTP routes mounted into the Reflex backend through `api_transformer`.

Handlers stay thin: they check, call a service (or store raw), and answer.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from qihang_app.api import audit, carrier_hooks, erp, health, metrics, oauth, openapi, webhooks
from qihang_app.api.guard import public


def _signed_by_partner(route: Route) -> Route:
    """A webhook is checked by its platform's signature, not a session."""
    public("the platform signs every push; the route verifies it")(route.endpoint)
    return route


def _carrier_signed(route: Route) -> Route:
    """A carrier's status callback is checked by the carrier's signature, not a session."""
    public("the carrier signs every callback; the route verifies it")(route.endpoint)
    return route


def _documentation(route: Route) -> Route:
    """The ERP API's OpenAPI document is meant for any ERP developer to read."""
    public("the API documentation is published for ERP developers")(route.endpoint)
    return route


def _erp_signed(route: Route) -> Route:
    """The ERP's inbound calls carry the connection's key and HMAC signature, checked by the route."""
    public("the ERP signs every call with its connection's secret; the route verifies it")(route.endpoint)
    return route


def build_api(*, engine: Engine | None = None, redis_url: str | None = None, enqueue: bool = True) -> Starlette:
    """The API app. Tests and benchmarks pass their own engine / Redis; the app uses settings."""
    app = Starlette(
        routes=[
            Route("/api/health", health.health, methods=["GET"]),
            Route("/api/version", health.version, methods=["GET"]),
            Route("/api/audit", audit.entries, methods=["GET"]),
            Route("/api/audit.csv", audit.export, methods=["GET"]),
            Route("/metrics", metrics.endpoint, methods=["GET"]),
            *(_signed_by_partner(r) for r in webhooks.build_routes()),
            *(_carrier_signed(r) for r in carrier_hooks.build_routes()),
            *(_erp_signed(r) for r in erp.build_routes()),
            *(_documentation(r) for r in openapi.routes),
            *oauth.build_routes(),  # each declares its own guard (start: a permission; callback: public)
        ]
    )
    app.state.db_engine = engine
    app.state.carrier_engine = engine
    app.state.webhooks = webhooks.Webhooks(engine=engine, redis_url=redis_url, enqueue=enqueue)
    app.state.erp_api = erp.ErpApi(engine=engine)
    app.state.metrics_engine, app.state.metrics_redis_url = engine, redis_url
    return app
