"""Stores (physical stores/warehouses) and the platform shops attached to them.

Admins and managers manage stores and shops (managers only within their grants); staff can
only list what they are granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import input_rules as rules_
from qihang_app.domain import partners
from qihang_app.domain.audit import changed_only
from qihang_app.models import Order, Shop, Store, UserStoreGrant

from . import audit
from .crypto import decrypt_credentials, encrypt_credentials
from .errors import ConflictError, NotFoundError, ValidationError, checked
from .scope import Actor, ScopeError, require_permission, require_store, store_filter

STORE_FIELDS = frozenset({"name", "address", "lat", "lng", "opening_hours", "phone", "enabled"})
SHOP_FIELDS = frozenset(
    {
        "name",
        "enabled",
        "auto_accept",
        "auto_accept_start",
        "auto_accept_end",
        "auto_accept_max_per_hour",
        "sweep_interval_seconds",
    }
)


@dataclass(frozen=True)
class ShopView:
    """A shop without its credentials (safe to put in UI state)."""

    id: int
    store_id: int
    platform: str
    platform_shop_id: str
    name: str
    enabled: bool
    has_credentials: bool
    token_expires_at: datetime | None
    refresh_expires_at: datetime | None  # OAuth platforms: the refresh token's
    reauth_reason: str | None  # set when the platform refused a refresh (需要重新授权)
    auto_accept: bool
    auto_accept_start: str | None
    auto_accept_end: str | None
    auto_accept_max_per_hour: int | None
    sweep_interval_seconds: int
    last_sweep_cursor_at: datetime | None

    @classmethod
    def of(cls, shop: Shop) -> ShopView:
        return cls(
            id=shop.id,
            store_id=shop.store_id,
            platform=shop.platform,
            platform_shop_id=shop.platform_shop_id,
            name=shop.name,
            enabled=shop.enabled,
            has_credentials=bool(shop.credentials_encrypted),
            token_expires_at=shop.token_expires_at,
            refresh_expires_at=shop.refresh_expires_at,
            reauth_reason=shop.reauth_reason,
            auto_accept=shop.auto_accept,
            auto_accept_start=shop.auto_accept_start,
            auto_accept_end=shop.auto_accept_end,
            auto_accept_max_per_hour=shop.auto_accept_max_per_hour,
            sweep_interval_seconds=shop.sweep_interval_seconds,
            last_sweep_cursor_at=shop.last_sweep_cursor_at,
        )


def _manager(actor: Actor) -> None:
    require_permission(actor, "stores.manage")


def _fields(row, names) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _credentials_changed(session: Session, actor: Actor, shop: Shop, names) -> None:
    """Who changed a shop's keys, and which: the audit trail never holds the values."""
    require_permission(actor, "shops.credentials")
    audit.record(
        session, actor, "shop.credentials", audit.Target("shop", shop.id, shop.store_id),
        after={f"credentials.{n}": "changed" for n in sorted(names)} or {"credentials": "cleared"},
    )  # fmt: skip


def _store(session: Session, actor: Actor, store_id: int) -> Store:
    require_store(actor, store_id)  # before the lookup: never reveal what exists elsewhere
    store = session.get(Store, store_id)
    if store is None:
        raise NotFoundError(key="stores.err.not_found", store_id=store_id)
    return store


def _shop(session: Session, actor: Actor, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        if actor.all_stores:
            raise NotFoundError(key="shops.err.not_found", shop_id=shop_id)
        raise ScopeError(f"无权访问店铺 {shop_id}", f"no access to shop {shop_id}")
    require_store(actor, shop.store_id)
    return shop


_STORE_RULES = {
    "name": partial(rules_.text, limit="store_name", required=True, required_key="stores.err.name_required"),
    "address": partial(rules_.text, limit="address"),
    "phone": rules_.phone,
    "opening_hours": rules_.opening_hours,
    "lat": rules_.latitude,
    "lng": rules_.longitude,
}
_SHOP_RULES = {
    "name": partial(rules_.text, limit="shop_name", required=True, required_key="shops.err.name_required"),
    "auto_accept_start": rules_.hhmm,
    "auto_accept_end": rules_.hhmm,
    "auto_accept_max_per_hour": rules_.hourly_cap,
}
_CREDENTIAL_RULES = {
    "app_key": partial(rules_.secret, limit="app_key"),
    "app_secret": partial(rules_.secret, limit="app_secret"),
}


def _cleaned(values: dict[str, Any], rules: dict) -> dict[str, Any]:
    """Typed fields through their rules (trimmed, parsed); other fields as they are."""
    return {k: checked(k, rules[k], v) if k in rules else v for k, v in values.items()}


def _validate_shop(values: dict[str, Any]) -> dict[str, Any]:
    clean = _cleaned(values, _SHOP_RULES)
    for key in ("auto_accept_start", "auto_accept_end"):
        if key in clean:
            clean[key] = clean[key] or None  # empty: all day
    if clean.get("sweep_interval_seconds", 60) < 60:
        raise ValidationError(key="shops.err.bad_sweep_interval", field="sweep_interval_seconds")
    return clean


def _unknown(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    if extra := set(changes) - allowed:
        raise ValidationError(key="stores.err.fixed_fields", fields=", ".join(sorted(extra)))


# -- stores -----------------------------------------------------------------------------------


def list_stores(session: Session, *, actor: Actor) -> list[Store]:
    return list(session.exec(select(Store).where(store_filter(actor, Store.id)).order_by(Store.id)))


def create_store(session: Session, *, actor: Actor, name: str, **fields: Any) -> Store:
    """Admins and managers. A manager is granted the store they create (from the next request
    on: their current Actor is immutable)."""
    _manager(actor)
    _unknown(fields, STORE_FIELDS)
    values = _cleaned({"name": name, **fields}, _STORE_RULES)
    store = Store(**values)
    session.add(store)
    session.flush()
    audit.record(session, actor, "store.create", audit.Target("store", store.id, store.id), after=values)
    if not actor.all_stores:
        session.add(UserStoreGrant(user_id=actor.user_id, store_id=store.id))
        session.flush()
    return store


def update_store(session: Session, *, actor: Actor, store_id: int, **changes: Any) -> Store:
    _manager(actor)
    store = _store(session, actor, store_id)
    _unknown(changes, STORE_FIELDS)
    values = _cleaned(changes, _STORE_RULES)
    before = _fields(store, values)
    for key, value in values.items():
        setattr(store, key, value)
    session.add(store)
    session.flush()
    old, new = changed_only(before, values)
    if new:
        audit.record(session, actor, "store.update", audit.Target("store", store.id, store.id), before=old, after=new)
    return store


def delete_store(session: Session, *, actor: Actor, store_id: int) -> None:
    """Only an empty store can go; disable it instead when it has shops or orders."""
    _manager(actor)
    store = _store(session, actor, store_id)
    for table in (Shop, Order):
        if session.exec(select(table.id).where(table.store_id == store_id).limit(1)).first():
            raise ConflictError(key="stores.err.in_use")
    audit.record(session, actor, "store.delete", audit.Target("store", store.id, store.id), before={"name": store.name})
    session.execute(sa.delete(UserStoreGrant).where(UserStoreGrant.store_id == store_id))
    session.delete(store)
    session.flush()


# -- shops ------------------------------------------------------------------------------------


def list_shops(session: Session, *, actor: Actor, store_id: int | None = None) -> list[ShopView]:
    query = select(Shop).where(store_filter(actor, Shop.store_id))
    if store_id is not None:
        require_store(actor, store_id)
        query = query.where(Shop.store_id == store_id)
    return [ShopView.of(s) for s in session.exec(query.order_by(Shop.store_id, Shop.id))]


def get_shop(session: Session, *, actor: Actor, shop_id: int) -> ShopView:
    """One shop the actor may see (ScopeError otherwise)."""
    return ShopView.of(_shop(session, actor, shop_id))


def create_shop(
    session: Session,
    *,
    actor: Actor,
    store_id: int,
    platform: str,
    platform_shop_id: str,
    name: str,
    credentials: dict | None = None,
    **fields: Any,
) -> ShopView:
    _manager(actor)
    _store(session, actor, store_id)
    if partners.profile(str(platform)) is None:  # only platforms with an adapter (or 线下)
        raise ValidationError(key="shops.err.bad_platform", platform=platform)
    platform_shop_id = checked(
        "platform_shop_id",
        rules_.code,
        platform_shop_id,
        limit="platform_shop_id",
        required=True,
        required_key="shops.err.platform_shop_id_required",
    )
    _unknown(fields, SHOP_FIELDS)
    values = _validate_shop({"name": name, **fields})
    credentials = _cleaned(credentials or {}, _CREDENTIAL_RULES) if credentials is not None else None
    duplicate = session.exec(
        select(Shop.id).where(Shop.platform == platform, Shop.platform_shop_id == platform_shop_id)
    ).first()
    if duplicate:
        raise ConflictError(
            key="shops.err.taken", field="platform_shop_id", platform=platform, platform_shop_id=platform_shop_id
        )
    shop = Shop(
        store_id=store_id,
        platform=platform,
        platform_shop_id=platform_shop_id,
        credentials_encrypted=encrypt_credentials(credentials) if credentials else "",
        **values,
    )
    session.add(shop)
    session.flush()
    target = audit.Target("shop", shop.id, store_id)
    after = {"platform": platform, "platform_shop_id": platform_shop_id, **values}
    audit.record(session, actor, "shop.create", target, after=after)
    if credentials:
        _credentials_changed(session, actor, shop, credentials)
    return ShopView.of(shop)


def update_shop(
    session: Session,
    *,
    actor: Actor,
    shop_id: int,
    credentials: dict | None = None,
    credential_changes: dict | None = None,
    **changes,
) -> ShopView:
    """Change settings; `credentials` (when given) replaces the whole stored set,
    `credential_changes` (what the form typed) are merged into it."""
    _manager(actor)
    shop = _shop(session, actor, shop_id)
    _unknown(changes, SHOP_FIELDS)
    values = _validate_shop(changes)
    before = _fields(shop, values)
    for key, value in values.items():
        setattr(shop, key, value)
    credentials = _cleaned(credentials or {}, _CREDENTIAL_RULES) if credentials is not None else None
    if credentials is not None:
        _credentials_changed(session, actor, shop, credentials)
        shop.credentials_encrypted = encrypt_credentials(credentials) if credentials else ""
    if credential_changes:
        typed = _cleaned(credential_changes, _CREDENTIAL_RULES)
        _credentials_changed(session, actor, shop, typed)
        shop.credentials_encrypted = encrypt_credentials({**decrypt_credentials(shop.credentials_encrypted), **typed})
    session.add(shop)
    session.flush()
    old, new = changed_only(before, values)
    if new:
        audit.record(session, actor, "shop.update", audit.Target("shop", shop.id, shop.store_id), before=old, after=new)
    return ShopView.of(shop)


def delete_shop(session: Session, *, actor: Actor, shop_id: int) -> None:
    """Only a shop without orders can go; disable it otherwise."""
    _manager(actor)
    shop = _shop(session, actor, shop_id)
    if session.exec(select(Order.id).where(Order.shop_id == shop_id).limit(1)).first():
        raise ConflictError(key="shops.err.in_use")
    before = {"platform": shop.platform, "platform_shop_id": shop.platform_shop_id, "name": shop.name}
    audit.record(session, actor, "shop.delete", audit.Target("shop", shop.id, shop.store_id), before=before)
    session.delete(shop)
    session.flush()


def get_shop_credentials(session: Session, *, shop_id: int) -> dict:
    """Decrypted credentials, for workers and integrations only (no actor: never for the UI)."""
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFoundError(key="shops.err.not_found", shop_id=shop_id)
    return decrypt_credentials(shop.credentials_encrypted)


def update_shop_credentials(
    session: Session,
    *,
    shop_id: int,
    changes: dict,
    token_expires_at: datetime | None = None,
    refresh_expires_at: datetime | None = None,
) -> None:
    """Merge `changes` into the stored credentials (e.g. after a token refresh). Workers only."""
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFoundError(key="shops.err.not_found", shop_id=shop_id)
    merged = {**decrypt_credentials(shop.credentials_encrypted), **changes}
    shop.credentials_encrypted = encrypt_credentials(merged)
    if token_expires_at is not None:
        shop.token_expires_at = token_expires_at
    if refresh_expires_at is not None:
        shop.refresh_expires_at = refresh_expires_at
    session.add(shop)
    session.flush()
