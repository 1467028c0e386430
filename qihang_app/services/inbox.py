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
from sqlmodel import Session

from qihang_app.models import InboxMessage, utcnow

MAX_ATTEMPTS = 8  # transient failures (platform down, order not found yet) before `failed`
PRUNE_BATCH = 5_000  # rows per DELETE: each batch is a short transaction
CLAIM_CHUNK = 500  # bounded IN lists

_inbox = InboxMessage.__table__


@dataclass(frozen=True)
class RawMessage:
    """One payload as it arrived (or was pulled). `headers` is a small JSON-able dict."""

    source: str  # the platform's code
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


# -- writing ----------------------------------------------------------------------------------


def store_raw(session: Session, messages: Sequence[RawMessage], *, now: datetime | None = None) -> list[int]:
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
        ids = sorted(
            session.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
                {"table": table.name, "n": len(rows)},
            ).scalars()
        )
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
        sa.select(_inbox).where(_inbox.c.id.in_(sorted(set(ids))), _inbox.c.status == "received").order_by(_inbox.c.id)
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


def claim_received(session: Session, *, ids: set[int]) -> set[int]:
    """The rows among `ids` still waiting (`received`); the others were handled by another
    worker meanwhile. On PostgreSQL the claimed rows stay locked until the caller commits, and
    rows another worker holds are skipped."""
    wanted = sorted(ids)
    claimed: set[int] = set()
    for start in range(0, len(wanted), CLAIM_CHUNK):
        chunk = wanted[start : start + CLAIM_CHUNK]
        query = sa.select(_inbox.c.id).where(_inbox.c.id.in_(chunk), _inbox.c.status == "received")
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed.update(session.execute(query).scalars())
    return claimed


def finish_rows(
    session: Session, *, processed: list[int], failed: list[dict], rejected: list[dict], now: datetime
) -> None:
    """Mark rows done: `processed` ids, and `failed`/`rejected` rows given as
    {"b_id": id, "b_error": reason}."""
    done = sorted(processed)
    for start in range(0, len(done), CLAIM_CHUNK):
        chunk = done[start : start + CLAIM_CHUNK]
        session.execute(
            _inbox.update().where(_inbox.c.id.in_(chunk)).values(status="processed", processed_at=now, error=None)
        )
    for status, rows in (("failed", failed), ("rejected", rejected)):
        if rows:
            session.execute(
                _inbox.update()
                .where(_inbox.c.id == sa.bindparam("b_id"))
                .values(status=status, processed_at=now, error=sa.bindparam("b_error"), attempts=_inbox.c.attempts + 1),
                rows,
            )


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
        .where(_inbox.c.id.in_(ids), _inbox.c.status == "received", _inbox.c.attempts >= MAX_ATTEMPTS)
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
        .where(_inbox.c.status == "processed", _inbox.c.received_at < older_than, _inbox.c.processed_at < older_than)
        .limit(limit)
    )
    return session.execute(_inbox.delete().where(_inbox.c.id.in_(batch))).rowcount or 0


# -- helpers ----------------------------------------------------------------------------------


def _row(r) -> InboxRow:
    try:
        headers = json.loads(r["headers"] or "{}")
    except ValueError:
        headers = {}
    return InboxRow(
        id=r["id"],
        source=r["source"],
        shop_id=r["shop_id"],
        kind=r["kind"],
        headers=headers if isinstance(headers, dict) else {},
        body=r["body"],
        status=r["status"],
        attempts=r["attempts"],
        received_at=r["received_at"],
    )
