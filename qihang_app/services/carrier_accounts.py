"""Carrier accounts of a store: keys encrypted at rest like shop credentials, a secret never shown
again (an empty input keeps the stored one), and the decrypted view the workers connect with."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlmodel import Session, select

from qihang_app.config import get_settings
from qihang_app.domain import carriers
from qihang_app.domain import input_rules as rules_
from qihang_app.models import CarrierAccount, Store, utcnow

from . import audit
from .crypto import decrypt_credentials, encrypt_credentials
from .errors import NotFoundError, ValidationError, checked
from .scope import Actor, require_permission, require_store

CALLBACK_PATH = "/api/webhooks/carriers/{carrier}"


@dataclass(frozen=True)
class AccountKeys:
    """One account with its decrypted keys (integrations' CarrierKeys protocol)."""

    id: int
    store_id: int
    carrier: str
    name: str
    base_url: str
    enabled: bool
    keys: dict = field(default_factory=dict)
    callback_url: str = ""


@dataclass(frozen=True)
class AccountView:
    """What the form shows: secrets only as set / not set."""

    id: int
    store_id: int
    carrier: str
    name: str
    base_url: str
    enabled: bool
    values: dict  # non-secret keys
    secrets_set: tuple[str, ...]


def callback_url(carrier: str) -> str:
    settings = get_settings()
    base = settings.public_url or f"http://127.0.0.1:{settings.app_port}"
    return base.rstrip("/") + CALLBACK_PATH.format(carrier=carrier)


def _kind(carrier: str) -> carriers.CarrierProfile:
    found = carriers.profile(carrier)
    if found is None:
        raise ValidationError(key="delivery.err.unknown_carrier", field="carrier", carrier=carrier)
    return found


def _account(session: Session, actor: Actor | None, account_id: int) -> CarrierAccount:
    row = session.get(CarrierAccount, account_id)
    if row is None:
        raise NotFoundError(key="delivery.err.account_not_found", account_id=account_id)
    if actor is not None:
        require_store(actor, row.store_id)
    return row


def _clean_keys(kind: carriers.CarrierProfile, keys: dict[str, Any], stored: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for spec in kind.fields:
        raw = keys.get(spec.name, "")
        # ids and numbers are identifiers; secrets may hold any printable character but spaces
        rule = partial(rules_.secret, limit="app_secret") if spec.secret else partial(rules_.code, limit="app_key")
        value = checked(spec.name, rule, raw)
        if not value and spec.secret:
            value = stored.get(spec.name, "")  # a secret left empty keeps the stored one
        if spec.required and not value:
            raise ValidationError(key="delivery.err.key_required", field=spec.name, label=spec.label_zh)
        clean[spec.name] = value
    return clean


def _clean_url(value: object) -> str:
    url = str(value or "").strip()
    if url and not url.startswith(("http://", "https://")) or len(url) > 300:
        raise ValidationError(key="delivery.err.bad_url", field="base_url")
    return url


def view(row: CarrierAccount) -> AccountView:
    kind = carriers.profile(row.carrier)
    keys = decrypt_credentials(row.keys_encrypted)
    secret = {f.name for f in kind.fields if f.secret} if kind else set()
    return AccountView(
        row.id,
        row.store_id,
        row.carrier,
        row.name,
        row.base_url,
        row.enabled,
        {k: v for k, v in keys.items() if k not in secret},
        tuple(sorted(k for k in secret if keys.get(k))),
    )


def list_accounts(session: Session, *, actor: Actor, store_id: int) -> list[AccountView]:
    require_store(actor, store_id)
    rows = session.exec(
        select(CarrierAccount).where(CarrierAccount.store_id == store_id).order_by(CarrierAccount.id)
    ).all()
    return [view(r) for r in rows]


def get_account(session: Session, *, actor: Actor, account_id: int) -> AccountView:
    """One account for its edit form: its non-secret keys, and which secrets are set (never them)."""
    require_permission(actor, "delivery.settings")
    return view(_account(session, actor, account_id))


def save_account(
    session: Session,
    *,
    actor: Actor,
    store_id: int,
    carrier: str,
    keys: dict[str, Any],
    account_id: int | None = None,
    name: str = "",
    base_url: str = "",
    enabled: bool = True,
) -> CarrierAccount:
    """Create (account_id None) or change a store's carrier account."""
    require_permission(actor, "delivery.settings")
    require_store(actor, store_id)
    if session.get(Store, store_id) is None:
        raise NotFoundError(key="stores.err.not_found", store_id=store_id)
    kind = _kind(carrier)
    row = _account(session, actor, account_id) if account_id else CarrierAccount(store_id=store_id, carrier=carrier)
    if row.carrier != carrier:
        raise ValidationError(key="delivery.err.carrier_fixed", field="carrier")
    stored = decrypt_credentials(row.keys_encrypted) if row.keys_encrypted else {}
    before = _audit_view(row) if account_id else None
    clean = _clean_keys(kind, keys, stored)
    row.keys_encrypted = encrypt_credentials(clean)
    row.name = checked("name", partial(rules_.text, limit="shop_name"), name) or kind.name_zh
    row.base_url = _clean_url(base_url)
    row.enabled = bool(enabled)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    after = _audit_view(row)  # credentials: their names only, written as "changed"
    after.update({f"credentials.{n}": "changed" for n in sorted(clean) if clean[n] != stored.get(n)})
    if before != after:
        action = "carrier_account.update" if account_id else "carrier_account.create"
        audit.record(session, actor, action, _target(row), before=before, after=after)
    return row


def _audit_view(row: CarrierAccount) -> dict:
    return {"carrier": row.carrier, "name": row.name, "base_url": row.base_url, "enabled": row.enabled}


def _target(row: CarrierAccount) -> audit.Target:
    return audit.Target("carrier_account", row.id, row.store_id)


def set_enabled(session: Session, *, actor: Actor, account_id: int, enabled: bool) -> CarrierAccount:
    """Switch an account off (no quotes, no auto-dispatch) or on again, keys untouched."""
    require_permission(actor, "delivery.settings")
    row = _account(session, actor, account_id)
    if row.enabled != bool(enabled):
        audit.record(
            session, actor, "carrier_account.update", _target(row),
            before={"enabled": row.enabled}, after={"enabled": bool(enabled)},
        )  # fmt: skip
    row.enabled, row.updated_at = bool(enabled), utcnow()
    session.add(row)
    session.flush()
    return row


def delete_account(session: Session, *, actor: Actor, account_id: int) -> None:
    require_permission(actor, "delivery.settings")
    row = _account(session, actor, account_id)
    audit.record(session, actor, "carrier_account.delete", _target(row), before=_audit_view(row))
    session.delete(row)
    session.flush()


def account_keys(session: Session, *, account_id: int, actor: Actor | None = None) -> AccountKeys:
    row = _account(session, actor, account_id)
    return AccountKeys(
        row.id,
        row.store_id,
        row.carrier,
        row.name,
        row.base_url,
        row.enabled,
        decrypt_credentials(row.keys_encrypted),
        callback_url(row.carrier),
    )


def enabled_accounts(session: Session, *, store_id: int) -> list[AccountKeys]:
    rows = session.exec(
        select(CarrierAccount)
        .where(CarrierAccount.store_id == store_id, CarrierAccount.enabled.is_(True))
        .order_by(CarrierAccount.id)
    ).all()
    return [account_keys(session, account_id=r.id) for r in rows]


def accounts_of_carrier(session: Session, *, carrier: str) -> list[AccountKeys]:
    """Every enabled account of one carrier (the callback route tries them to verify)."""
    rows = session.exec(
        select(CarrierAccount).where(CarrierAccount.carrier == carrier, CarrierAccount.enabled.is_(True))
    ).all()
    return [account_keys(session, account_id=r.id) for r in rows]
