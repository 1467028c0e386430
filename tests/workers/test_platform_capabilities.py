"""The e-commerce capabilities of every registered platform, through the OMS's own machinery and
over loopback HTTP to each platform's twin (nothing here names a platform):
- 授权: start → the platform's authorize page → its 授权 link → our callback → token stored;
  then the refresh cron's job renews it with the platform's refresh call;
- the message stream (where a platform has one): orders placed at the platform arrive through
  one consuming session → inbox → order center, and are confirmed;
- the refund pull: a refund asked at the platform becomes an after-sale record."""

from __future__ import annotations

import asyncio
import html
import re
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from integrations import registry
from integrations.sandbox.server import ServerThread
from qihang_app.api.routes import build_api
from qihang_app.config import get_settings
from qihang_app.models import AfterSale, Order, Shop
from qihang_app.services import auth
from qihang_app.services import stores as store_service
from qihang_app.services.crypto import encrypt_credentials
from tests.ingest_support import (  # noqa: F401  (fixtures)
    _sandbox_clean,
    arq_redis,
    ctx,
    drain_all,
    oms,
    redis_url,
    sandbox,
)
from tests.services.factories import PASSWORD, make_user
from tests.workers.test_all_platforms import _connect, _place
from workers.tasks.refund_pull import pull_refunds
from workers.tasks.streams import stream_shop
from workers.tasks.sweep import sweep_shop
from workers.tasks.tokens import refresh_shop

pytestmark = pytest.mark.timeout(120)

PROFILES = [a.profile for a in registry.platforms()]
AUTHORIZING = [p.code for p in PROFILES if p.authorizes]
STREAMING = [p.code for p in PROFILES if p.streams]
REFUND_PULLING = [p.code for p in PROFILES if p.refunds_pullable]
TOKEN_KEYS = ("access_token", "access_token_expires", "refresh_token", "refresh_token_expires")


@pytest.fixture
def app_url(engine, monkeypatch):
    app = build_api(engine=engine, enqueue=False)
    with ServerThread(app) as server:
        monkeypatch.setenv("PUBLIC_URL", server.url)  # where the platform sends the browser back
        get_settings.cache_clear()
        yield server.url
        app.state.webhooks.writer.close()
    get_settings.cache_clear()


def _unauthorized_shop(oms, platform: str) -> int:
    """A shop whose stored keys hold the app's credentials but no token yet."""
    shop_id, _ = _connect(oms, platform)
    with Session(oms.engine) as session:
        keys = store_service.get_shop_credentials(session, shop_id=shop_id)
        shop = session.get(Shop, shop_id)
        shop.credentials_encrypted = encrypt_credentials({k: v for k, v in keys.items() if k not in TOKEN_KEYS})
        session.add(shop)
        session.commit()
    return shop_id


@pytest.mark.parametrize("platform", AUTHORIZING)
async def test_authorize_through_the_platform_page_then_refresh(platform, oms, ctx, app_url):
    shop_id = _unauthorized_shop(oms, platform)
    with Session(oms.engine) as session:
        make_user(session, f"ops-{platform}", "admin")
        token = auth.login(session, username=f"ops-{platform}", password=PASSWORD).token
        session.commit()
    with httpx.Client(trust_env=False, timeout=10) as web:
        started = web.get(
            f"{app_url}/api/oauth/{platform}/start",
            params={"shop_id": shop_id},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert started.status_code == 303, started.text
        page = web.get(started.headers["location"])  # the platform's own authorize page
        assert page.status_code == 200 and "授权" in page.text, page.text[:300]
        found = re.search(r"id=['\"]authorize['\"][^>]*href=['\"]([^'\"]+)['\"]", page.text)
        assert found, page.text[:300]  # the merchant taps 授权
        answer = web.get(urljoin(str(page.url), html.unescape(found.group(1))), follow_redirects=False)
        while answer.status_code in (302, 303) and "/api/oauth/" not in str(answer.request.url):
            answer = web.get(answer.headers["location"], follow_redirects=False)
        assert answer.status_code == 303, answer.text
        back = urlsplit(answer.headers["location"])
        assert back.path == "/stores" and parse_qs(back.query).get("oauth") == ["ok"], answer.headers["location"]

    with Session(oms.engine) as session:
        first = store_service.get_shop_credentials(session, shop_id=shop_id)
        assert first.get("access_token") and session.get(Shop, shop_id).token_expires_at is not None
    assert await refresh_shop(ctx, shop_id) == "refreshed"
    with Session(oms.engine) as session:
        renewed = store_service.get_shop_credentials(session, shop_id=shop_id)
    assert renewed["access_token"] and renewed["access_token"] != first["access_token"]


@pytest.mark.parametrize("platform", STREAMING)
async def test_orders_arrive_through_the_message_stream(platform, oms, ctx):
    shop_id, made = _connect(oms, platform)
    placed = {_place(oms, platform, made["shop_id"])["order_id"] for _ in range(3)}
    result = await stream_shop(ctx, shop_id, seconds=3)
    assert result.get("stored", 0) >= 3, result
    await drain_all(ctx)
    with Session(oms.engine) as session:
        stored = {o.platform_order_id for o in session.exec(select(Order).where(Order.shop_id == shop_id))}
    assert placed <= stored
    again = await stream_shop(ctx, shop_id, seconds=2)  # confirmed: nothing is delivered twice
    assert again.get("stored", 0) == 0, again


@pytest.mark.parametrize("platform", REFUND_PULLING)
async def test_a_refund_asked_at_the_platform_is_pulled_into_the_after_sale_center(platform, oms, ctx):
    shop_id, made = _connect(oms, platform)
    order_id = _place(oms, platform, made["shop_id"])["order_id"]
    assert (await sweep_shop(ctx, shop_id)).get("ok")
    await drain_all(ctx)
    asked = oms.sandbox.control.post(f"/orders/{platform}/{order_id}/refund", json={"reason": "不想要了"})
    assert asked.status_code < 300, asked.text
    # the sandbox keeps each order's times strictly increasing, so events placed within one second
    # carry times a little ahead of the clock; a pull reads up to "now" (the next pull's overlap
    # would find it), so wait until the platform's time of the refund has passed
    stamp = oms.sandbox.control.get(f"/orders/{platform}/{order_id}").json()["updated_at"]
    await asyncio.sleep(max(0.0, stamp + 1 - time.time()))
    result = await pull_refunds(ctx, shop_id)
    assert result.get("ok"), result
    await drain_all(ctx)
    with Session(oms.engine) as session:
        rows = session.exec(select(AfterSale).where(AfterSale.shop_id == shop_id)).all()
    made_refund = oms.sandbox.control.get(f"/orders/{platform}/{order_id}").json()["after_sales"][-1]
    assert [r.platform_refund_id for r in rows] == [made_refund["after_sale_id"]], result
