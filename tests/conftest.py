"""Database fixtures shared by every test package.

`db_url` is parametrized over SQLite (a fresh file) and PostgreSQL (a fresh throwaway database
on the server at TEST_POSTGRES_URL). When that server is unreachable the postgres cases are
skipped, except under CI=true where they fail: CI must prove both databases.
"""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlmodel import Session

import integrations.registry  # noqa: F401  (registers every platform's profile, as the app does)
from qihang_app.config import Settings
from qihang_app.db import make_engine, normalise_url, upgrade_db

TEST_POSTGRES_URL = normalise_url(
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)
IN_CI = os.environ.get("CI", "").lower() == "true"

# Property tests check rules, not speed: a busy 2-core machine must not fail them on time.
hypothesis_settings.register_profile("qihang", deadline=None)
hypothesis_settings.load_profile("qihang")


@pytest.fixture(scope="session")
def postgres_server():
    """An AUTOCOMMIT engine on the test server (CREATE/DROP DATABASE), or None if down."""
    engine = sa.create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL unreachable at {make_url(TEST_POSTGRES_URL)!r}: {exc.orig}"
        yield reason
        return
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    if isinstance(server, str):
        if IN_CI:
            pytest.fail(f"{server} (CI=true: postgres tests must run)")
        pytest.skip(server)
    name = f"qihang_t_{secrets.token_hex(6)}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def engine(db_url):
    """An engine on a database migrated by alembic (not create_all): tests prove the migration."""
    upgrade_db(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    """Test settings, independent of the environment and any .env file."""
    return Settings(
        _env_file=None,
        app_env="test",
        database_url="sqlite://",
        data_key="test-data-key",
        secret_key="test-secret-key-test-secret-key-0123",
        session_hours=12,
        login_free_failures=3,
        login_address_free_failures=50,
        login_max_delay_seconds=300,
        login_forget_minutes=60,
        admin_username="admin",
        admin_password=None,
    )


def pytest_collection_modifyitems(config, items):
    """Browser tests last: they start the real app once and keep it for the rest of the run."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))
