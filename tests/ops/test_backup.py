"""Backups under write load restore into an empty database with the same rows (counts and a
checksum of the orders), on SQLite and PostgreSQL; retention; what a restore refuses."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from qihang_app.db import make_engine, upgrade_db
from qihang_app.models import OrderEvent
from qihang_app.services import backups
from tests.conftest import TEST_POSTGRES_URL
from tests.services.factories import build_world, platform_order

pytestmark = pytest.mark.timeout(300)
ROOT = Path(__file__).resolve().parent.parent.parent
ORDER_COLUMNS = "id, platform, shop_id, store_id, platform_order_id, status, paid_fen, receiver_phone"


class Writer(threading.Thread):
    """Inserts orders (with a line and an event, one transaction each) until stopped."""

    def __init__(self, db_url: str, shop_id: int, store_id: int) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(db_url)
        self.shop_id, self.store_id = shop_id, store_id
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        while not self.stop.is_set():
            with Session(self.engine) as session:
                order = platform_order(
                    session,
                    shop_id=self.shop_id,
                    store_id=self.store_id,
                    no=f"LOAD-{self.written}",
                    paid_fen=self.written,
                )
                session.add(OrderEvent(order_id=order.id, actor="test", kind="created"))
                session.commit()
            self.written += 1
            time.sleep(0.002)
        self.engine.dispose()


def _empty_target(db_url: str, tmp_path: Path, request) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"qihang_r_{secrets.token_hex(6)}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    request.addfinalizer(lambda: _drop(server, name))
    return make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop(server, name: str) -> None:
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _figures(url: str, *, up_to: int | None = None) -> tuple[dict[str, int], str, int]:
    """Row counts of every table, a checksum of the orders (ids ≤ up_to) and the highest order id."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(sa.inspect(conn).get_table_names())
            counts = {t: conn.execute(sa.text(f'select count(*) from "{t}"')).scalar_one() for t in tables}
            top = conn.execute(sa.text("select coalesce(max(id), 0) from orders")).scalar_one()
            limit = top if up_to is None else up_to
            rows = conn.execute(sa.text(f"select {ORDER_COLUMNS} from orders where id <= :n order by id"), {"n": limit})
            digest = hashlib.sha256("\n".join("|".join(map(str, r)) for r in rows).encode()).hexdigest()
            if up_to is not None:  # what the backup held of the tables the writer fills
                for table in ("orders", "order_lines", "order_events"):
                    column = "id" if table == "orders" else "order_id"
                    counts[table] = conn.execute(
                        sa.text(f"select count(*) from {table} where {column} <= :n"), {"n": limit}
                    ).scalar_one()
            return counts, digest, top
    finally:
        engine.dispose()


def test_a_backup_under_write_load_restores_the_same_rows(engine, session, db_url, tmp_path, request):
    world = build_world(session)
    session.commit()
    writer = Writer(db_url, world.shop_a, world.store_a)
    writer.start()
    try:
        while writer.written < 30:
            time.sleep(0.01)
        path = backups.backup(db_url, tmp_path / "backups", keep=3)
        before_end = writer.written
        while writer.written < before_end + 30:  # the writes go on after the snapshot
            time.sleep(0.01)
    finally:
        writer.stop.set()
        writer.join(30)
    target = _empty_target(db_url, tmp_path, request)
    backups.restore(path, target)

    restored_counts, restored_sum, restored_top = _figures(target)
    source_counts, source_sum, source_top = _figures(db_url, up_to=restored_top)
    assert 30 <= restored_top < source_top  # a snapshot taken while writes went on
    assert restored_counts == source_counts
    assert restored_sum == source_sum
    # every restored order is whole: its line and its event came with it
    assert restored_counts["order_lines"] == restored_counts["orders"] == restored_counts["order_events"] + 2


def test_retention_keeps_the_newest_and_partial_files_are_not_backups(engine, db_url, tmp_path):
    folder = tmp_path / "b"
    made = [backups.backup(db_url, folder, keep=2) for _ in range(4)]
    (folder / "qihang-29990101-000000-000000.pgdump.partial").write_bytes(b"half")
    assert backups.backups(folder) == made[-2:]


def test_a_restore_refuses_a_database_that_is_not_empty_or_the_wrong_kind(engine, db_url, tmp_path):
    path = backups.backup(db_url, tmp_path / "b")
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.restore(path, db_url)
    other = "sqlite:///" + str(tmp_path / "x.db") if not db_url.startswith("sqlite") else TEST_POSTGRES_URL
    with pytest.raises(backups.BackupError, match="is not a"):
        backups.restore(path, other)


def test_the_command_line_backs_up_and_restores(engine, session, tmp_path):
    if not str(engine.url).startswith("sqlite"):
        pytest.skip("one run of the scripts is enough; the round trip above covers PostgreSQL")
    build_world(session)
    session.commit()
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "BACKUP_DIR": str(tmp_path / "cli"), "BACKUP_KEEP": "5"}
    made = subprocess.run([sys.executable, "-m", "scripts.backup"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    path = made.stdout.strip()
    target = f"sqlite:///{tmp_path / 'new.db'}"
    back = subprocess.run(
        [sys.executable, "-m", "scripts.restore", path, "--database-url", target],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert back.returncode == 0, back.stderr
    again = subprocess.run(
        [sys.executable, "-m", "scripts.restore", path, "--database-url", target],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert again.returncode == 1 and "not empty" in again.stderr
    assert _figures(target)[:2] == _figures(url)[:2]
    upgrade_db(target)  # the backup's alembic revision came with it: nothing left to migrate
    assert _figures(target)[:2] == _figures(url)[:2]
