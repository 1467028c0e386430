"""The audit trail: record a change in the same transaction as the change; search it.

Only INSERTs here. There is no update or delete of audit_log anywhere in the code (a test scans
for one) and the database refuses both (models/audit.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.domain.audit import redact
from qihang_app.models import AuditEntry, User, utcnow

from .scope import Actor, require_permission, store_filter

ANONYMOUS = "anonymous"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Target:
    kind: str  # "order", "user", "role", "store", "shop", "session", "inbox", "audit", ...
    id: str | int = ""
    store_id: int | None = None  # the store it belongs to: scopes who may read the entry


@dataclass(frozen=True)
class ApiCaller:
    """An API key acting on the inbound API: recorded as "key:<id>" with its name and public key
    id (never its secret) and the caller's address, so its changes read like a person's."""

    key_id: int
    name: str
    address: str | None = None

    @property
    def ref(self) -> str:
        return f"key:{self.key_id}"

    @property
    def username(self) -> str:
        return self.name


ACTOR_KINDS = ("user", "key", ANONYMOUS)  # the audit page's 操作者类型 filter


def _json(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    actor: Actor | ApiCaller | None,
    action: str,
    target: Target,
    *,
    before: dict | None = None,
    after: dict | None = None,
    address: str | None = None,
    actor_name: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Add one entry (flushed with the caller's transaction: it commits or rolls back with the change).

    `actor` None is someone not signed in (a failed log in): pass `actor_name` with what they typed.
    Secret fields in before/after are written as "changed" only (domain/audit.py).
    """
    before, after = redact(before, after)
    entry = AuditEntry(
        at=now or utcnow(),
        actor=actor.ref if actor else ANONYMOUS,
        actor_name=(actor.username if actor else actor_name)[:200],
        address=address or (actor.address if actor else None),
        action=action,
        target_kind=target.kind,
        target_id=str(target.id),
        store_id=target.store_id,
        before=_json(before),
        after=_json(after),
    )
    session.add(entry)
    session.flush()
    return entry


def record_by_ref(session: Session, who: str, action: str, target: Target, **changes) -> AuditEntry | None:
    """Record a change a worker carried out for a person (`who` is "user:<id>"); None for the
    system's own moves ("worker", "auto-dispatch"), which the order's timeline already shows."""
    kind, _, user_id = who.partition(":")
    user = session.get(User, int(user_id)) if kind == "user" and user_id.isdigit() else None
    if user is None:
        return None
    actor = Actor(user_id=user.id, username=user.username, role=user.role)
    return record(session, actor, action, target, **changes)


@dataclass(frozen=True)
class AuditFilter:
    who: str = ""  # username contains, or an exact actor ref ("user:3")
    action: str = ""  # exact key or a prefix ending in "." ("order.")
    target_kind: str = ""
    target_id: str = ""
    text: str = ""  # anywhere in before/after
    actor_kind: str = ""  # "user" (people), "key" (API keys), "anonymous" (failed log ins)
    since: datetime | None = None
    until: datetime | None = None


def _where(actor: Actor, f: AuditFilter) -> list:
    where = []
    if not actor.all_stores:  # entries of the actor's stores only; system-wide ones need every store
        where.append(store_filter(actor, AuditEntry.store_id))
    if f.who:
        if ":" in f.who:
            where.append(AuditEntry.actor == f.who)
        else:
            where.append(AuditEntry.actor_name.contains(f.who.strip().lower(), autoescape=True))
    if f.actor_kind == ANONYMOUS:
        where.append(AuditEntry.actor == ANONYMOUS)
    elif f.actor_kind in ACTOR_KINDS:
        where.append(AuditEntry.actor.startswith(f"{f.actor_kind}:"))
    if f.action:
        if f.action.endswith("."):
            where.append(AuditEntry.action.startswith(f.action, autoescape=True))
        else:
            where.append(AuditEntry.action == f.action)
    if f.target_kind:
        where.append(AuditEntry.target_kind == f.target_kind)
    if f.target_id:
        where.append(AuditEntry.target_id == f.target_id)
    if f.text:
        where.append(
            sa.or_(
                AuditEntry.before.contains(f.text, autoescape=True), AuditEntry.after.contains(f.text, autoescape=True)
            )
        )
    if f.since:
        where.append(AuditEntry.at >= f.since)
    if f.until:
        where.append(AuditEntry.at < f.until)
    return where


def search(
    session: Session, *, actor: Actor, filters: AuditFilter = AuditFilter(), page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[AuditEntry], int]:
    """Newest first, one page, and the total matching."""
    require_permission(actor, "audit.view")
    where = _where(actor, filters)
    total = session.exec(select(sa.func.count()).select_from(AuditEntry).where(*where)).one()
    rows = session.exec(
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(max(0, page - 1) * size)
        .limit(size)
    ).all()
    return list(rows), total


def for_target(
    session: Session, *, actor: Actor, kind: str, target_id: str | int, limit: int = 100
) -> list[AuditEntry]:
    """One target's entries, oldest first (the order drawer's 操作记录). The caller checked the
    actor may see the target itself."""
    if not actor.can("audit.view") and kind != "order":
        return []
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.target_kind == kind, AuditEntry.target_id == str(target_id))
            .order_by(AuditEntry.at, AuditEntry.id)
            .limit(limit)
        ).all()
    )


def export_rows(session: Session, *, actor: Actor, filters: AuditFilter, limit: int = 100_000) -> list[AuditEntry]:
    """Every matching entry for a download; the export itself is recorded."""
    require_permission(actor, "audit.export")
    rows, total = search(session, actor=actor, filters=filters, page=1, size=limit)
    record(session, actor, "audit.export", Target("audit"), after={"rows": len(rows), "filters": filters.__dict__})
    return rows


def as_dict(entry: AuditEntry) -> dict:
    """An entry for the API (before/after decoded)."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "actor_name": entry.actor_name,
        "address": entry.address,
        "action": entry.action,
        "target_kind": entry.target_kind,
        "target_id": entry.target_id,
        "store_id": entry.store_id,
        "before": json.loads(entry.before) if entry.before else None,
        "after": json.loads(entry.after) if entry.after else None,
    }
