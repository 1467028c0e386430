"""OAuth 授权 of shops on platforms whose profile `authorizes`, and keeping their tokens fresh.

The flow: a person with `shops.credentials` starts it on 门店与店铺 (`begin_authorization`: a
one-time `state`, bound to the shop and to them, valid 10 minutes); the platform sends the browser
back to the callback route with a code; `consume_state` accepts that state once; the route
exchanges the code (integrations) and `save_grant` merges the token into the shop's encrypted
credentials. Workers refresh tokens before they lapse (`tokens_due`, `save_refreshed`) and mark a
shop whose refresh the platform refused (`mark_reauth`): staff then see 需要重新授权.

The platform adapters live in integrations/: callers pass the token's values in, never a Grant.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.config import get_settings
from qihang_app.domain import partners
from qihang_app.models import OAuthState, Shop, User, utcnow

from . import audit
from .auth import actor_for_user
from .crypto import decrypt_credentials, encrypt_credentials
from .errors import ValidationError
from .scope import Actor, ScopeError, require_permission, require_store
from .shop_auth import ShopAuth, shop_auth

STATE_TTL = timedelta(minutes=10)
CALLBACK_PATH = "/api/oauth/{platform}/callback"
REFRESH_MARGIN = timedelta(minutes=30)  # refresh an access token this long before it lapses
KEEP_STATES = timedelta(days=1)
TOKEN_FIELDS = ("access_token", "access_token_expires", "refresh_token", "refresh_token_expires")


@dataclass(frozen=True)
class _SystemActor(Actor):
    """The workers' own moves (a token refresh): recorded as "system", not as a user."""

    @property
    def ref(self) -> str:
        return "system"


SYSTEM = _SystemActor(user_id=0, username="system", role="system")


def authorizes(platform: str) -> bool:
    found = partners.profile(platform)
    return bool(found and found.authorizes)


def authorizing_platforms() -> list[str]:
    return [p.code for p in partners.profiles() if p.authorizes]


def callback_url(platform: str) -> str:
    """Where the platform sends the browser back: the app's public base URL + the callback path."""
    settings = get_settings()
    base = settings.public_url or f"http://127.0.0.1:{settings.app_port}"
    return base.rstrip("/") + CALLBACK_PATH.format(platform=platform)


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


# -- starting and finishing an authorization ---------------------------------------------------


@dataclass(frozen=True)
class Authorization:
    state: str  # the one-time value for the platform's authorize URL (never stored in clear)
    redirect_uri: str
    shop: ShopAuth  # holds secrets (app key): for building the URL only, never for the UI


def begin_authorization(
    session: Session, *, actor: Actor, shop_id: int, redirect_uri: str | None = None, now: datetime | None = None
) -> Authorization:
    """A fresh one-time state for the actor's 授权 of the shop."""
    require_permission(actor, "shops.credentials")
    shop = _scoped_shop(session, actor, shop_id)
    if not authorizes(shop.platform):
        raise ValidationError(key="oauth.err.unsupported", platform=shop.platform)
    now = now or utcnow()
    state = secrets.token_urlsafe(32)
    redirect_uri = redirect_uri or callback_url(shop.platform)
    session.add(
        OAuthState(
            state_hash=_hash(state),
            shop_id=shop.id,
            user_id=actor.user_id,
            platform=shop.platform,
            redirect_uri=redirect_uri,
            created_at=now,
            expires_at=now + STATE_TTL,
        )
    )
    session.execute(sa.delete(OAuthState).where(OAuthState.expires_at < now - KEEP_STATES))
    session.flush()
    return Authorization(state, redirect_uri, shop_auth(session, shop_id=shop.id))


@dataclass(frozen=True)
class Accepted:
    """A state accepted once: whose authorization of which shop it finishes."""

    shop_id: int
    actor: Actor
    redirect_uri: str


def consume_state(session: Session, *, platform: str, state: str, now: datetime | None = None) -> Accepted:
    """Accept `state` once. Unknown, used, expired, another platform's, or a user who may no
    longer change the shop's keys: ValidationError with a plain-words key, and nothing changes."""
    now = now or utcnow()
    row = session.exec(select(OAuthState).where(OAuthState.state_hash == _hash(state or ""))).first()
    if row is None or not state:
        raise ValidationError(key="oauth.err.state_unknown")
    if row.platform != platform:
        raise ValidationError(key="oauth.err.state_unknown")
    if row.used_at is not None:
        raise ValidationError(key="oauth.err.state_used")
    if row.expires_at <= now:
        raise ValidationError(key="oauth.err.state_expired")
    user = session.get(User, row.user_id)
    if user is None or not user.enabled:
        raise ValidationError(key="oauth.err.not_allowed")
    actor = actor_for_user(session, user)
    try:
        require_permission(actor, "shops.credentials")
        _scoped_shop(session, actor, row.shop_id)
    except (ScopeError, ValidationError):
        raise ValidationError(key="oauth.err.not_allowed") from None
    # Single use even when two callbacks race: only one UPDATE finds it unused.
    taken = session.execute(
        sa.update(OAuthState).where(OAuthState.id == row.id, OAuthState.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if not taken:
        raise ValidationError(key="oauth.err.state_used")
    return Accepted(row.shop_id, actor, row.redirect_uri)


def save_grant(
    session: Session,
    *,
    actor: Actor,
    shop_id: int,
    credentials: dict,
    expires_at: datetime,
    refresh_expires_at: datetime | None = None,
    platform_shop_id: str = "",
) -> None:
    """Merge a token from the platform into the shop's encrypted credentials and clear any
    re-authorization mark. A token for another platform shop than the one on file is refused."""
    require_permission(actor, "shops.credentials")
    shop = _scoped_shop(session, actor, shop_id)
    if platform_shop_id and shop.platform_shop_id and platform_shop_id != shop.platform_shop_id:
        raise ValidationError(key="oauth.err.other_shop", theirs=platform_shop_id, ours=shop.platform_shop_id)
    _merge(shop, credentials, expires_at, refresh_expires_at)
    filled = {}
    if platform_shop_id and not shop.platform_shop_id:
        shop.platform_shop_id = filled["platform_shop_id"] = platform_shop_id
    session.add(shop)
    session.flush()
    _audit(session, actor, shop, credentials, via="oauth", extra=filled)


# -- keeping tokens fresh (workers) ------------------------------------------------------------


def tokens_due(session: Session, *, now: datetime | None = None, margin: timedelta = REFRESH_MARGIN) -> list[int]:
    """Enabled shops of authorizing platforms whose access token lapses within `margin` and that
    are not waiting for a new 授权."""
    now = now or utcnow()
    return list(
        session.execute(
            sa.select(Shop.id)
            .where(
                Shop.enabled,
                Shop.platform.in_(authorizing_platforms()),
                Shop.reauth_reason.is_(None),
                Shop.token_expires_at.is_not(None),
                Shop.token_expires_at <= now + margin,
            )
            .order_by(Shop.token_expires_at)
        ).scalars()
    )


def save_refreshed(
    session: Session, *, shop_id: int, credentials: dict, expires_at: datetime, refresh_expires_at: datetime | None
) -> None:
    shop = session.get(Shop, shop_id)
    if shop is None:
        return
    _merge(shop, credentials, expires_at, refresh_expires_at)
    session.add(shop)
    session.flush()
    _audit(session, SYSTEM, shop, credentials, via="refresh")


def mark_reauth(session: Session, *, shop_id: int, reason: str) -> None:
    """The platform refused to refresh: the shop shows 需要重新授权 until someone authorizes it."""
    shop = session.get(Shop, shop_id)
    if shop is None or shop.reauth_reason:
        return
    shop.reauth_reason = (reason or "oauth.err.refresh_refused")[:500]
    session.add(shop)
    session.flush()
    audit.record(
        session, SYSTEM, "shop.reauth_needed", audit.Target("shop", shop.id, shop.store_id),
        after={"reason": shop.reauth_reason},
    )  # fmt: skip


# -- what the shop list shows -----------------------------------------------------------------


def expiry_state(expires_at: datetime | None, *, now: datetime | None = None, warn_days: int | None = None) -> str:
    """ "" (unknown), "ok", "warn" (lapses within warn_days) or "lapsed"."""
    if expires_at is None:
        return ""
    now = now or utcnow()
    warn = timedelta(days=get_settings().token_warn_days if warn_days is None else warn_days)
    if expires_at <= now:
        return "lapsed"
    return "warn" if expires_at - now <= warn else "ok"


# -- helpers ----------------------------------------------------------------------------------


def _scoped_shop(session: Session, actor: Actor, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        if actor.all_stores:
            raise ValidationError(key="shops.err.not_found", shop_id=shop_id)
        raise ScopeError(f"无权访问店铺 {shop_id}", f"no access to shop {shop_id}")
    require_store(actor, shop.store_id)
    return shop


def _merge(shop: Shop, credentials: dict, expires_at: datetime, refresh_expires_at: datetime | None) -> None:
    shop.credentials_encrypted = encrypt_credentials({**decrypt_credentials(shop.credentials_encrypted), **credentials})
    shop.token_expires_at = expires_at
    if refresh_expires_at is not None:
        shop.refresh_expires_at = refresh_expires_at
    shop.reauth_reason = None


def _audit(session: Session, actor: Actor, shop: Shop, credentials: dict, *, via: str, extra: dict | None = None):
    """Which keys changed and how, never their values."""
    after = {f"credentials.{name}": "changed" for name in sorted(credentials)}
    audit.record(
        session, actor, "shop.credentials", audit.Target("shop", shop.id, shop.store_id),
        after={**after, "via": via, **(extra or {})},
    )  # fmt: skip
