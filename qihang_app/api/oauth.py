"""OAuth 授权 routes: start (signed-in staff, opened in a new tab from 门店与店铺) and the platform's
callback (public: it carries no session, the one-time `state` is what protects it).

Both end on /stores with a result the page shows in plain words: `?oauth=ok&shop=<id>` or
`?oauth_error=<catalog key>` (only keys travel in the URL, never text to render).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

import httpx
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from integrations import registry
from integrations.base import PlatformError
from integrations.ecommerce_contract import capability
from qihang_app.api.guard import engine_of, public, requires
from qihang_app.services import shop_oauth
from qihang_app.services.errors import ServiceError
from qihang_app.services.shop_auth import shop_auth

log = logging.getLogger("qihang_app.api.oauth")

STORES = "/stores"


def _back(**params: str) -> RedirectResponse:
    return RedirectResponse(f"{STORES}?{urlencode(params)}", status_code=303)


def _refused(exc: Exception) -> RedirectResponse:
    key = getattr(exc, "key", None)
    return _back(oauth_error=key if key and key.startswith("oauth.err.") else "oauth.err.not_allowed")


async def _in_session(request: Request, fn):
    """fn(session) in a thread, committed when it returns."""
    engine = engine_of(request)

    def work():
        with Session(engine, expire_on_commit=False) as session:
            value = fn(session)
            session.commit()
            return value

    return await asyncio.to_thread(work)


def _flow(platform: str):
    return capability(registry.find(platform), "oauth")


@requires("shops.credentials")
async def start(request: Request):
    """A fresh state for the signed-in person, then off to the platform's authorize page."""
    platform = request.path_params["platform"]
    flow = _flow(platform)
    try:
        shop_id = int(request.query_params.get("shop_id", ""))
    except ValueError:
        return _back(oauth_error="oauth.err.state_unknown")
    if flow is None:
        return _back(oauth_error="oauth.err.not_allowed")
    actor = request.state.actor
    try:
        begun = await _in_session(request, lambda s: shop_oauth.begin_authorization(s, actor=actor, shop_id=shop_id))
    except (ServiceError, PermissionError) as exc:
        return _refused(exc)
    if begun.shop.platform != platform:
        return _back(oauth_error="oauth.err.state_unknown")
    return RedirectResponse(flow.authorize_url(begun.shop, begun.redirect_uri, begun.state), status_code=303)


@public("the platform's redirect carries no session; the one-time state bound to shop and user protects it")
async def callback(request: Request):
    platform = request.path_params["platform"]
    query = request.query_params
    try:  # the state is spent whatever follows: a code is good for one exchange only
        accepted = await _in_session(
            request, lambda s: shop_oauth.consume_state(s, platform=platform, state=query.get("state", ""))
        )
    except ServiceError as exc:
        return _refused(exc)
    if query.get("error"):
        return _back(oauth_error="oauth.err.denied")
    code = query.get("code", "")
    flow = _flow(platform)
    if not code or flow is None:
        return _back(oauth_error="oauth.err.no_code")
    auth = await _in_session(request, lambda s: shop_auth(s, shop_id=accepted.shop_id))
    try:
        grant = await flow.exchange_code(auth, code, accepted.redirect_uri)
    except PlatformError as exc:
        log.warning("oauth exchange for shop %s refused: %s %s", accepted.shop_id, exc.code, exc.message)
        return _back(oauth_error="oauth.err.exchange_failed", detail=str(exc.code))
    except httpx.HTTPError as exc:
        log.warning("oauth exchange for shop %s failed: %s", accepted.shop_id, type(exc).__name__)
        return _back(oauth_error="oauth.err.unreachable")
    try:
        await _in_session(
            request,
            lambda s: shop_oauth.save_grant(
                s,
                actor=accepted.actor,
                shop_id=accepted.shop_id,
                credentials=grant.credentials(),
                expires_at=grant.expires_at,
                refresh_expires_at=grant.refresh_expires_at,
                platform_shop_id=grant.platform_shop_id,
            ),
        )
    except (ServiceError, PermissionError) as exc:
        return _refused(exc)
    return _back(oauth="ok", shop=str(accepted.shop_id))


def build_routes() -> list[Route]:
    return [
        Route("/api/oauth/{platform}/start", start, methods=["GET"]),
        Route("/api/oauth/{platform}/callback", callback, methods=["GET"]),
    ]
