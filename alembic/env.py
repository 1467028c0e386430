"""Alembic environment bound to SQLModel.metadata and the app settings.

URL precedence: `-x url=...` > Config.attributes["url"] (qihang_app.db.upgrade_db) >
sqlalchemy.url in alembic.ini (unset) > settings.database_url (env DATABASE_URL / .env).
"""

from __future__ import annotations

from logging.config import fileConfig

import sqlalchemy as sa
from sqlmodel import SQLModel

import qihang_app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from alembic import context
from qihang_app.config import get_settings
from qihang_app.db import make_engine, normalise_url
from qihang_app.models.base import UTCDateTime

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def database_url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or get_settings().database_url
    )
    return normalise_url(url)


def render_item(type_: str, obj, autogen_context):
    # UTCDateTime only changes Python-side conversion; the DDL is a plain timestamptz. Rendering
    # it as such keeps migrations independent of app code that may move later.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kw) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        **kw,
    )


def run_migrations_offline() -> None:
    url = database_url()
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Foreign keys OFF on SQLite while migrating: batch mode rebuilds tables by copy + drop,
    # which would cascade or fail with them on. Checked again afterwards.
    engine = make_engine(database_url(), foreign_keys=False)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            # With make_engine's explicit BEGIN, SQLite DDL is transactional too: a failing
            # migration leaves the database as it was.
            _configure(connection=connection, render_as_batch=sqlite, transactional_ddl=True)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    bad = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise sa.exc.IntegrityError("PRAGMA foreign_key_check", None, bad)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
