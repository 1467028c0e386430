"""The inbox: every pushed or pulled payload, stored raw before it is parsed.

Statuses (models.INBOX_STATUSES):
- `received`  stored, waiting for a worker (a webhook stores it so and answers the platform);
- `processed` parsed and applied to the order center;
- `failed`    could not be parsed/applied: kept with its error, replayable after a fix;
- `rejected`  failed verification (bad signature, unknown shop): kept with the reason, never
              applied unless replayed, and a replay verifies it again.

A worker picks `received` rows either from the arq job the webhook enqueues or, when Redis lost
that job, from the `drain_inbox` cron (rows older than a few seconds). Replaying a row only sets
it back to `received`; the cron does the rest, so the UI never needs the queue.

Processed rows are deleted after INBOX_RETENTION_DAYS (`prune_processed`, run daily by the
`prune_inbox` cron); failed and rejected rows stay until someone replays them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.models import InboxMessage, Shop, Store, utcnow

from .errors import ValidationError
from .scope import Actor, ScopeError, require_role
from .stores import get_shop_credentials

MAX_ATTEMPTS = 8  # transient failures (platform down, order not found yet) before `failed`
PREVIEW_CHARS = 160
MAX_PAGE_SIZE = 100
PROBLEM_STATUSES = ("failed", "rejected")
PRUNE_BATCH = 5_000  # rows per DELETE: each batch is a short transaction

_inbox = InboxMessage.__table__


@dataclass(frozen=True)
class RawMessage:
    """One payload as it arrived (or was pulled). `headers` is a small JSON-able dict."""

    source: str  # "meituan", "douyin_laike", ...
    kind: str  # push type / event name, or "pull"
    body: str
    shop_id: int | None = None
    headers: dict = field(default_factory=dict)
    status: str = "received"
    error: str | None = None
    dedup_key: str | None = None


@dataclass(frozen=True)
class InboxRow:
    id: int
    source: str
    shop_id: int | None
    kind: str
    headers: dict
    body: str
    status: str
    attempts: int
    received_at: datetime


@dataclass(frozen=True)
class ShopAuth:
    """What a webhook or worker needs to verify and call for one shop. Holds secrets: never UI."""

    id: int
    store_id: int
    platform: str
    platform_shop_id: str
    enabled: bool
    credentials: dict

    @property
    def app_key(self) -> str:
        c = self.credentials
        return str(c.get("app_key") or c.get("app_id") or c.get("client_key") or "")

    @property
    def secret(self) -> str:
        c = self.credentials
        return str(c.get("app_secret") or c.get("client_secret") or "")

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return f"ShopAuth(id={self.id}, platform={self.platform!r}, shop={self.platform_shop_id!r})"


@dataclass(frozen=True)
class InboxProblem:
    """A failed or rejected row for the 数据接收 page (no secrets; body shortened)."""

    id: int
    source: str
    kind: str
    shop_id: int | None
    shop_name: str
    store_name: str
    received_at: datetime
    status: str
    error: str
    attempts: int
    preview: str


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxProblem]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]  # status -> rows in the actor's scope

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


# -- writing ----------------------------------------------------------------------------------


def store_raw(session: Session, messages: Sequence[RawMessage], *, now: datetime | None = None
              ) -> list[int]:
    """Insert the payloads in one statement; returns their ids in order. The caller commits.

    Used by the webhook routes (group commit: many requests, one transaction) and by pulls.
    """
    if not messages:
        return []
    now = now or utcnow()
    rows = [
        {
            "source": m.source,
            "shop_id": m.shop_id,
            "kind": m.kind,
            "headers": json.dumps(m.headers, ensure_ascii=False, separators=(",", ":")),
            "body": m.body,
            "received_at": now,
            "status": m.status,
            "error": m.error,
            "attempts": 0,
            "dedup_key": m.dedup_key,
            "processed_at": None if m.status == "received" else now,
        }
        for m in messages
    ]
    return insert_returning_ids(session, _inbox, rows)


def insert_returning_ids(session: Session, table: sa.Table, rows: list[dict]) -> list[int]:
    """Insert many rows; their new ids, in order.

    PostgreSQL: ids are drawn from the table's sequence first and the rows inserted with a plain
    executemany. (INSERT … RETURNING with many rows becomes one huge statement that psycopg parses
    on every call, which costs more than the database work.) SQLite: multi-row INSERT … RETURNING.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids = sorted(session.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"),
            {"table": table.name, "n": len(rows)},
        ).scalars())
        session.execute(table.insert(), [{**row, "id": i} for row, i in zip(rows, ids)])
        return ids
    # SQLite assigns rowids in VALUES order within a statement, and later statements get higher
    # ones, so sorted ids line up with the rows. (sort_by_parameter_order=True would make
    # SQLAlchemy insert them one statement per row.)
    return sorted(row[0] for row in session.execute(table.insert().returning(table.c.id), rows))


def load_received(session: Session, *, ids: Sequence[int]) -> list[InboxRow]:
    """The rows among `ids` that still wait for processing, oldest first."""
    if not ids:
        return []
    query = (
        sa.select(_inbox)
        .where(_inbox.c.id.in_(sorted(set(ids))), _inbox.c.status == "received")
        .order_by(_inbox.c.id)
    )
    return [_row(r) for r in session.execute(query).mappings()]


def pending_ids(session: Session, *, older_than: datetime, limit: int = 500) -> list[int]:
    """Received rows waiting since before `older_than` (their job was lost or never ran)."""
    query = (
        sa.select(_inbox.c.id)
        .where(_inbox.c.status == "received", _inbox.c.received_at < older_than)
        .order_by(_inbox.c.received_at, _inbox.c.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def record_attempt(session: Session, *, ids: Sequence[int], error: str) -> None:
    """A transient failure: count it; after MAX_ATTEMPTS the row is `failed` (replayable)."""
    if not ids:
        return
    now = utcnow()
    ids = sorted(set(ids))
    session.execute(
        _inbox.update()
        .where(_inbox.c.id.in_(ids), _inbox.c.status == "received")
        .values(attempts=_inbox.c.attempts + 1, error=error[:2000])
    )
    session.execute(
        _inbox.update()
        .where(_inbox.c.id.in_(ids), _inbox.c.status == "received",
               _inbox.c.attempts >= MAX_ATTEMPTS)
        .values(status="failed", processed_at=now)
    )


def prune_processed(session: Session, *, older_than: datetime, limit: int = PRUNE_BATCH) -> int:
    """Delete at most `limit` rows processed successfully before `older_than`; returns how many.

    Failed, rejected and received rows are never deleted (evidence, replayable). The caller
    commits after each call and calls again while a full batch came back, so no transaction
    holds SQLite's single write lock for long.
    """
    # received_at <= processed_at, so the received_at bound lets the (status, received_at) index
    # find the candidates; processed_at keeps rows replayed recently.
    batch = (
        sa.select(_inbox.c.id)
        .where(_inbox.c.status == "processed", _inbox.c.received_at < older_than,
               _inbox.c.processed_at < older_than)
        .limit(limit)
    )
    return session.execute(_inbox.delete().where(_inbox.c.id.in_(batch))).rowcount or 0


def webhook_shops(session: Session, *, platform: str) -> list[ShopAuth]:
    """Every shop of a platform with decrypted credentials (webhooks cache this briefly)."""
    shops = session.exec(select(Shop).where(Shop.platform == platform).order_by(Shop.id)).all()
    result = []
    for shop in shops:
        try:  # (the shop is in the identity map: no second query)
            credentials = get_shop_credentials(session, shop_id=shop.id)
        except Exception:  # a shop with unreadable credentials cannot verify anything
            credentials = {}
        result.append(ShopAuth(id=shop.id, store_id=shop.store_id, platform=shop.platform,
                               platform_shop_id=shop.platform_shop_id, enabled=shop.enabled,
                               credentials=credentials))
    return result


def shop_auth(session: Session, *, shop_id: int) -> ShopAuth | None:
    shop = session.get(Shop, shop_id)
    if shop is None:
        return None
    return ShopAuth(id=shop.id, store_id=shop.store_id, platform=shop.platform,
                    platform_shop_id=shop.platform_shop_id, enabled=shop.enabled,
                    credentials=get_shop_credentials(session, shop_id=shop.id))


# -- the 数据接收 page ------------------------------------------------------------------------


def _manager(actor: Actor) -> None:
    require_role(actor, "admin", "manager")


def _scope(actor: Actor) -> sa.ColumnElement[bool]:
    """Rows of the actor's stores; rows without a shop (unknown shop) are for admins only."""
    if actor.all_stores:
        return sa.true()
    return Shop.store_id.in_(sorted(actor.store_ids))


def list_problems(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    source: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> InboxPage:
    """Failed and rejected rows, newest first, in the actor's scope. Admins and managers."""
    _manager(actor)
    if status and status not in PROBLEM_STATUSES:
        raise ValidationError(key="inbox.err.bad_status", status=status)
    statuses = [status] if status else list(PROBLEM_STATUSES)
    base = (
        sa.select(_inbox.c.id)
        .select_from(_inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id))
        .where(_scope(actor))
    )
    where = [_inbox.c.status.in_(statuses)]
    if source:
        where.append(_inbox.c.source == source)
    total = session.execute(
        sa.select(sa.func.count()).select_from(base.where(*where).subquery())
    ).scalar_one()
    counts = dict(
        session.execute(
            sa.select(_inbox.c.status, sa.func.count())
            .select_from(_inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id))
            .where(_scope(actor), _inbox.c.status.in_(("received", *PROBLEM_STATUSES)))
            .group_by(_inbox.c.status)
        ).all()
    )
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    body_head = sa.func.substr(_inbox.c.body, 1, PREVIEW_CHARS * 2)
    query = (
        sa.select(
            _inbox.c.id, _inbox.c.source, _inbox.c.kind, _inbox.c.shop_id,
            Shop.name.label("shop_name"), Store.name.label("store_name"),
            _inbox.c.received_at, _inbox.c.status, _inbox.c.error, _inbox.c.attempts,
            body_head.label("head"),
        )
        .select_from(
            _inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id)
            .outerjoin(Store.__table__, Store.id == Shop.store_id)
        )
        .where(_scope(actor), *where)
        .order_by(_inbox.c.received_at.desc(), _inbox.c.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [
        InboxProblem(
            id=r.id, source=r.source, kind=r.kind, shop_id=r.shop_id,
            shop_name=r.shop_name or "", store_name=r.store_name or "",
            received_at=r.received_at,
            status=r.status, error=r.error or "", attempts=r.attempts,
            preview=_preview(r.head or ""),
        )
        for r in session.execute(query)
    ]
    return InboxPage(rows=rows, total=total, page=page, page_size=page_size,
                     counts={k: int(v) for k, v in counts.items()})


def replay_inbox(
    session: Session,
    *,
    actor: Actor,
    inbox_ids: Sequence[int] | None = None,
    all: bool = False,  # noqa: A002  (the use case's own word)
    status: str | None = None,
) -> int:
    """Put failed/rejected rows back to `received`; the `drain_inbox` cron processes them within
    seconds (rejected rows are verified again with the shop's current credentials).

    Either `inbox_ids` or `all=True` (every problem row in scope, optionally of one `status`).
    Rows outside the actor's stores are refused, not silently skipped. Returns the row count.
    """
    _manager(actor)
    if not all and not inbox_ids:
        raise ValidationError(key="inbox.err.nothing_chosen")
    statuses = [status] if status else list(PROBLEM_STATUSES)
    joined = _inbox.outerjoin(Shop.__table__, Shop.id == _inbox.c.shop_id)
    query = sa.select(_inbox.c.id, Shop.store_id).select_from(joined).where(
        _inbox.c.status.in_(statuses)
    )
    if not all:
        wanted = sorted({int(i) for i in inbox_ids or ()})
        query = query.where(_inbox.c.id.in_(wanted))
    else:
        query = query.where(_scope(actor))
    found = session.execute(query).all()
    if not all:
        for _id, store_id in found:
            if not actor.all_stores and (store_id is None or store_id not in actor.store_ids):
                raise ScopeError(f"无权重放记录 {_id}", f"no access to inbox row {_id}")
    ids = [row[0] for row in found]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(
            _inbox.update()
            .where(_inbox.c.id.in_(chunk), _inbox.c.status.in_(PROBLEM_STATUSES))
            .values(status="received", attempts=0, processed_at=None)
        )
    session.flush()
    return len(ids)


# -- helpers ----------------------------------------------------------------------------------


def _row(r) -> InboxRow:
    try:
        headers = json.loads(r["headers"] or "{}")
    except ValueError:
        headers = {}
    return InboxRow(id=r["id"], source=r["source"], shop_id=r["shop_id"], kind=r["kind"],
                    headers=headers if isinstance(headers, dict) else {}, body=r["body"],
                    status=r["status"], attempts=r["attempts"], received_at=r["received_at"])


def _preview(head: str) -> str:
    text = " ".join(head.split())
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
