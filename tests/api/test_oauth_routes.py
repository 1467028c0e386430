"""The OAuth routes over real HTTP: start (signed in) → the test platform's authorize page →
callback with code and state → /stores with the result; replays and forged states change nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from integrations.sandbox.server import ServerThread
from qihang_app.api.routes import build_api
from qihang_app.config import get_settings
from qihang_app.models import AuditEntry, Shop
from qihang_app.services import auth
from qihang_app.services import stores as store_service
from tests.oauth_support import CODE, platform_server, shop_credentials, test_platform  # noqa: F401  (fixtures)
from tests.services.factories import PASSWORD, make_user

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def app_url(engine, monkeypatch):
    app = build_api(engine=engine, enqueue=False)
    with ServerThread(app) as server:
        monkeypatch.setenv("PUBLIC_URL", server.url)  # the callback the platform sends browsers to
        get_settings.cache_clear()
        yield server.url
        app.state.webhooks.writer.close()
    get_settings.cache_clear()


@pytest.fixture
def world(engine, test_platform, platform_server):  # noqa: F811
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, "ops", "admin")
        admin = auth.actor_for_user(session, user)
        store = store_service.create_store(session, actor=admin, name="电商仓")
        shop = store_service.create_shop(
            session, actor=admin, store_id=store.id, platform=CODE, platform_shop_id="seller-1", name="测试店",
            credentials=shop_credentials(platform_server),
        )  # fmt: skip
        token = auth.login(session, username="ops", password=PASSWORD).token
        session.commit()
    return shop.id, token


def _start(app_url: str, shop_id: int, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{app_url}/api/oauth/{CODE}/start", params={"shop_id": shop_id}, headers=headers)


def _authorize(app_url, world) -> str:
    """start → the platform's page → the callback URL the platform redirects the browser to."""
    shop_id, token = world
    started = _start(app_url, shop_id, token)
    assert started.status_code == 303
    page = httpx.get(started.headers["location"])
    assert page.status_code == 302
    callback = page.headers["location"]
    assert callback.startswith(f"{app_url}/api/oauth/{CODE}/callback?")
    return callback


def _result(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/stores"
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def test_authorize_end_to_end_stores_the_token(app_url, world, engine):
    callback = _authorize(app_url, world)
    assert _result(httpx.get(callback)) == {"oauth": "ok", "shop": str(world[0])}
    with Session(engine) as session:
        keys = store_service.get_shop_credentials(session, shop_id=world[0])
        assert keys["access_token"].startswith("access-") and keys["refresh_token"].startswith("refresh-")
        shop = session.get(Shop, world[0])
        assert shop.token_expires_at is not None and shop.refresh_expires_at is not None
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "shop.credentials")).all()[-1]
        assert "access-" not in entry.after

    # the same callback again (a replay): refused in plain words, nothing changes
    assert _result(httpx.get(callback)) == {"oauth_error": "oauth.err.state_used"}
    with Session(engine) as session:
        assert store_service.get_shop_credentials(session, shop_id=world[0])["access_token"] == keys["access_token"]


def test_a_forged_state_and_a_denied_authorization_change_nothing(app_url, world, engine):
    forged = httpx.get(f"{app_url}/api/oauth/{CODE}/callback", params={"code": "code-1", "state": "guess"})
    assert _result(forged) == {"oauth_error": "oauth.err.state_unknown"}
    callback = _authorize(app_url, world)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    denied = httpx.get(f"{app_url}/api/oauth/{CODE}/callback", params={"error": "access_denied", "state": state})
    assert _result(denied) == {"oauth_error": "oauth.err.denied"}
    with Session(engine) as session:
        assert "access_token" not in store_service.get_shop_credentials(session, shop_id=world[0])


def test_start_needs_a_session(app_url, world):
    assert _start(app_url, world[0], None).status_code == 401


def test_a_code_the_platform_refuses_is_shown_and_spends_the_state(app_url, world, engine):
    callback = _authorize(app_url, world)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    wrong = httpx.get(f"{app_url}/api/oauth/{CODE}/callback", params={"code": "stolen", "state": state})
    assert _result(wrong) == {"oauth_error": "oauth.err.exchange_failed", "detail": "invalid_grant"}
    assert _result(httpx.get(callback)) == {"oauth_error": "oauth.err.state_used"}
    with Session(engine) as session:
        assert "access_token" not in store_service.get_shop_credentials(session, shop_id=world[0])
