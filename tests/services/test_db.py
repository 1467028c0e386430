"""Engine set-up, sessions and the UTC datetime column on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from qihang_app.db import make_engine, normalise_url, read_scope, session_scope
from qihang_app.models import UTC, Shop, Store


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///var/x.db", "sqlite:///var/x.db"),
    ],
)
def test_normalise_url(given, expected):
    assert normalise_url(given) == expected


def test_plain_postgres_url_uses_psycopg3():
    assert make_engine("postgresql://u@127.0.0.1/db").dialect.driver == "psycopg"


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")  # creates the folder
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(sa.exc.IntegrityError), session_scope(engine) as session:
        session.add(Shop(store_id=999, platform="meituan", platform_shop_id="x", name="x"))
        session.flush()


def test_session_scope_commits_and_rolls_back(engine):
    with session_scope(engine) as session:
        session.add(Store(name="kept"))
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Store(name="dropped"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        assert session.exec(select(Store.name)).all() == ["kept"]


def test_datetimes_round_trip_as_aware_utc(engine):
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2024, 3, 1, 8, 30, 15, 123456, tzinfo=shanghai)
    with session_scope(engine) as session:
        store = Store(name="s", created_at=local)
        session.add(store)
    with Session(engine) as session:
        back = session.get(Store, store.id).created_at
        assert back == local
        assert back.tzinfo == UTC
        assert back.hour == 0 and back.microsecond == 123456
        # Comparison in SQL is by instant, whatever offset the bound value carries.
        assert session.exec(select(Store.id).where(Store.created_at >= local)).all() == [store.id]
        later = datetime(2024, 3, 1, 0, 30, 16, tzinfo=UTC)
        assert session.exec(select(Store.id).where(Store.created_at >= later)).all() == []
        raw = session.connection().exec_driver_sql("SELECT created_at FROM stores").scalar()
    if engine.dialect.name == "sqlite":
        assert str(raw).startswith("2024-03-01 00:30:15")  # stored as UTC text
    else:
        assert raw == local


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(sa.exc.StatementError, match="naive"), Session(engine) as session:
        session.add(Store(name="s", created_at=datetime(2024, 1, 1)))
        session.flush()


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(engine):
    """Several workers on one SQLite file: read-modify-write transactions must queue up."""
    import threading

    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            for i in range(15):
                with session_scope(engine) as session:
                    count = len(session.exec(select(Store.id)).all())
                    session.add(Store(name=f"w{n}-{i}-{count}"))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as session:
        names = session.exec(select(Store.name)).all()
    assert len(names) == 60
    if engine.dialect.name == "sqlite":
        # BEGIN IMMEDIATE serialises them: each saw every earlier commit, counts 0..59 once.
        # (PostgreSQL's READ COMMITTED gives no such promise; code there must not rely on it.)
        assert sorted(int(n.rsplit("-", 1)[1]) for n in names) == list(range(60))


def test_a_read_scope_never_blocks_a_writer(engine):
    """Live boards read often; on SQLite their reads must not take the write lock."""
    with read_scope(engine) as reader:
        before = reader.exec(select(Store)).all()
        with session_scope(engine) as writer:  # would wait 30 s behind a BEGIN IMMEDIATE reader
            writer.add(Store(name="读时写入"))
    with read_scope(engine) as later:
        assert [s.name for s in later.exec(select(Store)).all()] == [s.name for s in before] + ["读时写入"]
