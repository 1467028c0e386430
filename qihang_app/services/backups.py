"""Database backups and restores: SQLite through its online backup API, PostgreSQL through
pg_dump / pg_restore. A backup is written under a temporary name and renamed when complete, so
a half-written file is never taken for a backup; the newest `keep` are kept.

SQLite: one consistent snapshot while the app and workers keep writing (WAL), gzip-compressed.
PostgreSQL: pg_dump's custom format (a consistent snapshot too), restored with pg_restore.
A restore goes into an EMPTY database only; the backup's own alembic revision comes with it.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from qihang_app.db import normalise_url
from qihang_app.models import utcnow

PREFIX = "qihang-"
SUFFIXES = {"sqlite": ".sqlite3.gz", "postgresql": ".pgdump"}
COPY_CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup or restore that cannot be done (the message says why, for a person)."""


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in SUFFIXES:
        raise BackupError(f"cannot back up a {backend} database")
    return backend


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq address without the password (that goes in PGPASSWORD, not on a command line)."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-800:]}")


def backup(database_url: str, directory: str | Path, *, keep: int = 14, now: datetime | None = None) -> Path:
    """Write one backup into `directory`; returns its path. Older ones past `keep` are deleted."""
    url = make_url(normalise_url(database_url))
    kind = _kind(url)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or utcnow()).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{PREFIX}{stamp}{SUFFIXES[kind]}"
    partial = target.with_name(target.name + ".partial")
    try:
        if kind == "sqlite":
            _backup_sqlite(url.database or "", partial)
        else:
            address, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), address], env)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    prune(folder, keep=keep)
    return target


def _backup_sqlite(database: str, destination: Path) -> None:
    if not database or database == ":memory:" or not Path(database).exists():
        raise BackupError(f"no SQLite database file at {database!r}")
    with tempfile.TemporaryDirectory(dir=destination.parent) as scratch:
        copy = Path(scratch) / "snapshot.sqlite3"
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # all pages in one step: one consistent snapshot
        finally:
            target.close()
            source.close()
        with open(copy, "rb") as raw, gzip.open(destination, "wb", compresslevel=6) as packed:
            shutil.copyfileobj(raw, packed, COPY_CHUNK)


def backups(directory: str | Path) -> list[Path]:
    """The complete backups in `directory`, oldest first."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(tuple(SUFFIXES.values()))]
    return sorted(found, key=lambda p: p.name)


def prune(directory: str | Path, *, keep: int) -> list[Path]:
    old = backups(directory)[: -max(1, keep)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def _is_empty(url: URL) -> bool:
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not path.exists() or path.stat().st_size == 0:
            return True
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return not sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def restore(backup_file: str | Path, database_url: str) -> None:
    """Load a backup into an empty database (refused when it holds any table)."""
    path = Path(backup_file)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    url = make_url(normalise_url(database_url))
    kind = _kind(url)
    if not path.name.endswith(SUFFIXES[kind]):
        raise BackupError(f"{path.name} is not a {kind} backup (expected *{SUFFIXES[kind]})")
    if not _is_empty(url):
        raise BackupError("the target database is not empty: restore only into a new, empty database")
    if kind == "sqlite":
        _restore_sqlite(path, Path(url.database or ""))
    else:
        address, env = _libpq(url)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", address, str(path)], env)


def _restore_sqlite(path: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=database.parent) as scratch:
        unpacked = Path(scratch) / "restore.sqlite3"
        try:
            with gzip.open(path, "rb") as packed, open(unpacked, "wb") as raw:
                shutil.copyfileobj(packed, raw, COPY_CHUNK)
        except (OSError, EOFError) as exc:
            raise BackupError(f"{path.name} is damaged: {exc}") from exc
        source = sqlite3.connect(unpacked)
        target = sqlite3.connect(database, timeout=30)
        try:
            if source.execute("pragma integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path.name} fails SQLite's integrity check")
            source.backup(target)
        finally:
            target.close()
            source.close()
