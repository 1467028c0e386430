"""ERP connections: which ERP, where, with which keys (secret ones encrypted), what to push.

A connection belongs to one store, or to every store when store_id is empty; an order goes to its
store's own connection, else the merchant-wide one. Keys follow the kind's fields
(domain.erp_kinds); a secret left empty when editing keeps the stored one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain import erp_kinds
from qihang_app.domain import input_rules as rules_
from qihang_app.domain.erp_link import PushOn
from qihang_app.models import ErpConnection, ErpCustomerMap, Shop, utcnow

from . import audit
from .crypto import decrypt_credentials, encrypt_credentials
from .errors import ConflictError, NotFoundError, ValidationError, checked
from .scope import Actor, require_permission, require_store

CUSTOMER_MODES = ("per_buyer", "per_shop")
MAX_URL = 500
OPTIONS = ("push_on", "push_cancels", "push_after_sales", "customer_mode", "enabled", "store_id")


@dataclass(frozen=True)
class ErpConn:
    """A connection with its decrypted keys (satisfies integrations.erp_contract.ErpKeys). Never UI."""

    id: int
    erp: str
    base_url: str
    keys: dict[str, str] = field(repr=False)
    store_id: int | None = None
    enabled: bool = True
    push_on: str = "accept"
    push_cancels: bool = True
    push_after_sales: bool = True
    customer_mode: str = "per_buyer"


@dataclass(frozen=True)
class ConnectionView:
    """What the connection screen shows: no secret, only whether one is stored."""

    id: int
    name: str
    erp: str
    store_id: int | None
    base_url: str
    settings: dict[str, str]
    secrets_set: tuple[str, ...]
    push_on: str
    push_cancels: bool
    push_after_sales: bool
    customer_mode: str
    enabled: bool
    last_check_message: str
    last_check_at: datetime | None


def _profile(code: str) -> erp_kinds.ErpProfile:
    found = erp_kinds.profile(str(code))
    if found is None:
        raise ValidationError(key="erp.err.bad_kind", field="erp", erp=code)
    return found


def _split_keys(profile: erp_kinds.ErpProfile, keys: dict[str, Any], old: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for f in profile.fields:
        value = checked(f.name, partial(rules_.secret, limit="app_secret"), keys.get(f.name, ""))
        if not value and f.secret:
            value = old.get(f.name, "")  # empty: keep the stored secret
        if not value and f.required:
            raise ValidationError(key="erp.err.key_required", field=f.name, label=f.label_zh)
        merged[f.name] = value
    return merged


def _url(value: object) -> str:
    url = str(value or "").strip()
    if len(url) > MAX_URL or not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise ValidationError(key="erp.err.bad_url", field="base_url")
    return url


def _options(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(OPTIONS)
    if unknown:
        raise ValidationError(key="erp.err.unknown_option", name=", ".join(sorted(unknown)))
    clean = dict(values)
    if "push_on" in clean and clean["push_on"] not in {p.value for p in PushOn}:
        raise ValidationError(key="erp.err.bad_option", field="push_on", name="push_on")
    if "customer_mode" in clean and clean["customer_mode"] not in CUSTOMER_MODES:
        raise ValidationError(key="erp.err.bad_option", field="customer_mode", name="customer_mode")
    for flag in ("push_cancels", "push_after_sales", "enabled"):
        if flag in clean:
            clean[flag] = bool(clean[flag])
    return clean


def _check_scope(actor: Actor, store_id: int | None) -> None:
    require_permission(actor, "erp.settings")
    if store_id is None:
        require_permission(actor, "stores.all")  # a merchant-wide connection serves every store
    else:
        require_store(actor, store_id)


def _write_keys(row: ErpConnection, profile: erp_kinds.ErpProfile, keys: dict[str, str]) -> None:
    secret_names = {f.name for f in profile.fields if f.secret}
    row.settings_json = json.dumps({k: v for k, v in keys.items() if k not in secret_names}, ensure_ascii=False)
    row.secrets_encrypted = encrypt_credentials({k: v for k, v in keys.items() if k in secret_names})
    row.inbound_key = keys.get("key", "")


def _one_per_scope(session: Session, store_id: int | None, enabled: bool, own_id: int | None) -> None:
    """One enabled connection per store, and one merchant-wide: an order has one ERP."""
    if not enabled:
        return
    scope = ErpConnection.store_id.is_(None) if store_id is None else ErpConnection.store_id == store_id
    query = select(ErpConnection.id).where(scope, ErpConnection.enabled)
    if own_id is not None:
        query = query.where(ErpConnection.id != own_id)
    if session.exec(query).first() is not None:
        raise ConflictError(key="erp.err.scope_taken", field="store_id")


def _taken(session: Session, inbound_key: str, own_id: int | None) -> None:
    if not inbound_key:
        return
    query = select(ErpConnection.id).where(ErpConnection.inbound_key == inbound_key)
    if own_id is not None:
        query = query.where(ErpConnection.id != own_id)
    if session.exec(query).first() is not None:
        raise ConflictError(key="erp.err.key_taken", field="key")


def create_connection(
    session: Session, *, actor: Actor, name: str, erp: str, base_url: str, keys: dict[str, Any], **options: Any
) -> ConnectionView:
    clean = _options(options)
    _check_scope(actor, clean.get("store_id"))
    profile = _profile(erp)
    row = ErpConnection(
        name=checked("name", partial(rules_.text, limit="shop_name", required=True), name),
        erp=profile.code,
        base_url=_url(base_url),
        **clean,
    )
    merged = _split_keys(profile, keys, {})
    _taken(session, merged.get("key", ""), None)
    _one_per_scope(session, row.store_id, row.enabled, None)
    _write_keys(row, profile, merged)
    session.add(row)
    session.flush()
    _audited(session, actor, "erp.connection.create", row, keys)
    return _view(row)


def _audited(session: Session, actor: Actor, action: str, row: ErpConnection, keys: dict | None) -> None:
    """Settings as they are now; keys only as "changed", never their values."""
    after = {"name": row.name, "erp": row.erp, "base_url": row.base_url, "enabled": row.enabled}
    after |= {f"credentials.{k}": "changed" for k, v in (keys or {}).items() if v not in (None, "")}
    audit.record(session, actor, action, audit.Target("erp_connection", row.id, row.store_id), after=after)


def update_connection(
    session: Session,
    *,
    actor: Actor,
    connection_id: int,
    keys: dict[str, Any] | None = None,
    name: str | None = None,
    base_url: str | None = None,
    **options: Any,
) -> ConnectionView:
    row = _row(session, actor, connection_id)
    clean = _options(options)
    if "store_id" in clean:
        _check_scope(actor, clean["store_id"])
    profile = _profile(row.erp)
    if name is not None:
        row.name = checked("name", partial(rules_.text, limit="shop_name", required=True), name)
    if base_url is not None:
        row.base_url = _url(base_url)
    if keys is not None:
        merged = _split_keys(profile, keys, _keys(row))
        _taken(session, merged.get("key", ""), row.id)
        _write_keys(row, profile, merged)
    for name_, value in clean.items():
        setattr(row, name_, value)
    _one_per_scope(session, row.store_id, row.enabled, row.id)
    session.add(row)
    session.flush()
    _audited(session, actor, "erp.connection.update", row, keys)
    return _view(row)


def _row(session: Session, actor: Actor | None, connection_id: int) -> ErpConnection:
    row = session.get(ErpConnection, connection_id)
    if row is None:
        raise NotFoundError(key="erp.err.not_found", connection_id=connection_id)
    if actor is not None:
        _check_scope(actor, row.store_id)
    return row


def _keys(row: ErpConnection) -> dict[str, str]:
    return {**json.loads(row.settings_json or "{}"), **decrypt_credentials(row.secrets_encrypted)}


def _view(row: ErpConnection) -> ConnectionView:
    profile = erp_kinds.profile(row.erp)
    secret_names = [f.name for f in profile.fields if f.secret] if profile else []
    stored = decrypt_credentials(row.secrets_encrypted) if row.secrets_encrypted else {}
    return ConnectionView(
        id=row.id,
        name=row.name,
        erp=row.erp,
        store_id=row.store_id,
        base_url=row.base_url,
        settings=json.loads(row.settings_json or "{}"),
        secrets_set=tuple(n for n in secret_names if stored.get(n)),
        push_on=row.push_on,
        push_cancels=row.push_cancels,
        push_after_sales=row.push_after_sales,
        customer_mode=row.customer_mode,
        enabled=row.enabled,
        last_check_message=row.last_check_message,
        last_check_at=row.last_check_at,
    )


def conn_of(row: ErpConnection) -> ErpConn:
    return ErpConn(
        id=row.id,
        erp=row.erp,
        base_url=row.base_url,
        keys=_keys(row),
        store_id=row.store_id,
        enabled=row.enabled,
        push_on=row.push_on,
        push_cancels=row.push_cancels,
        push_after_sales=row.push_after_sales,
        customer_mode=row.customer_mode,
    )


def list_connections(session: Session, *, actor: Actor) -> list[ConnectionView]:
    require_permission(actor, "page.erp")
    rows = session.exec(select(ErpConnection).order_by(ErpConnection.id)).all()
    return [_view(r) for r in rows if r.store_id is None or actor.can_access(r.store_id)]


def connection_keys(session: Session, *, connection_id: int) -> ErpConn | None:
    row = session.get(ErpConnection, connection_id)
    return conn_of(row) if row is not None else None


def connection_for_key(session: Session, *, inbound_key: str) -> ErpConn | None:
    row = session.exec(select(ErpConnection).where(ErpConnection.inbound_key == inbound_key)).first()
    return conn_of(row) if row is not None else None


def connection_for_store(session: Session, *, store_id: int) -> ErpConnection | None:
    """The store's own enabled connection, else the merchant-wide one."""
    rows = session.exec(
        select(ErpConnection)
        .where(ErpConnection.enabled, sa.or_(ErpConnection.store_id == store_id, ErpConnection.store_id.is_(None)))
        .order_by(ErpConnection.store_id.is_(None), ErpConnection.id)
    ).all()
    return rows[0] if rows else None


def record_check(session: Session, *, connection_id: int, message: str) -> None:
    row = session.get(ErpConnection, connection_id)
    if row is not None:
        row.last_check_at, row.last_check_message = utcnow(), message[:500]
        session.add(row)


def set_shop_customer(session: Session, *, actor: Actor, connection_id: int, shop_id: int, code: str) -> None:
    """The fixed ERP customer of a shop (used when the connection maps per shop); empty removes it."""
    row = _row(session, actor, connection_id)
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFoundError(key="shops.err.not_found", shop_id=shop_id)
    require_store(actor, shop.store_id)
    code = checked("customer_code", partial(rules_.code, limit="sku_code"), code)
    ref = f"shop:{shop_id}"
    found = session.exec(
        select(ErpCustomerMap).where(ErpCustomerMap.connection_id == row.id, ErpCustomerMap.buyer_ref == ref)
    ).first()
    if not code:
        if found is not None:
            session.delete(found)
    elif found is None:
        session.add(ErpCustomerMap(connection_id=row.id, platform=shop.platform, buyer_ref=ref, customer_code=code))
    else:
        found.customer_code = code
        session.add(found)
    session.flush()


def polled_connections(session: Session) -> list[tuple[ErpConn, datetime | None]]:
    """Enabled connections whose kind fetches shipments by polling, with their last poll time."""
    rows = session.exec(select(ErpConnection).where(ErpConnection.enabled).order_by(ErpConnection.id)).all()
    return [(conn_of(r), r.last_poll_at) for r in rows if (p := erp_kinds.profile(r.erp)) and p.polls_shipments]


def polled(session: Session, *, connection_id: int, at: datetime) -> None:
    row = session.get(ErpConnection, connection_id)
    if row is not None:
        row.last_poll_at = at
        session.add(row)


def shop_customers(session: Session, *, actor: Actor, connection_id: int) -> list[tuple[int, str, str, str]]:
    """(shop id, name, platform, fixed ERP customer code or "") of the shops this connection serves."""
    row = _row(session, actor, connection_id)
    query = select(Shop).order_by(Shop.id)
    if row.store_id is not None:
        query = query.where(Shop.store_id == row.store_id)
    shops = [s for s in session.exec(query).all() if actor.can_access(s.store_id)]
    codes = dict(
        session.exec(
            select(ErpCustomerMap.buyer_ref, ErpCustomerMap.customer_code).where(
                ErpCustomerMap.connection_id == row.id, ErpCustomerMap.buyer_ref.like("shop:%")
            )
        ).all()
    )
    return [(s.id, s.name, s.platform, codes.get(f"shop:{s.id}", "")) for s in shops]
