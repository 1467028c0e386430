"""OAuth 授权 service (SQLite and PostgreSQL): one-time states bound to shop and user, expiry,
replays refused, credentials merged encrypted and audited without values, refresh bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from qihang_app.models import AuditEntry, OAuthState, Shop, utcnow
from qihang_app.services import shop_oauth
from qihang_app.services import stores as store_service
from qihang_app.services.errors import ValidationError
from qihang_app.services.scope import ScopeError
from tests.oauth_support import CODE, test_platform  # noqa: F401  (fixture)
from tests.services.factories import make_actor

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def shop(session, test_platform):  # noqa: F811
    admin = make_actor(session, "root", "admin")
    store = store_service.create_store(session, actor=admin, name="电商仓")
    view = store_service.create_shop(
        session, actor=admin, store_id=store.id, platform=CODE, platform_shop_id="seller-1", name="测试店",
        credentials={"app_key": "app-1", "app_secret": "s3cret", "auth_url": "http://127.0.0.1:9/authorize"},
    )  # fmt: skip
    session.commit()
    return admin, view


def _grant(session, actor, shop_id, **kw):
    values = dict(
        credentials={"access_token": "tok-A", "access_token_expires": (T0 + timedelta(hours=2)).timestamp(),
                     "refresh_token": "ref-A"},
        expires_at=T0 + timedelta(hours=2),
        refresh_expires_at=T0 + timedelta(days=30),
        platform_shop_id="seller-1",
    )  # fmt: skip
    values.update(kw)
    shop_oauth.save_grant(session, actor=actor, shop_id=shop_id, **values)


def test_a_state_is_unguessable_bound_and_accepted_once(session, shop):
    admin, view = shop
    begun = shop_oauth.begin_authorization(session, actor=admin, shop_id=view.id, now=T0)
    other = shop_oauth.begin_authorization(session, actor=admin, shop_id=view.id, now=T0)
    assert begun.state != other.state and len(begun.state) >= 40
    assert begun.redirect_uri.endswith(f"/api/oauth/{CODE}/callback")
    assert begun.shop.app_key == "app-1"
    row = session.exec(select(OAuthState)).first()
    assert begun.state not in row.state_hash  # only a hash is stored
    session.commit()

    accepted = shop_oauth.consume_state(session, platform=CODE, state=begun.state, now=T0 + timedelta(minutes=9))
    assert (accepted.shop_id, accepted.actor.user_id) == (view.id, admin.user_id)
    with pytest.raises(ValidationError) as replay:
        shop_oauth.consume_state(session, platform=CODE, state=begun.state, now=T0 + timedelta(minutes=9))
    assert replay.value.key == "oauth.err.state_used"


@pytest.mark.parametrize(
    ("platform", "state", "minutes", "key"),
    [
        (CODE, "made-up", 1, "oauth.err.state_unknown"),
        (CODE, "", 1, "oauth.err.state_unknown"),
        ("meituan", None, 1, "oauth.err.state_unknown"),  # another platform's callback
        (CODE, None, 10, "oauth.err.state_expired"),
    ],
)
def test_unknown_foreign_and_expired_states_are_refused(session, shop, platform, state, minutes, key):
    admin, view = shop
    begun = shop_oauth.begin_authorization(session, actor=admin, shop_id=view.id, now=T0)
    with pytest.raises(ValidationError) as refused:
        shop_oauth.consume_state(
            session,
            platform=platform,
            state=begun.state if state is None else state,
            now=T0 + timedelta(minutes=minutes),
        )
    assert refused.value.key == key
    assert session.exec(select(OAuthState)).first().used_at is None


def test_a_user_who_lost_the_permission_cannot_finish(session, shop):
    admin, view = shop
    staff = make_actor(session, "clerk", "staff", store_ids=(view.store_id,))
    with pytest.raises(ScopeError):
        shop_oauth.begin_authorization(session, actor=staff, shop_id=view.id)
    manager = make_actor(session, "boss", "manager", store_ids=(view.store_id,))
    begun = shop_oauth.begin_authorization(session, actor=manager, shop_id=view.id, now=T0)
    from qihang_app.models import User

    user = session.get(User, manager.user_id)
    user.enabled = False
    session.add(user)
    session.flush()
    with pytest.raises(ValidationError) as refused:
        shop_oauth.consume_state(session, platform=CODE, state=begun.state, now=T0)
    assert refused.value.key == "oauth.err.not_allowed"


def test_a_grant_is_merged_encrypted_and_audited_without_values(session, shop):
    admin, view = shop
    _grant(session, admin, view.id)
    session.commit()
    stored = session.get(Shop, view.id)
    assert "tok-A" not in stored.credentials_encrypted
    keys = store_service.get_shop_credentials(session, shop_id=view.id)
    assert keys["access_token"] == "tok-A" and keys["app_secret"] == "s3cret"  # merged, not replaced
    assert stored.token_expires_at == T0 + timedelta(hours=2)
    assert stored.refresh_expires_at == T0 + timedelta(days=30)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "shop.credentials")).all()[-1]
    assert "tok-A" not in entry.after and "ref-A" not in entry.after
    assert '"via": "oauth"' in entry.after and entry.actor == admin.ref


def test_a_token_of_another_platform_shop_is_refused(session, shop):
    admin, view = shop
    with pytest.raises(ValidationError) as refused:
        _grant(session, admin, view.id, platform_shop_id="seller-2")
    assert refused.value.key == "oauth.err.other_shop"
    assert "access_token" not in store_service.get_shop_credentials(session, shop_id=view.id)


def test_empty_platform_shop_id_is_filled_from_the_grant(session, shop):
    admin, view = shop
    row = session.get(Shop, view.id)
    row.platform_shop_id = ""
    session.add(row)
    session.flush()
    _grant(session, admin, view.id, platform_shop_id="seller-9")
    assert session.get(Shop, view.id).platform_shop_id == "seller-9"


def test_tokens_due_refreshed_and_refusal_marks_the_shop(session, shop):
    admin, view = shop
    _grant(session, admin, view.id)
    assert shop_oauth.tokens_due(session, now=T0) == []
    assert shop_oauth.tokens_due(session, now=T0 + timedelta(hours=1, minutes=40)) == [view.id]
    shop_oauth.save_refreshed(
        session, shop_id=view.id, credentials={"access_token": "tok-B"}, expires_at=T0 + timedelta(hours=4),
        refresh_expires_at=None,
    )  # fmt: skip
    assert shop_oauth.tokens_due(session, now=T0 + timedelta(hours=1, minutes=40)) == []
    assert store_service.get_shop_credentials(session, shop_id=view.id)["access_token"] == "tok-B"
    last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.actor == "system" and "tok-B" not in last.after

    shop_oauth.mark_reauth(session, shop_id=view.id, reason="oauth.err.refresh_refused")
    assert session.get(Shop, view.id).reauth_reason == "oauth.err.refresh_refused"
    assert shop_oauth.tokens_due(session, now=T0 + timedelta(days=1)) == []  # waits for a person
    _grant(session, admin, view.id)  # a new 授权 clears the mark
    assert session.get(Shop, view.id).reauth_reason is None


def test_expiry_state_for_the_shop_list():
    now = utcnow()
    assert shop_oauth.expiry_state(None, now=now) == ""
    assert shop_oauth.expiry_state(now - timedelta(seconds=1), now=now) == "lapsed"
    assert shop_oauth.expiry_state(now + timedelta(days=6), now=now, warn_days=7) == "warn"
    assert shop_oauth.expiry_state(now + timedelta(days=8), now=now, warn_days=7) == "ok"


def test_the_token_alert_follows_the_authorization_not_the_short_access_token(session, shop):
    from qihang_app.services.alert_facts import shop_tokens

    admin, view = shop
    _grant(session, admin, view.id)
    mine = [f for f in shop_tokens(session, T0, {}) if f["shop_id"] == view.id]
    assert [f["expires_at"] for f in mine] == [T0 + timedelta(days=30)]
    shop_oauth.mark_reauth(session, shop_id=view.id, reason="oauth.err.refresh_refused")
    assert [f["expires_at"] for f in shop_tokens(session, T0, {}) if f["shop_id"] == view.id] == [T0]
