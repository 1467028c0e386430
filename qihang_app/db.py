"""Engines and sessions usable anywhere: the Reflex app, arq workers, scripts and tests.

from qihang_app.db import session_scope
with session_scope() as session:
    ...            # committed on success, rolled back on any exception
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from qihang_app.config import ROOT, get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "qihang_read_only"


def normalise_url(url: str) -> str:
    """Plain postgresql:// (or postgres://) URLs would pick psycopg2; we ship psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, foreign_keys: bool = True, echo: bool = False) -> Engine:
    """An engine for SQLite (file or memory) or PostgreSQL (psycopg 3).

    SQLite gets WAL (cheap commits; backups and ad-hoc readers are not blocked), foreign keys
    ON, a busy timeout, and real transactions that start with BEGIN IMMEDIATE: several
    processes (app + workers) write the same file, and a deferred transaction that reads then
    writes fails at once with "database is locked" instead of waiting. The price: on SQLite any open transaction, even a
    read, holds the write lock, so keep sessions short (one session_scope per use case).
    `foreign_keys=False` is for migrations only.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Sessions in UTC so raw SQL output matches what the app stores.
        return create_engine(url, echo=echo, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"})

    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Take transaction control away from the sqlite3 module (it would skip BEGIN before
        # SELECTs); the "begin" hook below issues it. PRAGMAs must run outside a transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # read_scope(): a deferred BEGIN is a WAL snapshot that takes no write lock
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    return engine


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for settings.database_url."""
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on exception.

    Objects stay readable after the block (expire_on_commit=False), e.g. to copy into UI state.
    """
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only unit of work. On SQLite it does not take the write lock that session_scope's
    BEGIN IMMEDIATE takes, so frequent readers (live boards) never queue behind or block the
    workers' writes. Writing in it is a bug (SQLite would fail on a busy database)."""
    bound = (engine or get_engine()).execution_options(**{READ_ONLY: True})
    with Session(bound, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


# -- migrations -------------------------------------------------------------------------------


def alembic_config(url: str | None = None):
    """An alembic Config for this repo, optionally aimed at `url` instead of the settings."""
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False  # leave the host program's logging alone
    if url:
        cfg.attributes["url"] = url
    return cfg


def upgrade_db(url: str | None = None, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade_db(url: str | None = None, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


# Every process that opens sessions keeps the report rollups equal to the orders: its session
# listeners recompute the buckets of changed orders before each commit (services/reports/rollups.py).
import qihang_app.services.reports.rollups  # noqa: E402, F401
